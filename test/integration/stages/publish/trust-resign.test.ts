/**
 * `repo resign` is no signing oracle (issue 10, item 1), keys rotate only through explicitly
 * configured previous keys, and a repository published by the previous py2distro (a45a905) is
 * accepted as is. Judges: gpgv (what apt runs), apt-get, dnf and rpmkeys.
 */
import assert from 'node:assert/strict';
import { chmod, cp, mkdir, mkdtemp, readFile, readlink, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { ROOT, runCli } from '../../../helpers/cli.ts';
import { makeDeb, makeOrgKey, makeRpm, privateApt } from '../../../helpers/packages.ts';
import { dnf, gpgv, rpmSignedBy } from '../../../helpers/judges.ts';

const TARGET = 'fedora-41';
let dir: string;
let honest: string;
let orgA: { file: string; publicFile: string };
let orgB: { file: string; publicFile: string };
let n = 0;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-trust-resign-'));
  await chmod(dir, 0o755);
  orgA = await makeOrgKey(path.join(dir, 'keys-a'), 'rsa');
  orgB = await makeOrgKey(path.join(dir, 'keys-b'), 'ed25519');
  honest = path.join(dir, 'honest');
  const deb = await makeDeb(path.join(dir, 'debian-bookworm'), { name: 'python3-honest', version: '1.0-1' });
  const rpm = await makeRpm(dir, { name: 'python3-honest', version: '1.0' });
  const r = await runCli(['repo', 'publish', honest, deb, rpm, '--codename', 'bookworm', '--rpm-target', TARGET, '--sign-key', orgA.file]);
  assert.equal(r.exitCode, 0, r.stderr);
});

after(() => rm(dir, { recursive: true, force: true }));

async function copyOf(repo: string): Promise<string> {
  const copy = path.join(dir, `copy-${++n}`, 'repo');
  await cp(repo, copy, { recursive: true, verbatimSymlinks: true });
  return copy;
}

const inRelease = (repo: string) => path.join(repo, 'deb/dists/bookworm/InRelease');

function refusedCorrupt(r: { exitCode: number; stderr: string }): void {
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /E_REPO_CORRUPT/);
  assert.match(r.stderr, /Nothing was signed\. Restore the repository from a backup, or move it aside and publish again/);
}

test('resign refuses a repodata link that leads out of the repository; nothing is signed, apt state intact', async () => {
  const repo = await copyOf(honest);
  const before = await readFile(inRelease(repo));
  // A forged apt Release waiting for the org signature, outside the repository.
  const elsewhere = path.join(path.dirname(repo), 'elsewhere');
  await mkdir(elsewhere);
  const forged = 'Origin: Evil\nLabel: Evil\nSuite: bookworm\nCodename: bookworm\nArchitectures: amd64\nComponents: main\nSHA256:\n';
  await writeFile(path.join(elsewhere, 'repomd.xml'), forged);
  const link = path.join(repo, 'rpm', TARGET, 'repodata');
  const generation = await readlink(link);
  await unlink(link);
  await symlink('../../../elsewhere', link);
  refusedCorrupt(await runCli(['repo', 'resign', repo, '--sign-key', orgA.file]));
  assert.ok(!existsSync(path.join(elsewhere, 'repomd.xml.asc')), 'no signature written outside the repository');
  assert.deepEqual(await readFile(inRelease(repo)), before, 'apt InRelease not re-signed either');
  assert.ok((await gpgv(orgA.publicFile, inRelease(repo))).ok, 'gpgv: the previous InRelease still verifies');

  // A generation-named link that is itself a symlink out of the repository.
  await unlink(link);
  await symlink(generation.replace(/-\d+$/, '-1'), link);
  await symlink(elsewhere, path.join(repo, 'rpm', TARGET, generation.replace(/-\d+$/, '-1')));
  refusedCorrupt(await runCli(['repo', 'resign', repo, '--sign-key', orgA.file]));
  assert.ok(!existsSync(path.join(elsewhere, 'repomd.xml.asc')));
});

test('resign refuses to sign a repomd.xml replaced by other bytes (a Release, an rpm header)', async () => {
  const repo = await copyOf(honest);
  const genDir = path.join(repo, 'rpm', TARGET, await readlink(path.join(repo, 'rpm', TARGET, 'repodata')));
  const ascBefore = await readFile(path.join(genDir, 'repomd.xml.asc'));
  // The header of an attacker's rpm: the bytes `rpm -K` would check a header-only signature over.
  const evilRpm = await makeRpm(dir, { name: 'python3-evil', version: '6.6' });
  const bytes = await readFile(evilRpm);
  await writeFile(path.join(genDir, 'repomd.xml'), bytes.subarray(96));
  refusedCorrupt(await runCli(['repo', 'resign', repo, '--sign-key', orgA.file]));
  assert.deepEqual(await readFile(path.join(genDir, 'repomd.xml.asc')), ascBefore);
  assert.equal(await rpmSignedBy(dir, evilRpm, orgA.publicFile), false, 'rpmkeys: the attacker rpm is not org-signed');
  const gv = await gpgv(orgA.publicFile, path.join(genDir, 'repomd.xml.asc'), path.join(genDir, 'repomd.xml'));
  assert.equal(gv.ok, false, 'gpgv: no org signature over the replaced bytes');
});

