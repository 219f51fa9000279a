/**
 * The sdist download has a size limit (default 512m; --max-download-size / config): a larger file
 * stops with E_DOWNLOAD_TOO_LARGE before anything reaches the cache or --out, and the index's
 * declared length is enough to stop it before a byte is written.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../../helpers/cli.ts';
import { startIndexServer, type IndexServer } from '../../../helpers/index-server.ts';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.ts';

let dir: string;
let server: IndexServer;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'download-limit-'));
  server = await startIndexServer({ mode: 'json' });
  const spec = purePythonProject('big-pkg', '1.0.0');
  // Incompressible padding: the .tar.gz is ~3 MiB.
  spec.files['blob.txt'] = randomBytes(3 * 1024 * 1024 / 2).toString('hex').slice(0, 3 * 1024 * 1024);
  const file = await makeSdist(spec, dir);
  server.addFile('big-pkg', { filename: path.basename(file), content: await readFile(file) });
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('a download over --max-download-size is refused before it is kept; under the limit it is fetched', async () => {
  const cache = path.join(dir, 'cache');
  const out = path.join(dir, 'out');
  const r = await runCli(['--cache-dir', cache, 'fetch', 'big-pkg', '--index-url', server.url, '--max-download-size', '1m', '--out', out]);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /E_DOWNLOAD_TOO_LARGE/);
  assert.match(r.stderr, /more than the limit of 1048576/);
  assert.deepEqual(await readdir(out).catch(() => []), []);
  const kept = await readdir(cache, { recursive: true }).catch(() => [] as string[]);
  assert.ok(!kept.some((f) => String(f).endsWith('.tar.gz')), `nothing cached: ${kept.join(', ')}`);

  const ok = await runCli(['--cache-dir', cache, 'fetch', 'big-pkg', '--index-url', server.url, '--max-download-size', '8m', '--out', out]);
  assert.equal(ok.exitCode, 0, ok.stderr);
  const bad = await runCli(['fetch', 'big-pkg', '--index-url', server.url, '--max-download-size', '8 TB']);
  assert.equal(bad.exitCode, 2, bad.stderr);
});
