import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { formatParagraph, parseParagraphs, parseSingleParagraph } from '../../../../src/distro/deb/deb822.js';
import { compareDebianVersions } from '../../../../src/distro/deb/version-compare.js';
import { rpmvercmp } from '../../../../src/distro/rpm/version-compare.js';
import { readDebInfo } from '../../../../src/distro/deb/deb-file.js';
import { readPublishedApt } from '../../../../src/stages/publish/apt/state.js';
import { publishPackages } from '../../../../src/stages/publish/publish.js';
import { parseSigningKey, type SigningKey } from '../../../../src/stages/sign/key.js';
import { addDebOrigin, debOriginSignature, debOriginSignedData } from '../../../../src/stages/sign/deb-origin.js';
import { silentLogger } from '../../../../src/lib/log.js';
import { Py2DistroError } from '../../../../src/lib/errors.js';
import { makeDeb, makeOrgKey } from '../../../helpers/packages.js';
import { createHash } from 'node:crypto';

const createHashHex = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let dir: string;
let key: SigningKey;
let publicFile: string;
const env = () => ({ log: silentLogger, workDir: dir, cacheDir: dir });

after(() => rm(dir, { recursive: true, force: true }));

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-apt-'));
  const k = await makeOrgKey(path.join(dir, 'keys'), 'ed25519');
  key = await parseSigningKey(k.armored, undefined);
  publicFile = k.publicFile;
});

test('deb822: continuation lines survive, smuggled paragraphs and fields are refused', () => {
  const p = parseSingleParagraph('Package: a\nDescription: short\n long\n .\n more\n');
  assert.equal(formatParagraph(p), 'Package: a\nDescription: short\n long\n .\n more');
  assert.throws(() => parseSingleParagraph('Package: a\n\nPackage: evil\n'), /one paragraph/);
  assert.throws(() => parseParagraphs('Package: a\nnot a field\n'), /malformed/);
  assert.throws(() => parseParagraphs('Package: a\r\n'), /CR/);
  assert.throws(() => formatParagraph([['Description', 'x\n\nPackage: evil']]), /end the paragraph/);
  assert.throws(() => formatParagraph([['Description', 'x\nFilename: evil']]), /end the paragraph/);
});

test('Debian version order matches dpkg --compare-versions', async () => {
  const pairs: Array<[string, string]> = [
    ['1.0', '1.0-1'], ['1.0~rc1', '1.0'], ['1.0-1', '1:0.1'], ['1.2.3', '1.10'], ['1.0a', '1.0+'],
    ['2.0-1~bpo12+1', '2.0-1'], ['0.9', '0.10'], ['1.0-1', '1.0-1'], ['1.0.0', '1.0'],
  ];
  for (const [a, b] of pairs) {
    const ours = Math.sign(compareDebianVersions(a, b));
    const lt = (await execa('dpkg', ['--compare-versions', a, 'lt', b], { reject: false })).exitCode === 0;
    const eq = (await execa('dpkg', ['--compare-versions', a, 'eq', b], { reject: false })).exitCode === 0;
    assert.equal(ours, lt ? -1 : eq ? 0 : 1, `${a} vs ${b}`);
  }
});

test('rpm version order matches rpm.vercmp of the installed rpm', async () => {
  const cases: Array<[string, string]> = [
    ['1.0', '1.0'], ['1.0', '2.0'], ['2.0.1', '2.0'], ['1.0~rc1', '1.0'], ['1.0^1', '1.0'], ['1.0^1', '1.0.1'],
    ['1.0a', '1.0'], ['1.010', '1.9'], ['1.0', '1.0a'], ['a', '1'], ['1.0^', '1.0~'], ['1..0', '1.0'], ['1.0~~', '1.0~'],
  ];
  for (const [a, b] of cases) {
    const want = Number((await execa('rpm', ['--eval', `%{lua: print(rpm.vercmp("${a}", "${b}"))}`])).stdout);
    assert.equal(Math.sign(rpmvercmp(a, b)), Math.sign(want), `${a} vs ${b}`);
  }
});