test('rotation: a new key alone is refused; with --previous-key it takes over, judged by gpgv and dnf', async () => {
  const repo = await copyOf(honest);
  const before = await readFile(inRelease(repo));
  const alone = await runCli(['repo', 'resign', repo, '--sign-key', orgB.file]);
  refusedCorrupt(alone);
  assert.match(alone.stderr, /not signed by the org key/);
  assert.deepEqual(await readFile(inRelease(repo)), before);
  // The key exported in the repository is no trust anchor: replacing it changes nothing.
  await cp(orgB.publicFile, path.join(repo, 'deb', 'key.asc'));
  refusedCorrupt(await runCli(['repo', 'resign', repo, '--sign-key', orgB.file]));

  const rotated = await runCli(['repo', 'resign', repo, '--sign-key', orgB.file, '--previous-key', orgA.publicFile, '--json']);
  assert.equal(rotated.exitCode, 0, rotated.stderr);
  assert.deepEqual(JSON.parse(rotated.stdout).rpmTargets, [TARGET]);
  assert.ok((await gpgv(orgB.publicFile, inRelease(repo))).ok, 'gpgv: InRelease signed by the new key');
  assert.ok((await gpgv(orgB.publicFile, path.join(repo, 'deb/dists/bookworm/Release.gpg'), path.join(repo, 'deb/dists/bookworm/Release'))).ok);
  assert.equal((await gpgv(orgA.publicFile, inRelease(repo))).ok, false);
  const listed = await dnf(dir, repo, ['list', 'available'], orgB.publicFile);
  assert.equal(listed.exitCode, 0, listed.out);
  assert.match(listed.out, /python3-honest\.noarch\s+1\.0-1/);
  // From now on the new key alone is enough.
  const deb = await makeDeb(path.join(dir, 'rot', 'debian-bookworm'), { name: 'python3-rotated', version: '1.0-1' });
  const r = await runCli(['repo', 'publish', repo, deb, '--sign-key', orgB.file]);
  assert.equal(r.exitCode, 0, r.stderr);
});

test('a repository published by py2distro a45a905 is resigned and extended as is; apt and dnf accept it', async () => {
  const fixture = path.join(ROOT, 'test/fixtures/legacy-repo-a45a905');
  const repo = await copyOf(path.join(fixture, 'repo'));
  const key = path.join(path.dirname(repo), 'org.asc');
  await cp(path.join(fixture, 'org-key.TEST-ONLY.asc'), key);
  await chmod(key, 0o600);
  const pub = path.join(fixture, 'org-key.pub.asc');
  const resign = await runCli(['repo', 'resign', repo, '--sign-key', key, '--json']);
  assert.equal(resign.exitCode, 0, resign.stderr);
  assert.deepEqual(JSON.parse(resign.stdout).codenames.map((c: { codename: string }) => c.codename), ['bookworm']);
  assert.ok((await gpgv(pub, inRelease(repo))).ok);

  // Its pool names carry no epoch: python3-legacy 1:2.0-1 lives in python3-legacy_2.0-1_all.deb of
  // the old layout. python3-legacy 2.0-1 now gets a file of its own in the current layout; the
  // file the old index names is never touched.
  const legacyFile = path.join(repo, 'deb/pool/main/p/python3-legacy/bookworm/python3-legacy_2.0-1_all.deb');
  const legacyBytes = await readFile(legacyFile);
  const noEpoch = await makeDeb(path.join(dir, 'legacy', 'debian-bookworm'), { name: 'python3-legacy', version: '2.0-1' });
  const beside = await runCli(['repo', 'publish', repo, noEpoch, '--sign-key', key, '--json']);
  assert.equal(beside.exitCode, 0, beside.stderr);
  assert.deepEqual(JSON.parse(beside.stdout).added.map((a: { path: string }) => a.path), ['deb/pool/bookworm/main/p/python3-legacy_2.0-1_all.deb']);
  assert.deepEqual(await readFile(legacyFile), legacyBytes);
  const deb = await makeDeb(path.join(dir, 'legacy3', 'debian-bookworm'), { name: 'python3-legacy', version: '3.0-1' });
  const rpm = await makeRpm(path.join(dir, 'legacy3'), { name: 'python3-legacy', version: '3.0' });
  const added = await runCli(['repo', 'publish', repo, deb, rpm, '--rpm-target', TARGET, '--sign-key', key, '--json']);
  assert.equal(added.exitCode, 0, added.stderr);
  assert.equal(JSON.parse(added.stdout).added.length, 2);

  const cc = await runCli(['repo', 'client-config', repo, '--url', `file://${repo}`, '--key', pub, '--json']);
  const apt = await privateApt(path.join(dir, 'apt-legacy'), JSON.parse(cc.stdout).sources);
  const update = await apt.aptGet(['update']);
  assert.equal(update.exitCode, 0, String(update.all));
  const madison = await execa('apt-cache', ['madison', 'python3-legacy'], { env: apt.env });
  assert.match(madison.stdout, /1:2\.0-1/);
  assert.match(madison.stdout, /\| +2\.0-1 \|/);
  assert.match(madison.stdout, /3\.0-1/);
  const listed = await dnf(dir, repo, ['list', 'available', '--showduplicates'], pub);
  assert.equal(listed.exitCode, 0, listed.out);
  assert.match(listed.out, /2\.0-1/);
  assert.match(listed.out, /3\.0-1/);
});
