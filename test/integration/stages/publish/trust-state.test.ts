/**
 * State read back from a repository is verified before use (issue 10, items 2–4 and 8): a planted
 * apt index never becomes org-signed, a planted rpm never enters the yum metadata, pruning never
 * deletes outside the repository (even through an index the org key signed), `foo 1:2.0` and
 * `foo 2.0` get their own pool files, and client-config points dnf at a local key file.
 * Judges: apt-get, gpgv, dnf, rpmkeys.
 */
import assert from 'node:assert/strict';
import { chmod, cp, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { openpgp } from '../../../../src/lib/openpgp.js';
import { runCli } from '../../../helpers/cli.ts';
import { makeDeb, makeOrgKey, makeRpm, privateApt } from '../../../helpers/packages.ts';
import { dnf, gpgv, rpmSignedBy } from '../../../helpers/judges.ts';
import { parseSigningKey } from '../../../../src/stages/sign/key.ts';
import { clearsign } from '../../../../src/stages/sign/openpgp.ts';

const TARGET = 'fedora-41';
let dir: string;
let org: { file: string; publicFile: string; armored: string };
let n = 0;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-trust-state-'));
  await chmod(dir, 0o755);
  org = await makeOrgKey(path.join(dir, 'keys'), 'rsa');
});

after(() => rm(dir, { recursive: true, force: true }));

async function honestRepo(): Promise<string> {
  const repo = path.join(dir, `repo-${++n}`);
  const deb = await makeDeb(path.join(dir, `in-${n}`, 'debian-bookworm'), { name: 'python3-honest', version: '1.0-1' });
  const rpm = await makeRpm(path.join(dir, `in-${n}`), { name: 'python3-honest', version: '1.0' });
  const r = await runCli(['repo', 'publish', repo, deb, rpm, '--codename', 'bookworm', '--rpm-target', TARGET, '--sign-key', org.file]);
  assert.equal(r.exitCode, 0, r.stderr);
  return repo;
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Rewrite every Packages variant (plain and by-hash) and the Release as an attacker with write access would. */
async function rewriteIndex(repo: string, edit: (packages: string) => string, sign?: (release: string) => Promise<string>): Promise<void> {
  const dist = path.join(repo, 'deb/dists/bookworm');
  let release = await readFile(path.join(dist, 'Release'), 'utf8');
  for (const arch of ['amd64', 'arm64']) {
    const archDir = path.join(dist, `main/binary-${arch}`);
    const text = edit(await readFile(path.join(archDir, 'Packages'), 'utf8'));
    const variants: Array<[string, Buffer]> = [['Packages', Buffer.from(text)], ['Packages.gz', gzipSync(text)],
      ['Packages.xz', (await execa('xz', ['-c'], { input: text, encoding: 'buffer' })).stdout as unknown as Buffer]];
    for (const [name, data] of variants) {
      await writeFile(path.join(archDir, name), data);
      await writeFile(path.join(archDir, 'by-hash/SHA256', sha256(data)), data);
      release = release.replace(new RegExp(`[0-9a-f]{64}\\s+\\d+ main/binary-${arch}/${name.replace('.', '\\.')}\\n`),
        `${sha256(data)} ${String(data.length).padStart(16)} main/binary-${arch}/${name}\n`);
    }
  }
  await writeFile(path.join(dist, 'Release'), release);
  await writeFile(path.join(dist, 'InRelease'), sign ? await sign(release) : release);
}

function refusedCorrupt(r: { exitCode: number; stderr: string }): void {
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /E_REPO_CORRUPT/);
  assert.match(r.stderr, /Nothing was signed/);
}

