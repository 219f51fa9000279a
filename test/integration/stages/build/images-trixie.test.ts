/**
 * Debian 13 trixie, the `deb` alias: its base image is bootstrapped offline with mmdebstrap (no
 * registry here) and its builder image carries trixie's toolchain. `make images` builds both.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseImageFor, podman } from '../../../helpers/build-fixtures.ts';
import { runCli } from '../../../helpers/cli.ts';

test('the deb alias is debian-trixie; its base is a mmdebstrap-made trixie and its builder has Python 3.13', async () => {
  const r = await runCli(['--json', 'images', 'build', '--target', 'deb']);
  assert.equal(r.exitCode, 0, r.stderr);
  const { images } = JSON.parse(r.stdout) as { images: { target: string; tag: string }[] };
  assert.equal(images[0]!.target, 'debian-trixie');
  const release = await podman(['run', '--rm', '--network=none', baseImageFor('debian-trixie'), 'sh', '-c', '. /etc/os-release; echo $VERSION_CODENAME; cat /etc/debian_version']);
  assert.equal(release.exitCode, 0, release.stderr);
  assert.match(release.stdout, /^trixie\n13/);
  const py = await podman(['run', '--rm', '--network=none', images[0]!.tag, 'python3', '-c', 'import sys; print(sys.version_info[:2])']);
  assert.equal(py.exitCode, 0, py.stderr);
  assert.match(py.stdout, /\(3, 13\)/);
});
