/**
 * The sdist does not pick the distro name (real CLI, real podman, the real bookworm archive read
 * from the builder image): a project whose top-level module is `apt` is packaged as
 * python3-<project>, not python3-apt; a project *named* `apt` would be python3-apt, which bookworm
 * ships for python-apt, so it is refused before any build container starts, even when allowed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { execa } from 'execa';
import { CONTAINERS_CONF } from '../../helpers/build-fixtures.ts';
import { runCli } from '../../helpers/cli.ts';
import { makeSdist, purePythonProject } from '../../helpers/sdist.ts';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'distro-names-'));
});

test('import name apt → python3-<project>; a project named apt → E_DISTRO_NAME, no build', async () => {
  const cache = path.join(dir, 'cache');
  const harmless = await makeSdist(purePythonProject('harmless-tool', '1.0.0', { module: 'apt' }), path.join(dir, 'sdists'));
  const ok = await runCli(['--cache-dir', cache, '--json', 'build', harmless, '--target', 'debian-bookworm', '--out', path.join(dir, 'out-ok')], { env: { CONTAINERS_CONF } });
  assert.equal(ok.exitCode, 0, ok.stderr);
  const debs = (await readdir(path.join(dir, 'out-ok'))).filter((f) => f.endsWith('.deb'));
  assert.deepEqual(debs, ['python3-harmless-tool_1.0.0-1_all.deb']);
  const pkg = await execa('dpkg-deb', ['-f', path.join(dir, 'out-ok', debs[0]!), 'Package']);
  assert.equal(String(pkg.stdout).trim(), 'python3-harmless-tool', 'dpkg agrees: not python3-apt');

  const named = await makeSdist(purePythonProject('apt', '99.0'), path.join(dir, 'sdists'));
  const out = path.join(dir, 'out-apt');
  const r = await runCli(['--cache-dir', cache, 'build', named, '--target', 'debian-bookworm', '--out', out, '--allow-distro-name', 'apt'], { env: { CONTAINERS_CONF } });
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /E_DISTRO_NAME/);
  assert.match(r.stderr, /debian-bookworm already ships python3-apt/);
  assert.deepEqual(await readdir(out).catch(() => []), [], 'no build ran (no log, no package)');
});