test('a planted apt package is never org-signed: publish and resign refuse; apt trusting the org key refuses it', async () => {
  const repo = await honestRepo();
  const evil = await makeDeb(path.join(dir, 'evil'), { name: 'python3-honest', version: '9.9-1', body: 'EVIL = 1\n' });
  const pool = path.join(repo, 'deb/pool/bookworm/main/p/python3-honest_9.9-1_all.deb');
  await cp(evil, pool);
  const info = await execa('apt-ftparchive', ['packages', 'pool/bookworm/main/p/python3-honest_9.9-1_all.deb'], { cwd: path.join(repo, 'deb') });
  const attacker = await makeOrgKey(path.join(dir, 'attacker'), 'rsa');
  const attackerKey = await parseSigningKey(attacker.armored, undefined);
  for (const sign of [undefined, (text: string) => clearsign(text, attackerKey)]) {
    await rewriteIndex(repo, (p) => `${p}\n${info.stdout.trim()}\n`, sign);
    const planted = await readFile(path.join(repo, 'deb/dists/bookworm/InRelease'));
    const good = await makeDeb(path.join(dir, `good-${n}`, 'debian-bookworm'), { name: 'python3-good', version: '1.0-1' });
    refusedCorrupt(await runCli(['repo', 'publish', repo, good, '--sign-key', org.file]));
    refusedCorrupt(await runCli(['repo', 'resign', repo, '--sign-key', org.file]));
    assert.deepEqual(await readFile(path.join(repo, 'deb/dists/bookworm/InRelease')), planted, 'nothing re-signed');
    assert.equal((await gpgv(org.publicFile, path.join(repo, 'deb/dists/bookworm/InRelease'))).ok, false);
  }
  const cc = await runCli(['repo', 'client-config', repo, '--url', `file://${repo}`, '--key', org.publicFile, '--json']);
  const apt = await privateApt(path.join(dir, 'apt-planted'), JSON.parse(cc.stdout).sources);
  const update = await apt.aptGet(['update']);
  assert.notEqual(update.exitCode, 0, String(update.all));
  const madison = await execa('apt-cache', ['madison', 'python3-honest'], { env: apt.env, reject: false });
  assert.doesNotMatch(madison.stdout, /9\.9-1/);
});

test('yum: a planted rpm never enters the signed metadata; a forged repomd is refused', async () => {
  const repo = await honestRepo();
  const target = path.join(repo, 'rpm', TARGET);
  const genDir = path.join(target, await readlink(path.join(target, 'repodata')));
  const evil = await makeRpm(path.join(dir, `in-${n}`), { name: 'python3-evil', version: '6.6' });
  await cp(evil, path.join(target, 'Packages', path.basename(evil)));
  // The unsigned list earlier versions trusted: listing the planted rpm there changes nothing now.
  const listFile = path.join(genDir, 'py2distro-packages.json');
  await writeFile(listFile, JSON.stringify([{ name: 'python3-evil', version: '6.6', release: '1', arch: 'noarch', file: `Packages/${path.basename(evil)}`, contentSha256: '0'.repeat(64) }]));
  const good = await makeRpm(path.join(dir, `in-${n}`), { name: 'python3-good', version: '1.0' });
  const r = await runCli(['repo', 'publish', repo, good, '--rpm-target', TARGET, '--sign-key', org.file]);
  assert.equal(r.exitCode, 0, r.stderr);
  const listed = await dnf(dir, repo, ['list', 'available'], org.publicFile);
  assert.equal(listed.exitCode, 0, listed.out);
  assert.match(listed.out, /python3-good\.noarch/);
  assert.match(listed.out, /python3-honest\.noarch/);
  assert.doesNotMatch(listed.out, /python3-evil/);
  assert.equal(await rpmSignedBy(dir, path.join(target, 'Packages', path.basename(evil)), org.publicFile), false);

  // A forged primary.xml with a matching repomd.xml (the attacker cannot sign it). The primary to
  // replace is the one repomd.xml names: the live generation also holds the previous generation's
  // data files (hard-linked for clients mid-update), so a directory listing finds more than one.
  const live = path.join(target, await readlink(path.join(target, 'repodata')));
  const repomdFile = path.join(live, 'repomd.xml');
  const repomd = await readFile(repomdFile, 'utf8');
  const primaryName = /<data type="primary">[\s\S]*?<location href="repodata\/([0-9a-f]{64}-primary\.xml\.gz)"\/>/.exec(repomd)?.[1];
  assert.ok(primaryName && (await readdir(live)).includes(primaryName), `repomd.xml names a primary in ${live}`);
  assert.ok((await gpgv(org.publicFile, `${repomdFile}.asc`, repomdFile)).ok, 'the honest repomd.xml verifies');
  const forged = gzipSync('<?xml version="1.0" encoding="UTF-8"?>\n<metadata xmlns="http://linux.duke.edu/metadata/common" packages="0">\n</metadata>\n');
  const forgedName = `${sha256(forged)}-primary.xml.gz`;
  await writeFile(path.join(live, forgedName), forged);
  const forgedRepomd = repomd.replaceAll(primaryName.slice(0, 64), sha256(forged));
  assert.notEqual(forgedRepomd, repomd, 'the forgery changes repomd.xml');
  await writeFile(repomdFile, forgedRepomd);
  assert.equal((await gpgv(org.publicFile, `${repomdFile}.asc`, repomdFile)).ok, false, 'the old signature no longer matches');
  const ascBefore = await readFile(`${repomdFile}.asc`);
  const again = await makeRpm(path.join(dir, `in-${n}`), { name: 'python3-again', version: '1.0' });
  refusedCorrupt(await runCli(['repo', 'publish', repo, again, '--rpm-target', TARGET, '--sign-key', org.file]));
  refusedCorrupt(await runCli(['repo', 'resign', repo, '--sign-key', org.file]));
  assert.deepEqual(await readFile(`${repomdFile}.asc`), ascBefore);
  assert.notEqual((await dnf(dir, repo, ['list', 'available'], org.publicFile)).exitCode, 0, 'dnf refuses the forged metadata');
});

