/**
 * Incremental yum publishing (stages/publish/yum-generation.ts, yum-metadata.ts): only the new
 * packages are read (their blocks rendered as createrepo_c writes them, or by createrepo_c for a
 * header the renderer does not model), everything else is carried over from the verified previous
 * generation, and only the gzip members a change falls into are compressed again. Judged by
 * createrepo_c itself (a full run over the same files writes the same documents), dnf
 * (gpgcheck=1, repo_gpgcheck=1) and rpmkeys: the result must be what a full re-index gives, a
 * package file replaced on disk must never be re-read into signed metadata, an orphan of a killed
 * run must not be indexed in place of the signed package, and signed metadata whose three
 * documents disagree is refused before anything is signed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, readFile, readlink, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { runCli } from '../../../helpers/cli.ts';
import { makeOrgKey, makeRpm, withLegacySuggests } from '../../../helpers/packages.ts';
import { dnf, rpmSignedBy } from '../../../helpers/judges.ts';
import { parseSigningKey } from '../../../../src/stages/sign/key.ts';
import { signDetachedArmored } from '../../../../src/stages/sign/openpgp.ts';

const TARGET = 'fedora-41';
let dir: string;
let org: { file: string; publicFile: string; armored: string };
let n = 0;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-yum-incr-'));
  await chmod(dir, 0o755);
  org = await makeOrgKey(path.join(dir, 'keys'), 'rsa');
});

after(() => rm(dir, { recursive: true, force: true }));

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function publish(repo: string, files: string[], ...extra: string[]) {
  const r = await runCli(['repo', 'publish', repo, ...files, '--rpm-target', TARGET, '--sign-key', org.file, '--json', ...extra]);
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout) as { added: unknown[]; unchanged: unknown[]; pruned: Array<{ path: string }> };
}

async function rpm(name: string, version: string, module?: string, epoch?: number): Promise<string> {
  const inDir = path.join(dir, `in-${++n}`);
  await mkdir(inDir);
  return makeRpm(inDir, { name, version, ...(module ? { module } : {}), ...(epoch !== undefined ? { epoch } : {}) });
}

/** The live generation's three documents, as repomd.xml names them. */
async function liveDocs(repo: string): Promise<Record<'primary' | 'filelists' | 'other', string>> {
  const target = path.join(repo, 'rpm', TARGET);
  const gen = path.join(target, await readlink(path.join(target, 'repodata')));
  const repomd = await readFile(path.join(gen, 'repomd.xml'), 'utf8');
  const out = {} as Record<'primary' | 'filelists' | 'other', string>;
  for (const type of ['primary', 'filelists', 'other'] as const) {
    const name = new RegExp(`repodata/([0-9a-f]{64}-${type}\\.xml\\.gz)`).exec(repomd)![1]!;
    out[type] = gunzipSync(await readFile(path.join(gen, name))).toString('utf8');
  }
  return out;
}

/** The three documents of a full createrepo_c run over the listed files of the target. */
async function createrepoDocs(repo: string, files: string[]): Promise<Record<'primary' | 'filelists' | 'other', string>> {
  const list = path.join(dir, `pkglist-${++n}`);
  await writeFile(list, files.join('\n') + '\n');
  const ref = await mkdtemp(path.join(dir, 'ref-'));
  await execa('createrepo_c', ['--quiet', '--no-database', '--simple-md-filenames', '--pkglist', list, '--outputdir', ref, path.join(repo, 'rpm', TARGET)]);
  const out = {} as Record<'primary' | 'filelists' | 'other', string>;
  for (const type of ['primary', 'filelists', 'other'] as const) out[type] = gunzipSync(await readFile(path.join(ref, 'repodata', `${type}.xml.gz`))).toString('utf8');
  return out;
}

