/**
 * requires-python is judged per target: with a 2.0 release that needs Python >= 3.12 on the index,
 * rendering for bookworm (3.11) and trixie (3.13) in one command picks 1.0 and 2.0 respectively.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from '../../../helpers/cli.ts';
import { startIndexServer, type IndexServer } from '../../../helpers/index-server.ts';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.ts';

let server: IndexServer | undefined;
after(() => server?.close());

test('render for several targets resolves the newest release each target\'s Python allows', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'render-pyver-'));
  server = await startIndexServer({ mode: 'html' });
  for (const [version, requiresPython] of [['1.0', '>=3.8'], ['2.0', '>=3.12']] as const) {
    const sdist = await makeSdist(purePythonProject('pyver-pkg', version), path.join(dir, 'sdists'));
    server.addFile('pyver-pkg', { filename: path.basename(sdist), content: await readFile(sdist), requiresPython });
  }
  const out = path.join(dir, 'out');
  const r = await runCli(['--cache-dir', path.join(dir, 'cache'), '--json', 'render', 'pyver-pkg', '--index-url', server.url,
    '--signature-policy', 'off', '--target', 'debian-bookworm', '--target', 'debian-trixie', '--out', out]);
  assert.equal(r.exitCode, 0, r.stderr);
  const changelog = async (target: string, version: string) =>
    readFile(path.join(out, target, `python-pyver-pkg-${version}`, 'debian', 'changelog'), 'utf8');
  assert.match(await changelog('debian-bookworm', '1.0'), /^python-pyver-pkg \(1\.0-1\) bookworm;/);
  assert.match(await changelog('debian-trixie', '2.0'), /^python-pyver-pkg \(2\.0-1\) trixie;/);
});