test('reads control from xz, gzip and zstd .debs', async () => {
  for (const compression of ['xz', 'gzip', 'zstd'] as const) {
    const file = await makeDeb(dir, { name: `python3-c${compression}`, version: '1.2-3', compression });
    const info = await readDebInfo(await readFile(file), file);
    assert.equal(info.package, `python3-c${compression}`);
    assert.equal(info.version, '1.2-3');
    assert.equal(info.architecture, 'all');
    assert.equal(info.identitySha256, info.sha256);
    assert.match(formatParagraph(info.control), /Description: test module .*\n A tiny package/);
  }
});

test('_gpgorigin: gpgv accepts the debsigs signature; identity ignores it; dpkg still reads the .deb', async () => {
  const file = await makeDeb(dir, { name: 'python3-origin', version: '1.0-1' });
  const plain = await readFile(file);
  const signed = await addDebOrigin(plain, key);
  const resigned = await addDebOrigin(signed, key);
  assert.equal((await readDebInfo(signed)).identitySha256, (await readDebInfo(plain)).sha256);
  assert.equal((await readDebInfo(resigned)).identitySha256, (await readDebInfo(plain)).sha256);
  const out = path.join(dir, 'origin.deb');
  await writeFile(out, resigned);
  await writeFile(`${out}.data`, debOriginSignedData(resigned));
  await writeFile(`${out}.sig`, debOriginSignature(resigned)!);
  const keyring = path.join(dir, 'org.gpg');
  await execa('gpg', ['--batch', '--dearmor', '-o', keyring, publicFile], { env: { GNUPGHOME: dir } });
  const v = await execa('gpgv', ['--keyring', keyring, `${out}.sig`, `${out}.data`], { reject: false, all: true });
  assert.equal(v.exitCode, 0, String(v.all));
  assert.equal((await execa('dpkg-deb', ['--field', out, 'Package'])).stdout, 'python3-origin');
});

test('publish: idempotent re-publish, conflict on different content, retention prunes after publishing', async () => {
  const repoDir = path.join(dir, 'repo');
  const v1 = await makeDeb(path.join(dir, 'a'), { name: 'python3-ret', version: '1.0-1' });
  const v2 = await makeDeb(path.join(dir, 'b'), { name: 'python3-ret', version: '2.0-1' });
  const first = await publishPackages({ repoDir, files: [v1], key, codename: 'bookworm' }, env());
  assert.equal(first.added.length, 1);
  const inRelease = await readFile(path.join(repoDir, 'deb/dists/bookworm/InRelease'), 'utf8');
  const again = await publishPackages({ repoDir, files: [v1], key, codename: 'bookworm' }, env());
  assert.deepEqual([again.added.length, again.unchanged.length], [0, 1]);
  assert.equal(await readFile(path.join(repoDir, 'deb/dists/bookworm/InRelease'), 'utf8'), inRelease, 'a no-op writes nothing');

  const impostor = await makeDeb(path.join(dir, 'c'), { name: 'python3-ret', version: '1.0-1', body: 'EVIL = 1\n' });
  await assert.rejects(publishPackages({ repoDir, files: [impostor], key, codename: 'bookworm' }, env()),
    (e: unknown) => e instanceof Py2DistroError && e.code === 'E_REPO_CONFLICT');

  const pruned = await publishPackages({ repoDir, files: [v2], key, codename: 'bookworm', retention: 1 }, env());
  assert.deepEqual(pruned.pruned.map((p) => p.version), ['1.0-1']);
  assert.ok(!existsSync(path.join(repoDir, pruned.pruned[0]!.path)));
  const state = await readPublishedApt(path.join(repoDir, 'deb'), 'bookworm', key);
  assert.deepEqual(state.indexes.get('amd64')!.packages.all().map((e) => e.version), ['2.0-1']);
  assert.equal(state.origin, 'py2distro');
  const byHash = await readdir(path.join(repoDir, 'deb/dists/bookworm/main/binary-amd64/by-hash/SHA256'));
  assert.ok(byHash.length >= 4, 'previous generation kept under by-hash (Packages and Packages.gz of both)');

  await assert.rejects(publishPackages({ repoDir, files: [v2], key, codename: 'bookworm', origin: 'Other' }, env()),
    (e: unknown) => e instanceof Py2DistroError && e.code === 'E_REPO_CONFLICT' && /Origin/.test(e.message));
});