test('after incremental publishes the documents are the ones createrepo_c writes over all files; dnf lists every package', async () => {
  const repo = path.join(dir, 'incr');
  await publish(repo, [await rpm('python3-a', '1.0'), await rpm('python3-b', '1.0')]);
  await publish(repo, [await rpm('python3-c', '1.0')]);
  await publish(repo, [await rpm('python3-a', '2.0')]);
  const target = path.join(repo, 'rpm', TARGET);
  const files = ['python3-a-1.0-1', 'python3-a-2.0-1', 'python3-b-1.0-1', 'python3-c-1.0-1'].map((f) => `Packages/${f}.noarch.rpm`);
  const theirs = await createrepoDocs(repo, files);
  const ours = await liveDocs(repo);
  for (const type of ['primary', 'filelists', 'other'] as const) assert.equal(ours[type], theirs[type], `${type}.xml equals a full createrepo_c run`);
  const listed = await dnf(dir, repo, ['list', 'available', '--showduplicates'], org.publicFile);
  assert.equal(listed.exitCode, 0, listed.out);
  for (const [name, v] of [['python3-a', '1.0-1'], ['python3-a', '2.0-1'], ['python3-b', '1.0-1'], ['python3-c', '1.0-1']]) {
    assert.match(listed.out, new RegExp(`${name}\\.noarch\\s+${v.replace('.', '\\.')}`), `${name} ${v}`);
  }

  // Retention: the pruned package leaves the metadata and the disk; the rest is carried over.
  const pruned = await publish(repo, [await rpm('python3-a', '3.0')], '--retention', '1');
  assert.deepEqual(pruned.pruned.map((p) => p.path).sort(), [`rpm/${TARGET}/Packages/python3-a-1.0-1.noarch.rpm`, `rpm/${TARGET}/Packages/python3-a-2.0-1.noarch.rpm`]);
  assert.ok(!existsSync(path.join(target, 'Packages/python3-a-1.0-1.noarch.rpm')));
  const after = await dnf(dir, repo, ['list', 'available', '--showduplicates'], org.publicFile);
  assert.equal(after.exitCode, 0, after.out);
  assert.match(after.out, /python3-a\.noarch\s+3\.0-1/);
  assert.doesNotMatch(after.out, /python3-a\.noarch\s+[12]\.0-1/);
  assert.match(after.out, /python3-b\.noarch\s+1\.0-1/);
  assert.match(after.out, /python3-c\.noarch\s+1\.0-1/);
});

test('a package whose header the renderer does not model is indexed by createrepo_c; the documents are still a full run\'s', async () => {
  const repo = path.join(dir, 'fallback');
  const inDir = path.join(dir, `in-${++n}`);
  await mkdir(inDir);
  // rpm 4.11's legacy weak dependency tags (EL7): createrepo_c's business, not the renderer's.
  const legacy = await withLegacySuggests(await rpm('python3-legacy', '1.0'), 'python3-oldsug', path.join(inDir, 'python3-legacy-1.0-1.noarch.rpm'));
  await publish(repo, [await rpm('python3-plain', '1.0')]);
  const r = await runCli(['repo', 'publish', repo, legacy, await rpm('python3-plain', '2.0'), '--rpm-target', TARGET, '--sign-key', org.file, '--verbose']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stderr, /createrepo_c indexes Packages\/python3-legacy-1\.0-1\.noarch\.rpm\n/, 'only that package goes to createrepo_c');
  const files = ['python3-legacy-1.0-1', 'python3-plain-1.0-1', 'python3-plain-2.0-1'].map((f) => `Packages/${f}.noarch.rpm`);
  const theirs = await createrepoDocs(repo, files);
  const ours = await liveDocs(repo);
  for (const type of ['primary', 'filelists', 'other'] as const) assert.equal(ours[type], theirs[type], `${type}.xml equals a full createrepo_c run`);
  assert.match(ours.primary, /<rpm:suggests>\n {6}<rpm:entry name="python3-oldsug"\/>/);
  const listed = await dnf(dir, repo, ['list', 'available', '--showduplicates'], org.publicFile);
  assert.equal(listed.exitCode, 0, listed.out);
  assert.match(listed.out, /python3-legacy\.noarch\s+1\.0-1/);
  assert.match(listed.out, /python3-plain\.noarch\s+2\.0-1/);
});

