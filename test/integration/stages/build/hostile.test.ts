/**
 * A hostile sdist, built for real (podman, the real CLI): its setup.py builds a `sudo 99:1.0` .deb
 * (with a root postinst) and a sudo .rpm beside the package it was asked for, and prints its
 * environment. `build --repo` must refuse (E_BUILD_UNEXPECTED, exit 3) and publish nothing; the
 * signing passphrase is neither in the container's environment nor in the engine process's.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { CONTAINERS_CONF } from '../../../helpers/build-fixtures.ts';
import { runCli } from '../../../helpers/cli.ts';
import { makeOrgKey } from '../../../helpers/packages.ts';
import { makeSdist, pkgInfo } from '../../../helpers/sdist.ts';

const PASSPHRASE = 'hostile-test-passphrase-7f3a';
let dir: string;
let sdist: string;

const SETUP_PY = `
import os, subprocess, sys
print("py2distro-test ENV-DUMP", sorted(os.environ.items()), flush=True)
# The deb build runs in /home/builder/build/<source>/, the rpm build under /home/builder/rpmbuild/.
if os.path.isdir("/home/builder/build"):
    root = "/tmp/evil-root"
    os.makedirs(root + "/DEBIAN", exist_ok=True)
    open(root + "/DEBIAN/control", "w").write("Package: sudo\\nVersion: 99:1.0\\nArchitecture: all\\nMaintainer: x <x@example.org>\\nDescription: pwn\\n pwn\\n")
    open(root + "/DEBIAN/postinst", "w").write("#!/bin/sh\\ntouch /etc/pwned\\n")
    os.chmod(root + "/DEBIAN/postinst", 0o755)
    subprocess.run(["dpkg-deb", "--build", root, "/home/builder/build/sudo_1.0_all.deb"], check=True)
if os.path.isdir("/home/builder/rpmbuild/RPMS"):
    os.makedirs("/home/builder/rpmbuild/RPMS/noarch", exist_ok=True)
    open("/home/builder/rpmbuild/RPMS/noarch/sudo-99-1.noarch.rpm", "wb").write(b"not really an rpm")
from setuptools import setup
setup(packages=["evil_pkg"])
`;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hostile-'));
  sdist = await makeSdist({
    name: 'evil-pkg', version: '1.0',
    files: {
      'PKG-INFO': pkgInfo('evil-pkg', '1.0', { License: 'MIT' }),
      'pyproject.toml': '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "evil-pkg"\nversion = "1.0"\nlicense = {text = "MIT"}\n',
      'setup.py': SETUP_PY,
      'evil_pkg/__init__.py': 'X = 1\n',
      LICENSE: 'MIT License\n',
    },
  }, path.join(dir, 'sdists'));
});

test('build --repo refuses a build that produced packages render did not ask for; nothing is published, no secret leaks', async () => {
  const key = await makeOrgKey(path.join(dir, 'keys'), 'ed25519', PASSPHRASE);
  // A podman on PATH that records its own environment, then runs the real one.
  const bin = path.join(dir, 'bin');
  await mkdir(bin);
  const envLog = path.join(dir, 'engine-env.txt');
  await writeFile(path.join(bin, 'podman'), `#!/bin/sh\nenv >> ${envLog}\nexec /usr/bin/podman "$@"\n`);
  await chmod(path.join(bin, 'podman'), 0o755);
  const repo = path.join(dir, 'repo');
  const out = path.join(dir, 'out');
  for (const target of ['debian-bookworm', 'rpmtest-bookworm']) {
    const r = await runCli(
      ['--cache-dir', path.join(dir, 'cache'), 'build', sdist, '--target', target, '--out', out, '--repo', repo, '--sign-key', key.file, '--engine', 'podman'],
      { env: { CONTAINERS_CONF, PY2DISTRO_SIGN_PASSPHRASE: PASSPHRASE, PATH: `${bin}:${process.env.PATH}` } },
    );
    assert.equal(r.exitCode, 3, `${target}: ${r.stderr}`);
    assert.match(r.stderr, /E_BUILD_UNEXPECTED/);
    assert.match(r.stderr, target.startsWith('debian') ? /sudo_1\.0_all\.deb/ : /sudo-99-1\.noarch\.rpm/);
    const log = await readFile(path.join(out, `evil-pkg-1.0-${target}.build.log`), 'utf8');
    // pip (the rpm flavour's installer) hides setup.py's output; dpkg-buildpackage shows it.
    if (target.startsWith('debian')) assert.match(log, /py2distro-test ENV-DUMP/, 'the hostile setup.py ran and printed its environment');
    assert.ok(!log.includes(PASSPHRASE), 'the passphrase is not in the build container');
  }
  const files = await readdir(repo, { recursive: true }).catch(() => [] as string[]);
  assert.ok(!files.some((f) => /\.(deb|rpm)$/.test(String(f))), `nothing published: ${files.join(', ')}`);
  assert.ok(!(await readdir(out)).some((f) => /\.(deb|rpm)$/.test(f)), 'no package placed in --out');
  const engineEnv = await readFile(envLog, 'utf8');
  assert.match(engineEnv, /CONTAINERS_CONF=/, 'the wrapper ran');
  assert.ok(!engineEnv.includes(PASSPHRASE) && !engineEnv.includes('PY2DISTRO_SIGN_PASSPHRASE'), 'the engine process has no passphrase');
});
