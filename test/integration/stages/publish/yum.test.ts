/**
 * `py2distro repo publish` into a yum repository, judged by rpm and dnf: rpmkeys shows a present
 * and valid org signature on the published package; dnf with gpgcheck=1 and repo_gpgcheck=1 lists
 * and downloads it; a tampered repomd.xml or a missing repomd.xml.asc is refused.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, readlink, rename, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { runCli } from '../../../helpers/cli.ts';
import { makeOrgKey, makeRpm } from '../../../helpers/packages.ts';

const TARGET = 'rpmtest-bookworm';
let dir: string;
let repo: string;
let keyFile: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-publish-yum-'));
  repo = path.join(dir, 'repo');
  ({ file: keyFile } = await makeOrgKey(path.join(dir, 'keys'), 'rsa'));
  const v1 = await makeRpm(dir, { name: 'python3-yumpkg', version: '1.0' });
  const r = await runCli(['repo', 'publish', repo, v1, '--rpm-target', TARGET, '--sign-key', keyFile, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).added.length, 1);
});

after(() => rm(dir, { recursive: true, force: true }));

async function dnf(repoDir: string, args: string[]): Promise<{ exitCode: number; out: string }> {
  const root = await mkdtemp(path.join(dir, 'dnfroot-'));
  await mkdir(path.join(root, 'repos.d'));
  const keyPath = path.join(root, 'RPM-GPG-KEY-org');
  const cc = await runCli(['repo', 'client-config', repoDir, '--url', `file://${repoDir}`, '--key-path', keyPath, '--json']);
  assert.equal(cc.exitCode, 0, cc.stderr);
  const config = JSON.parse(cc.stdout);
  assert.match(config.repo, new RegExp(`gpgkey=file://${keyPath}\n`));
  await writeFile(keyPath, config.key);
  await writeFile(path.join(root, 'repos.d', 'org.repo'), config.repo);
  const r = await execa('dnf', ['-y', '--noplugins', `--installroot=${root}`, `--setopt=reposdir=${root}/repos.d`, `--setopt=cachedir=${root}/cache`,
    '--setopt=skip_if_unavailable=False', '--releasever=1', ...args], { reject: false, all: true });
  return { exitCode: r.exitCode ?? -1, out: String(r.all) };
}

test('rpmkeys: the published package carries a valid org signature (and it is present)', async () => {
  const rpm = path.join(repo, 'rpm', TARGET, 'Packages', 'python3-yumpkg-1.0-1.noarch.rpm');
  const db = await mkdtemp(path.join(dir, 'rpmdb-'));
  const before = await execa('rpmkeys', ['--dbpath', db, '-Kv', rpm], { reject: false, all: true });
  assert.match(String(before.all), /Header V4 RSA\/SHA256 Signature, key ID [0-9a-f]{8}: NOKEY/);
  await execa('rpmkeys', ['--dbpath', db, '--import', path.join(repo, 'rpm', 'key.asc')]);
  const r = await execa('rpmkeys', ['--dbpath', db, '-Kv', rpm], { reject: false, all: true });
  assert.equal(r.exitCode, 0, String(r.all));
  assert.match(String(r.all), /Header V4 RSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
  const other = await mkdtemp(path.join(dir, 'rpmdb-'));
  await execa('rpmkeys', ['--dbpath', other, '--import', (await makeOrgKey(path.join(dir, 'other'), 'ed25519')).publicFile]);
  assert.match(String((await execa('rpmkeys', ['--dbpath', other, '-Kv', rpm], { reject: false, all: true })).all), /NOKEY/);
});

test('dnf with gpgcheck and repo_gpgcheck lists and downloads; a second version appears after publish', async () => {
  const listed = await dnf(repo, ['list', 'available']);
  assert.equal(listed.exitCode, 0, listed.out);
  assert.match(listed.out, /python3-yumpkg\.noarch\s+1\.0-1/);
  const dl = path.join(dir, 'download');
  const got = await dnf(repo, ['install', '--downloadonly', `--downloaddir=${dl}`, 'python3-yumpkg']);
  assert.equal(got.exitCode, 0, got.out);
  assert.ok((await readFile(path.join(dl, 'python3-yumpkg-1.0-1.noarch.rpm'))).length > 0);

  const generation = await readlink(path.join(repo, 'rpm', TARGET, 'repodata'));
  const v2 = await makeRpm(dir, { name: 'python3-yumpkg', version: '2.0' });
  const r = await runCli(['repo', 'publish', repo, v2, '--rpm-target', TARGET, '--sign-key', keyFile, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.notEqual(await readlink(path.join(repo, 'rpm', TARGET, 'repodata')), generation);
  const both = await dnf(repo, ['list', 'available', '--showduplicates']);
  assert.match(both.out, /1\.0-1/);
  assert.match(both.out, /2\.0-1/);
  const same = await runCli(['repo', 'publish', repo, v2, '--rpm-target', TARGET, '--sign-key', keyFile, '--json']);
  assert.equal(JSON.parse(same.stdout).unchanged.length, 1);
});

test('dnf refuses a tampered repomd.xml and a missing repomd.xml.asc', async () => {
  const copy = path.join(dir, 'tampered');
  await cp(repo, copy, { recursive: true, verbatimSymlinks: true });
  const repodata = path.join(copy, 'rpm', TARGET, 'repodata');
  const repomd = path.join(repodata, 'repomd.xml');
  const original = await readFile(repomd, 'utf8');
  await writeFile(repomd, original.replace(/<revision>(\d+)<\/revision>/, '<revision>1$1</revision>'));
  const tampered = await dnf(copy, ['list', 'available']);
  assert.notEqual(tampered.exitCode, 0, tampered.out);
  assert.match(tampered.out, /GPG signature verification error|Bad GPG signature/);

  await writeFile(repomd, original);
  await rename(`${repomd}.asc`, `${repomd}.asc.gone`);
  const unsigned = await dnf(copy, ['list', 'available']);
  assert.notEqual(unsigned.exitCode, 0, unsigned.out);
  assert.match(unsigned.out, /GPG signature is not available|repomd\.xml\.asc/);
});
