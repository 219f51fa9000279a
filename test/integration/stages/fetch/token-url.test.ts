/**
 * Entitlement-style index URLs (https://host/TOKEN/simple/, ?token=…) must not reach the provenance
 * record that render ships inside every package, nor any printed line: the token is replaced by
 * REDACTED in the record and masked as *** in logs (lib/public-url.ts).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../../helpers/cli.ts';
import { startIndexServer, type IndexServer } from '../../../helpers/index-server.ts';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.ts';

const TOKEN = 'eNt1tLeMeNt7oKeN4f9c2a';
let dir: string;
let server: IndexServer;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'token-url-'));
  server = await startIndexServer({ mode: 'json', pathToken: TOKEN });
  const file = await makeSdist(purePythonProject('tok-pkg', '1.0.0'), dir);
  server.addFile('tok-pkg', { filename: path.basename(file), content: await readFile(file) });
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('a token in the index path or query is neither printed nor shipped in the provenance record', async () => {
  assert.ok(server.url.includes(TOKEN));
  for (const [i, indexUrl] of [server.url, `${server.url}?token=${TOKEN}q`].entries()) {
    const out = path.join(dir, `out-${i}`);
    const r = await runCli(['-v', '--cache-dir', path.join(dir, `cache-${i}`), 'render', 'tok-pkg', '--index-url', indexUrl,
      '--target', 'debian-bookworm', '--target', 'rpmtest-bookworm', '--out', out]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(TOKEN), `token printed:\n${r.stderr}`);
    assert.match(r.stderr, /GET http:\/\/127\.0\.0\.1:\d+\/\*\*\*\/simple\/tok-pkg\//, 'the debug log shows the request with the token masked');
    const shipped: string[] = [];
    const walk = async (d: string): Promise<void> => {
      for (const e of await readdir(d, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(path.join(d, e.name));
        else if (e.name === 'py2distro-provenance.json') shipped.push(path.join(d, e.name));
      }
    };
    await walk(out);
    assert.equal(shipped.length, 2, 'one record for the deb tree, one RPM source');
    for (const f of shipped) {
      const text = await readFile(f, 'utf8');
      assert.ok(!text.includes(TOKEN), `${f} carries the token:\n${text}`);
      const record = JSON.parse(text) as { indexUrl: string; fileUrl: string };
      assert.match(record.indexUrl, /^http:\/\/127\.0\.0\.1:\d+\/REDACTED\/simple\/$/);
      assert.match(record.fileUrl, /^http:\/\/127\.0\.0\.1:\d+\/REDACTED\/files\/tok-pkg\/tok_pkg-1\.0\.0\.tar\.gz$/);
    }
  }
});