test('a package whose text repository metadata cannot carry (a control character) is refused with E_PACKAGE_FORMAT; nothing is published', async () => {
  const repo = path.join(dir, 'control');
  await publish(repo, [await rpm('python3-before', '1.0')]);
  const target = path.join(repo, 'rpm', TARGET);
  const linkBefore = await readlink(path.join(target, 'repodata'));
  const inDir = path.join(dir, `in-${++n}`);
  await mkdir(inDir);
  await writeFile(path.join(inDir, 'odd.spec'), ['Name: python3-odd', 'Version: 1.0', 'Release: 1', 'Summary: odd', 'License: MIT', 'BuildArch: noarch',
    '%description', 'bell %{lua: print(string.char(7))} here', '%files', ''].join('\n'));
  await execa('rpmbuild', ['-bb', '--define', `_topdir ${path.join(inDir, 'top')}`, path.join(inDir, 'odd.spec')]);
  const r = await runCli(['repo', 'publish', repo, path.join(inDir, 'top', 'RPMS', 'noarch', 'python3-odd-1.0-1.noarch.rpm'), '--rpm-target', TARGET, '--sign-key', org.file]);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /E_PACKAGE_FORMAT.*control character \(0x07\)/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(await readlink(path.join(target, 'repodata')), linkBefore, 'no new generation');
  assert.ok(!existsSync(path.join(target, 'Packages', 'python3-odd-1.0-1.noarch.rpm')));
});

test('the same package again is unchanged; other content under a published name-version (or only another epoch) is E_REPO_CONFLICT, nothing written', async () => {
  const repo = path.join(dir, 'conflict');
  const first = await rpm('python3-same', '1.0');
  await publish(repo, [first]);
  const target = path.join(repo, 'rpm', TARGET);
  const linkBefore = await readlink(path.join(target, 'repodata'));
  const again = await publish(repo, [first]);
  assert.equal(again.added.length, 0);
  assert.equal(again.unchanged.length, 1);
  assert.equal(await readlink(path.join(target, 'repodata')), linkBefore, 'a no-op writes no generation');
  for (const [why, other] of [['other content', await rpm('python3-same', '1.0', 'changed')], ['another epoch, the same file name', await rpm('python3-same', '1.0', undefined, 1)]] as const) {
    const r = await runCli(['repo', 'publish', repo, other, await rpm('python3-innocent', '1.0'), '--rpm-target', TARGET, '--sign-key', org.file]);
    assert.equal(r.exitCode, 1, `${why}: ${r.stderr}`);
    assert.match(r.stderr, /E_REPO_CONFLICT/, why);
    assert.match(r.stderr, /python3-same-[01]:1\.0-1\.noarch \(fedora-41\) would replace Packages\/python3-same-1\.0-1\.noarch\.rpm/, why);
    assert.equal(await readlink(path.join(target, 'repodata')), linkBefore, `${why}: no new generation`);
    assert.ok(!existsSync(path.join(target, 'Packages', 'python3-innocent-1.0-1.noarch.rpm')), `${why}: nothing of the refused publish is written`);
  }
});

test('a published .rpm replaced on disk is never re-read into signed metadata; dnf refuses the replacement', async () => {
  const repo = path.join(dir, 'replaced');
  await publish(repo, [await rpm('python3-victim', '1.0')]);
  const file = path.join(repo, 'rpm', TARGET, 'Packages/python3-victim-1.0-1.noarch.rpm');
  const published = sha256(await readFile(file));
  // Same name, version and file name, other content, a new mtime: what `createrepo_c --update` re-reads.
  await copyFile(await rpm('python3-victim', '1.0', 'evil'), file);
  const later = new Date(Date.now() + 5000);
  await utimes(file, later, later);
  assert.notEqual(sha256(await readFile(file)), published);
  await publish(repo, [await rpm('python3-other', '1.0')]);
  const primary = (await liveDocs(repo)).primary;
  assert.match(primary, new RegExp(`<checksum type="sha256" pkgid="YES">${published}</checksum>`), 'the signed checksum is the published one');
  assert.doesNotMatch(primary, /evil\.py/);
  assert.doesNotMatch((await liveDocs(repo)).filelists, /evil\.py/);
  const dl = await dnf(dir, repo, ['install', '--downloadonly', `--downloaddir=${path.join(dir, 'dl-victim')}`, 'python3-victim'], org.publicFile);
  assert.notEqual(dl.exitCode, 0, dl.out);
  const ok = await dnf(dir, repo, ['install', '--downloadonly', `--downloaddir=${path.join(dir, 'dl-other')}`, 'python3-other'], org.publicFile);
  assert.equal(ok.exitCode, 0, ok.out);
});