test('pruning never deletes outside the repository: symlinked pool dirs, and Filename "../" even in an org-signed index', async () => {
  const repo = await honestRepo();
  const victimDir = path.join(dir, `victim-${n}`);
  await mkdir(victimDir);
  const victim = path.join(victimDir, 'python3-honest_1.0-1_all.deb');
  await writeFile(victim, 'precious');
  const poolDir = path.join(repo, 'deb/pool/bookworm/main/p');
  await rm(poolDir, { recursive: true });
  await symlink(victimDir, poolDir);
  const v2 = await makeDeb(path.join(dir, `v2-${n}`, 'debian-bookworm'), { name: 'python3-honest', version: '2.0-1' });
  refusedCorrupt(await runCli(['repo', 'publish', repo, v2, '--retention', '1', '--sign-key', org.file]));
  assert.equal(await readFile(victim, 'utf8'), 'precious');

  // yum: Packages/ replaced by a link to the victim's directory.
  const rpmVictim = path.join(victimDir, 'python3-honest-1.0-1.noarch.rpm');
  await writeFile(rpmVictim, 'precious');
  await rm(path.join(repo, 'rpm', TARGET, 'Packages'), { recursive: true });
  await symlink(victimDir, path.join(repo, 'rpm', TARGET, 'Packages'));
  const r2 = await makeRpm(path.join(dir, `v2-${n}`), { name: 'python3-honest', version: '2.0' });
  refusedCorrupt(await runCli(['repo', 'publish', repo, r2, '--rpm-target', TARGET, '--retention', '1', '--sign-key', org.file]));
  assert.equal(await readFile(rpmVictim, 'utf8'), 'precious');

  // An index that even carries a valid org signature (a bug, a stolen moment of the key) may not name "../".
  const clean = await honestRepo();
  const key = await parseSigningKey(org.armored, undefined);
  const outside = path.join(dir, 'outside.deb');
  await writeFile(outside, 'precious');
  const climb = path.relative(path.join(clean, 'deb'), outside);
  await rewriteIndex(clean, (p) => p.replace(/^Filename: .*$/m, `Filename: pool/bookworm/main/p/${climb}`), (t) => clearsign(t, key));
  assert.ok((await gpgv(org.publicFile, path.join(clean, 'deb/dists/bookworm/InRelease'))).ok, 'the crafted InRelease does verify');
  const v2b = await makeDeb(path.join(dir, `v2b-${n}`, 'debian-bookworm'), { name: 'python3-honest', version: '2.0-1' });
  const r = await runCli(['repo', 'publish', clean, v2b, '--retention', '1', '--sign-key', org.file]);
  refusedCorrupt(r);
  assert.match(r.stderr, /outside the pool layout/);
  assert.equal(await readFile(outside, 'utf8'), 'precious');
});

