/**
 * The RPM path (rpmspec -P for Fedora and rpmtest-bookworm specs, rpmbuild -bb of the plain spec on
 * this Debian host), hostile metadata that tries to inject control fields, shell and RPM macros,
 * and a path-traversal sdist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { Header } from 'tar';
import { runCli } from '../../../helpers/cli.js';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.js';

const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const env = { PATH: SYSTEM_PATH, LC_ALL: 'C.UTF-8' };

async function render(sdist: string, target: string, dir: string) {
  const out = path.join(dir, `out-${target}`);
  const r = await runCli(['render', sdist, '--target', target, '--out', out, '--cache-dir', path.join(dir, 'cache'), '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout).results[0];
}

async function rpmbuild(specFile: string): Promise<string[]> {
  const top = path.join(path.dirname(specFile), 'rpmbuild');
  const b = await execa('rpmbuild', ['-bb', '--define', `_topdir ${top}`, '--define', `_sourcedir ${path.dirname(specFile)}`, specFile], { env, reject: false, all: true });
  assert.equal(b.exitCode, 0, String(b.all).split('\n').slice(-30).join('\n'));
  const rpms: string[] = [];
  const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.rpm') && rpms.push(path.join(d, e.name)); };
  walk(path.join(top, 'RPMS'));
  return rpms;
}

test('RPM specs parse with rpmspec -P; the rpmtest-bookworm spec builds with rpmbuild -bb', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'render-rpm-'));
  const sdist = await makeSdist(purePythonProject('rpm-demo', '1!2.0.post1', { deps: ['PyYAML>=5.1,!=5.3'] }), path.join(dir, 'dist'));
  const fedora = await render(sdist, 'rpm', dir);
  assert.equal(fedora.target, 'fedora-41');
  assert.equal(fedora.distroVersion, '1:2.0^post1-1.fc41');
  const parsed = await execa('rpmspec', ['-P', fedora.rpm.specFile], { env });
  assert.match(parsed.stdout, /^Epoch: +1$/m);
  assert.match(parsed.stdout, /Requires: +\(python3dist\(pyyaml\) >= 5\.1 with \(python3dist\(pyyaml\) < 5\.3 or python3dist\(pyyaml\) > 5\.3\)\)/);

  const plain = await render(sdist, 'rpmtest-bookworm', dir);
  await execa('rpmspec', ['-P', plain.rpm.specFile], { env });
  const [rpm] = await rpmbuild(plain.rpm.specFile);
  const q = await execa('rpm', ['-qp', '--qf', '%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE}\n', rpm!], { env });
  assert.equal(q.stdout, 'python3-rpm-demo 1:2.0^post1-1.rpmtest');
  const files = (await execa('rpm', ['-qlp', rpm!], { env })).stdout;
  assert.match(files, /^\/usr\/lib\/python3\/dist-packages\/rpm_demo\/__init__\.py$/m);
  assert.match(files, /py2distro-provenance\.json/);
  const provides = (await execa('rpm', ['-qp', '--provides', rpm!], { env })).stdout;
  assert.match(provides, /python3dist\(rpm-demo\) = 1:2\.0\^post1/);
});

test('hostile metadata: nothing injected into control/spec, nothing executed, and both build', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'render-evil-'));
  const pwned = path.join(dir, 'pwned');
  // rpmbuild honours %include (and %if) after expanding a line, even an indented one.
  const secret = path.join(dir, 'host-secret');
  await writeFile(secret, 'HOST-SECRET-CONTENT\n');
  const evil = `%(touch ${pwned}) %{lua: os.execute("touch ${pwned}")} $(touch ${pwned}) \`touch ${pwned}\``;
  const spec = purePythonProject('evilpkg', '1.0');
  spec.files['PKG-INFO'] = [
    'Metadata-Version: 2.1', 'Name: evilpkg', 'Version: 1.0', `Summary: ${evil}`,
    `Author: $(touch ${pwned}) <x>`, 'Author-email: evil@example.org', `Home-page: https://example.org/$(touch ${pwned})`,
    'License: MIT', 'Requires-Python: >=3.8', '',
    'First line', 'Depends: evil-injected-package', 'Priority: required', '', '%files', `%(touch ${pwned})`,
    `%{lua: os.execute("touch ${pwned}")}`, '.', `\`touch ${pwned}\``, '', `  %include ${secret}`, '',
  ].join('\n');
  spec.files['pyproject.toml'] = spec.files['pyproject.toml']!.replace(/^description = .*$/m, `description = ${JSON.stringify(evil)}`) +
    `\n[project.scripts]\n"evil;touch" = "evilpkg:hello"\n`;
  const sdist = await makeSdist(spec, path.join(dir, 'dist'));

  const deb = await render(sdist, 'deb', dir);
  const control = await readFile(path.join(deb.deb.sourceDir, 'debian/control'), 'utf8');
  assert.deepEqual(control.split('\n').filter((l) => /^\S/.test(l)).map((l) => l.split(':')[0]),
    ['Source', 'Section', 'Priority', 'Maintainer', 'Build-Depends', 'Standards-Version', 'Rules-Requires-Root', 'Package', 'Architecture', 'Depends', 'Description']);
  assert.doesNotMatch(await readFile(path.join(deb.deb.sourceDir, 'debian/rules'), 'utf8'), /touch|\$\(/);
  const build = await execa('dpkg-buildpackage', ['-us', '-uc', '-b'], { cwd: deb.deb.sourceDir, env, reject: false, all: true });
  assert.equal(build.exitCode, 0, String(build.all).split('\n').slice(-30).join('\n'));
  const debFile = readdirSync(path.dirname(deb.deb.sourceDir)).find((f) => f.endsWith('.deb'))!;
  const fields = (await execa('dpkg-deb', ['-f', path.join(path.dirname(deb.deb.sourceDir), debFile)])).stdout;
  assert.doesNotMatch(fields, /^Depends:.*evil-injected-package/m);
  assert.doesNotMatch(fields, /^Priority: required/m);
  assert.doesNotMatch(fields, /^Homepage/m);
  const lint = await execa('lintian', [path.join(path.dirname(deb.deb.sourceDir), debFile)], { env, reject: false });
  assert.deepEqual(lint.stdout.split('\n').filter((l) => l.startsWith('E: ')), []);

  const rpm = await render(sdist, 'rpmtest-bookworm', dir);
  await execa('rpmspec', ['-P', rpm.rpm.specFile], { env });
  const [rpmFile] = await rpmbuild(rpm.rpm.specFile);
  const summary = (await execa('rpm', ['-qp', '--qf', '%{SUMMARY}', rpmFile!], { env })).stdout;
  assert.ok(summary.startsWith(`%(touch ${pwned}) %{lua:`), summary);
  const description = (await execa('rpm', ['-qp', '--qf', '%{DESCRIPTION}', rpmFile!], { env })).stdout;
  assert.match(description, /^ %%files %\(touch /m);
  assert.ok(description.includes(`%%include ${secret}`) && !description.includes('HOST-SECRET-CONTENT'), description);
  assert.ok(description.includes('%{lua: os.execute('), description);
  assert.equal(existsSync(pwned), false, 'a payload ran');
});

function traversalTar(): Buffer {
  const blocks: Buffer[] = [];
  const add = (p: string, body: string, type = 'File') => {
    const data = Buffer.from(body);
    const block = Buffer.alloc(512);
    new Header({ path: p, type: type as never, size: data.length, mode: 0o644, mtime: new Date(0) }).encode(block, 0);
    blocks.push(block, Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]));
  };
  add('trav-1.0/PKG-INFO', 'Metadata-Version: 2.1\nName: trav\nVersion: 1.0\n');
  add('trav-1.0/../../../../../../tmp/py2distro-traversal-proof', 'owned\n');
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

test('a path-traversal sdist is refused with exit 1 and nothing is written outside the work dir', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'render-trav-'));
  const sdist = path.join(dir, 'trav-1.0.tar.gz');
  await writeFile(sdist, traversalTar());
  const out = path.join(dir, 'out');
  const r = await runCli(['render', sdist, '--target', 'deb', '--out', out, '--cache-dir', path.join(dir, 'cache'), '--json']);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.equal(JSON.parse(r.stdout).errors[0].code, 'E_SDIST_UNSAFE');
  assert.equal(existsSync('/tmp/py2distro-traversal-proof'), false);
  assert.deepEqual(existsSync(out) ? readdirSync(out) : [], []);
});