test('an orphan under a new package\'s name (a killed run) is replaced by the signed package, and that is what is indexed', async () => {
  const repo = path.join(dir, 'orphan');
  await publish(repo, [await rpm('python3-first', '1.0')]);
  const orphan = path.join(repo, 'rpm', TARGET, 'Packages/python3-late-1.0-1.noarch.rpm');
  await copyFile(await rpm('python3-late', '1.0', 'stale'), orphan); // unsigned, other content
  const r = await publish(repo, [await rpm('python3-late', '1.0')]);
  assert.equal(r.added.length, 1);
  assert.ok(await rpmSignedBy(dir, orphan, org.publicFile), 'the file is now the signed package');
  assert.match((await liveDocs(repo)).primary, new RegExp(`pkgid="YES">${sha256(await readFile(orphan))}<`));
  assert.doesNotMatch((await liveDocs(repo)).filelists, /stale\.py/);
  const dl = await dnf(dir, repo, ['install', '--downloadonly', `--downloaddir=${path.join(dir, 'dl-late')}`, 'python3-late'], org.publicFile);
  assert.equal(dl.exitCode, 0, dl.out);
});

test('org-signed metadata whose filelists.xml disagrees with primary.xml is refused; nothing is signed', async () => {
  const repo = path.join(dir, 'disagree');
  await publish(repo, [await rpm('python3-x', '1.0'), await rpm('python3-y', '1.0')]);
  const target = path.join(repo, 'rpm', TARGET);
  const gen = path.join(target, await readlink(path.join(target, 'repodata')));
  const repomdFile = path.join(gen, 'repomd.xml');
  let repomd = await readFile(repomdFile, 'utf8');
  // Swap the two packages' filelists entries (files of x attributed to y), then re-sign as a bug would.
  const docs = await liveDocs(repo);
  const [head, x, yAndClose] = docs.filelists.split(/(?=<package pkgid=)/) as [string, string, string];
  const swapped = `${head}${yAndClose.replace('</filelists>', '')}${x}</filelists>`;
  assert.notEqual(swapped, docs.filelists);
  const gz = gzipSync(swapped);
  const old = /<data type="filelists">[\s\S]*?<\/data>/.exec(repomd)![0];
  const oldName = /repodata\/([0-9a-f]{64}-filelists\.xml\.gz)/.exec(old)![1]!;
  await writeFile(path.join(gen, `${sha256(gz)}-filelists.xml.gz`), gz);
  repomd = repomd.replace(old, old.replaceAll(oldName.slice(0, 64), sha256(gz)).replace(/<size>\d+</, `<size>${gz.length}<`)
    .replace(/<open-checksum type="sha256">[0-9a-f]{64}</, `<open-checksum type="sha256">${sha256(swapped)}<`).replace(/<open-size>\d+</, `<open-size>${Buffer.byteLength(swapped)}<`));
  await writeFile(repomdFile, repomd);
  await writeFile(`${repomdFile}.asc`, await signDetachedArmored(Buffer.from(repomd), await parseSigningKey(org.armored, undefined)));
  const ascBefore = await readFile(`${repomdFile}.asc`);
  const linkBefore = await readlink(path.join(target, 'repodata'));
  const r = await runCli(['repo', 'publish', repo, await rpm('python3-z', '1.0'), '--rpm-target', TARGET, '--sign-key', org.file]);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /E_REPO_CORRUPT/);
  assert.match(r.stderr, /same order/);
  assert.equal(await readlink(path.join(target, 'repodata')), linkBefore, 'no new generation');
  assert.deepEqual(await readFile(`${repomdFile}.asc`), ascBefore);
});
