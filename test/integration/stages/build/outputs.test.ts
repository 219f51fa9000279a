/**
 * The host-side check of a build's output (stages/build/outputs.ts), on packages made by the real
 * dpkg-deb and rpmbuild: only the names, versions and sources render produced, and no maintainer
 * script or scriptlet py2distro's packaging does not generate.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { allowedControlMembers } from '../../../../src/distro/deb/maintainer-scripts.ts';
import { Py2DistroError } from '../../../../src/lib/errors.ts';
import { verifyBuildOutputs, type ExpectedOutputs } from '../../../../src/stages/build/outputs.ts';

const DEB: ExpectedOutputs = { family: 'deb', sourcePackage: 'python-foo', binaryPackages: ['python3-foo'], distroVersion: '1.0-1', arch: 'all' };
const RPM: ExpectedOutputs = { family: 'rpm', sourcePackage: 'python-foo', binaryPackages: ['python3-foo'], distroVersion: '1.0-1.rpmtest', arch: 'all' };

async function deb(dir: string, o: { pkg?: string; version?: string; source?: string; scripts?: Record<string, string>; file?: string } = {}): Promise<string> {
  const pkg = o.pkg ?? 'python3-foo';
  await mkdir(dir, { recursive: true });
  const root = await mkdtemp(path.join(dir, 'root-'));
  await mkdir(path.join(root, 'DEBIAN'));
  await mkdir(path.join(root, 'usr/lib/python3/dist-packages'), { recursive: true });
  await writeFile(path.join(root, 'usr/lib/python3/dist-packages/foo.py'), 'X = 1\n');
  await writeFile(path.join(root, 'DEBIAN/control'), `Package: ${pkg}\nSource: ${o.source ?? 'python-foo'}\nVersion: ${o.version ?? '1.0-1'}\nArchitecture: all\nMaintainer: T <t@example.org>\nDescription: t\n t\n`);
  for (const [name, text] of Object.entries(o.scripts ?? {})) {
    await writeFile(path.join(root, 'DEBIAN', name), text);
    await chmod(path.join(root, 'DEBIAN', name), 0o755);
  }
  const out = path.join(dir, 'out');
  await mkdir(out, { recursive: true });
  const file = path.join(out, o.file ?? 'python3-foo_1.0-1_all.deb');
  await execa('dpkg-deb', ['--root-owner-group', '--build', root, file]);
  return out;
}

async function refused(out: string, e: ExpectedOutputs, pattern: RegExp): Promise<void> {
  await assert.rejects(verifyBuildOutputs(out, e, 'foo'), (err: unknown) => {
    assert.ok(err instanceof Py2DistroError && err.code === 'E_BUILD_UNEXPECTED', String(err));
    assert.equal(err.exitCode, 3);
    assert.match(err.message, pattern);
    return true;
  });
}

test('deb: the package render asked for, with dh_python3\'s own scripts, passes; dpkg-deb -I agrees on the fields', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'outputs-'));
  const allowed = allowedControlMembers('python3-foo');
  const out = await deb(dir, { scripts: { postinst: allowed.get('postinst')![0]!, prerm: allowed.get('prerm')![0]! } });
  await writeFile(path.join(out, 'python-foo_1.0-1_amd64.buildinfo'), 'x');
  await writeFile(path.join(out, 'package-METADATA'), 'Name: foo\n');
  assert.deepEqual(await verifyBuildOutputs(out, DEB, 'foo'), ['python-foo_1.0-1_amd64.buildinfo', 'python3-foo_1.0-1_all.deb']);
});

test('deb: another package, version, source, an extra file or a root script → E_BUILD_UNEXPECTED', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'outputs-'));
  // A file named as expected whose control says sudo (the build replaced the package).
  await refused(await deb(path.join(dir, 'a'), { pkg: 'sudo', version: '99:1.0' }), DEB, /Package is "sudo".*\n.*Version is "99:1\.0"/);
  await refused(await deb(path.join(dir, 'b'), { source: 'sudo' }), DEB, /Source is "sudo"/);
  await refused(await deb(path.join(dir, 'c'), { scripts: { postinst: '#!/bin/sh\ntouch /etc/pwned\n' } }), DEB, /postinst is not the dh_python3 script/);
  await refused(await deb(path.join(dir, 'd'), { scripts: { preinst: '#!/bin/sh\n' } }), DEB, /control member "preinst"/);
  await refused(await deb(path.join(dir, 'e'), { scripts: { triggers: 'interest-noawait /usr\n' } }), DEB, /control member "triggers"/);
  const extra = await deb(path.join(dir, 'f'));
  await deb(path.join(dir, 'f'), { pkg: 'sudo', version: '99:1.0', file: 'sudo_1.0_all.deb' });
  await refused(extra, DEB, /unexpected file "sudo_1\.0_all\.deb"/);
  const reported = await deb(path.join(dir, 'g'));
  await writeFile(path.join(reported, 'py2distro-unexpected'), 'sudo_1.0_all.deb\n');
  await refused(reported, DEB, /the build produced "sudo_1\.0_all\.deb"/);
  const linked = await deb(path.join(dir, 'h'));
  await rename(path.join(linked, 'python3-foo_1.0-1_all.deb'), path.join(linked, 'real'));
  await execa('ln', ['-s', 'real', path.join(linked, 'python3-foo_1.0-1_all.deb')]);
  await refused(linked, DEB, /unexpected (file "real"|entry "python3-foo)/);
});

async function rpm(dir: string, o: { name?: string; release?: string; post?: string } = {}): Promise<string> {
  const name = o.name ?? 'python3-foo';
  await mkdir(dir, { recursive: true });
  const top = path.join(dir, 'top');
  const spec = path.join(dir, 'foo.spec');
  await writeFile(spec, [
    'Name: python-foo', 'Version: 1.0', `Release: ${o.release ?? '1.rpmtest'}`, 'Summary: t', 'License: MIT', 'BuildArch: noarch',
    '%description', 't', `%package -n ${name}`, 'Summary: t', `%description -n ${name}`, 't',
    '%install', 'mkdir -p %{buildroot}/usr/lib/python3/dist-packages', 'echo X=1 > %{buildroot}/usr/lib/python3/dist-packages/foo.py',
    ...(o.post?.startsWith('-p') ? [`%post -n ${name} ${o.post}`] : o.post ? [`%post -n ${name}`, o.post] : []),
    `%files -n ${name}`, '/usr/lib/python3/dist-packages/foo.py', '',
  ].join('\n'));
  await execa('rpmbuild', ['-ba', '--define', `_topdir ${top}`, spec]);
  const out = path.join(dir, 'out');
  await mkdir(out, { recursive: true });
  await execa('sh', ['-c', `cp ${top}/RPMS/noarch/*.rpm ${top}/SRPMS/*.rpm "$1"`, 'sh', out]);
  return out;
}

test('rpm: the spec\'s packages pass; a %post scriptlet, another name or release → E_BUILD_UNEXPECTED', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'outputs-rpm-'));
  assert.deepEqual(await verifyBuildOutputs(await rpm(path.join(dir, 'ok')), RPM, 'foo'), ['python-foo-1.0-1.rpmtest.src.rpm', 'python3-foo-1.0-1.rpmtest.noarch.rpm']);
  await refused(await rpm(path.join(dir, 'post'), { post: 'touch /etc/pwned' }), RPM, /scriptlets or triggers .*POSTIN/);
  await refused(await rpm(path.join(dir, 'prog'), { post: '-p /bin/true' }), RPM, /POSTIN/);
  await refused(await rpm(path.join(dir, 'name'), { name: 'sudo' }), RPM, /unexpected file "sudo-1\.0-1\.rpmtest\.noarch\.rpm"/);
  await refused(await rpm(path.join(dir, 'rel'), { release: '2.rpmtest' }), RPM, /unexpected file "python-foo-1\.0-2/);
});