test('epochs: foo 1:2.0 and foo 2.0 get separate pool files and apt downloads both without a hash mismatch', async () => {
  const repo = path.join(dir, 'epoch');
  const withEpoch = await makeDeb(path.join(dir, 'ep1', 'debian-bookworm'), { name: 'python3-ep', version: '1:2.0-1', body: 'E = 1\n' });
  const without = await makeDeb(path.join(dir, 'ep0', 'debian-bookworm'), { name: 'python3-ep', version: '2.0-1', body: 'E = 0\n' });
  for (const deb of [withEpoch, without]) {
    const r = await runCli(['repo', 'publish', repo, deb, '--sign-key', org.file, '--json']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).added.length, 1);
  }
  const pool = (await readdir(path.join(repo, 'deb/pool/bookworm/main/p'))).filter((f) => f.startsWith('python3-ep_'));
  assert.deepEqual(pool.sort(), ['python3-ep_1:2.0-1_all.deb', 'python3-ep_2.0-1_all.deb']);
  const cc = await runCli(['repo', 'client-config', repo, '--url', `file://${repo}`, '--json']);
  const apt = await privateApt(path.join(dir, 'apt-epoch'), JSON.parse(cc.stdout).sources);
  assert.equal((await apt.aptGet(['update'])).exitCode, 0);
  const dl = path.join(dir, 'epoch-dl');
  await mkdir(dl);
  for (const v of ['1:2.0-1', '2.0-1']) {
    const r = await execa('apt-get', ['download', `python3-ep=${v}`], { env: apt.env, cwd: dl, reject: false, all: true });
    assert.equal(r.exitCode, 0, String(r.all));
    assert.doesNotMatch(String(r.all), /Hash Sum mismatch/);
  }
  const versions = await Promise.all((await readdir(dl)).map(async (f) => (await execa('dpkg-deb', ['-f', path.join(dl, f), 'Version'])).stdout));
  assert.deepEqual(versions.sort(), ['1:2.0-1', '2.0-1']);
});

test('client-config: dnf gets a local key file (gpgkey=file://), never the repository URL; the fingerprint is printed', async () => {
  const repo = await honestRepo();
  const r = await runCli(['repo', 'client-config', repo, '--url', 'http://repo.example.org/org']);
  assert.equal(r.exitCode, 0, r.stderr);
  const fpr = (await openpgp.readKey({ armoredKey: await readFile(org.publicFile, 'utf8') })).getFingerprint().toUpperCase();
  assert.match(r.stdout, new RegExp(`org key fingerprint: ${fpr}`));
  assert.match(r.stdout, /^gpgkey=file:\/\/\/etc\/pki\/rpm-gpg\/RPM-GPG-KEY-py2distro$/m);
  assert.doesNotMatch(r.stdout, /gpgkey=https?:/);
  const key = await runCli(['repo', 'client-config', repo, '--url', 'http://repo.example.org/org', '--only', 'key']);
  const shown = await execa('gpg', ['--show-keys', '--with-colons'], { input: key.stdout });
  assert.match(shown.stdout, new RegExp(`^fpr:+${fpr}:`, 'm'), 'gpg: the key file is the org key');
  // --key takes the org key from a trusted file, not from the repository.
  const other = await makeOrgKey(path.join(dir, 'other'), 'ed25519');
  await cp(other.publicFile, path.join(repo, 'rpm', 'key.asc'));
  await cp(other.publicFile, path.join(repo, 'deb', 'key.asc'));
  const pinned = JSON.parse((await runCli(['repo', 'client-config', repo, '--url', 'http://x/', '--key', org.publicFile, '--json'])).stdout);
  assert.equal(pinned.fingerprint, fpr);
});