test('identical indexes of several architectures are one file (hard links); they part when an arch-specific package comes', async () => {
  const repoDir = path.join(dir, 'repo-arches');
  const dist = path.join(repoDir, 'deb/dists/bookworm/main');
  const inode = async (rel: string) => (await stat(path.join(dist, rel))).ino;
  const all = await makeDeb(path.join(dir, 'arches-all'), { name: 'python3-pure', version: '1.0-1' });
  await publishPackages({ repoDir, files: [all], key, codename: 'bookworm' }, env());
  for (const name of ['Packages', 'Packages.gz']) {
    assert.equal(await inode(`binary-amd64/${name}`), await inode(`binary-arm64/${name}`), `${name}: one file for both architectures`);
  }
  const amd64Text = await readFile(path.join(dist, 'binary-amd64/Packages'));
  const [object] = (await readdir(path.join(dist, 'binary-arm64/by-hash/SHA256'))).filter((f) => f === createHashHex(amd64Text));
  assert.ok(object, 'the arm64 by-hash object is there under the sha256 of the shared text');

  const native = await makeDeb(path.join(dir, 'arches-amd64'), { name: 'python3-native', version: '1.0-1', arch: 'amd64' });
  await publishPackages({ repoDir, files: [native], key, codename: 'bookworm' }, env());
  assert.notEqual(await inode('binary-amd64/Packages'), await inode('binary-arm64/Packages'));
  const state = await readPublishedApt(path.join(repoDir, 'deb'), 'bookworm', key);
  assert.deepEqual(state.indexes.get('amd64')!.packages.all().map((e) => e.package).sort(), ['python3-native', 'python3-pure']);
  assert.deepEqual(state.indexes.get('arm64')!.packages.all().map((e) => e.package), ['python3-pure']);
  // The arm64 index left as it was is still the file that was linked (not rewritten), and still verifies.
  assert.deepEqual(await readFile(path.join(dist, 'binary-arm64/Packages')), amd64Text);
});

test('the codename comes from --codename or the path; unknown paths are a usage error', async () => {
  const repoDir = path.join(dir, 'repo-infer');
  const file = await makeDeb(path.join(dir, 'debian-trixie'), { name: 'python3-infer', version: '1.0-1' });
  const r = await publishPackages({ repoDir, files: [file], key }, env());
  assert.equal(r.added[0]!.kind === 'deb' && r.added[0]!.codename, 'trixie');
  const other = await makeDeb(path.join(dir, 'nowhere'), { name: 'python3-infer2', version: '1.0-1' });
  await assert.rejects(publishPackages({ repoDir, files: [other], key }, env()), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_USAGE');
});

test('publishing leaves its inputs\' access times alone (O_NOATIME)', async (t) => {
  const deb = await makeDeb(path.join(dir, 'atime', 'debian-bookworm'), { name: 'python3-atime', version: '1.0-1' });
  const { utimes } = await import('node:fs/promises');
  const old = new Date('2001-01-01T00:00:00Z');
  const mtime = (await stat(deb)).mtime;
  // An access time older than the file's mtime: relatime updates it on the next ordinary read.
  await utimes(deb, old, mtime);
  await publishPackages({ repoDir: path.join(dir, 'atime-repo'), files: [deb], key }, env());
  const atimeAfterPublish = (await stat(deb)).atime.getTime();
  await readFile(deb); // the control: an ordinary read
  if ((await stat(deb)).atime.getTime() === old.getTime()) return t.skip('this file system does not record access times');
  assert.equal(atimeAfterPublish, old.getTime(), 'the publish updated the input\'s access time');
});
