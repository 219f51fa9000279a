/**
 * `py2distro repo publish` into an apt repository, judged by apt: a clean bookworm container that
 * trusts only the org key installs a package and imports its module; a private host apt refuses
 * the repository when Packages is tampered with, when Valid-Until has passed, and when it trusts
 * another key — and accepts it again after `repo resign`.
 */
import assert from 'node:assert/strict';
import { chmod, cp, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { runCli, ROOT } from '../../../helpers/cli.ts';
import { makeDeb, makeOrgKey, privateApt } from '../../../helpers/packages.ts';
import { publishPackages } from '../../../../src/stages/publish/publish.ts';
import { parseSigningKey } from '../../../../src/stages/sign/key.ts';
import { silentLogger } from '../../../../src/lib/log.ts';

const PASSPHRASE = 'org-secret-passphrase-42';
let dir: string;
let repo: string;
let keyFile: string;
let env: Record<string, string>;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-publish-apt-'));
  await chmod(dir, 0o755); // apt's sandbox user (_apt) reads file:// repositories
  repo = path.join(dir, 'repo');
  keyFile = (await makeOrgKey(path.join(dir, 'keys'), 'rsa', PASSPHRASE)).file;
  env = { PY2DISTRO_SIGN_PASSPHRASE: PASSPHRASE };
});

after(() => rm(dir, { recursive: true, force: true }));

async function sourcesFor(repoDir: string, extra: string[] = []): Promise<string> {
  const r = await runCli(['repo', 'client-config', repoDir, '--url', `file://${repoDir}`, '--json', ...extra]);
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout).sources as string;
}

test('publish: several codenames side by side, passphrase never printed, re-publish is a no-op', async () => {
  const alpha = await makeDeb(path.join(dir, 'debian-bookworm'), { name: 'python3-alpha', version: '1.0-1', module: 'alpha' });
  const gamma = await makeDeb(path.join(dir, 'debian-bookworm'), { name: 'python3-gamma', version: '0.3-1', arch: 'amd64', compression: 'zstd' });
  const trixie = await makeDeb(path.join(dir, 'debian-trixie'), { name: 'python3-alpha', version: '1.0-1', module: 'alpha', body: 'TRIXIE = 1\n' });
  const noble = await makeDeb(path.join(dir, 'ubuntu-noble'), { name: 'python3-alpha', version: '1.0-1', module: 'alpha', body: 'NOBLE = 1\n' });
  const r = await runCli(['repo', 'publish', repo, alpha, gamma, trixie, noble, '--sign-key', keyFile, '--origin', 'Example Org', '--label', 'Example', '--json', '-v'], { env });
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(PASSPHRASE));
  const j = JSON.parse(r.stdout);
  assert.equal(j.added.length, 4);
  assert.deepEqual([...new Set(j.added.map((a: { codename: string }) => a.codename))].sort(), ['bookworm', 'noble', 'trixie']);
  assert.deepEqual((await readdir(path.join(repo, 'deb/dists'))).sort(), ['bookworm', 'noble', 'trixie']);
  for (const f of ['key.asc', 'key.gpg']) assert.ok((await readFile(path.join(repo, 'deb', f))).length > 100);
  const release = await readFile(path.join(repo, 'deb/dists/bookworm/Release'), 'utf8');
  for (const fieldName of ['Origin: Example Org', 'Label: Example', 'Suite: bookworm', 'Codename: bookworm', 'Valid-Until:', 'Acquire-By-Hash: yes', 'main/binary-amd64/Packages\n']) {
    assert.ok(release.includes(fieldName), `Release lacks ${fieldName}`);
  }
  const again = await runCli(['repo', 'publish', repo, alpha, '--sign-key', keyFile, '--json'], { env });
  assert.equal(again.exitCode, 0, again.stderr);
  assert.deepEqual([JSON.parse(again.stdout).added.length, JSON.parse(again.stdout).unchanged.length], [0, 1]);

  const impostor = await makeDeb(path.join(dir, 'evil', 'debian-bookworm'), { name: 'python3-alpha', version: '1.0-1', body: 'EVIL = 1\n' });
  const conflict = await runCli(['repo', 'publish', repo, impostor, '--sign-key', keyFile], { env });
  assert.equal(conflict.exitCode, 1);
  assert.match(conflict.stderr, /E_REPO_CONFLICT/);
});

test('host apt trusting only the org key accepts the repo; refuses another key and tampered Packages', async () => {
  const good = await privateApt(path.join(dir, 'apt-good'), await sourcesFor(repo));
  const update = await good.aptGet(['update']);
  assert.equal(update.exitCode, 0, String(update.all));
  assert.doesNotMatch(String(update.all), /^(W|E):/m);
  const policy = await execa('apt-cache', ['policy', 'python3-alpha', 'python3-gamma'], { env: good.env });
  assert.match(policy.stdout, /python3-alpha:\n\s+Installed: \(none\)\n\s+Candidate: 1\.0-1/);
  assert.match(policy.stdout, /python3-gamma:\n\s+Installed: \(none\)\n\s+Candidate: 0\.3-1/);

  const otherKey = (await makeOrgKey(path.join(dir, 'other-keys'), 'ed25519')).publicFile;
  const otherArmored = (await readFile(otherKey, 'utf8')).trim().split('\n').map((l) => (l.trim() ? ` ${l}` : ' .')).join('\n');
  const wrong = (await sourcesFor(repo)).replace(/Signed-By:\n[\s\S]*$/, `Signed-By:\n${otherArmored}\n`);
  const refused = await (await privateApt(path.join(dir, 'apt-wrong'), wrong)).aptGet(['update']);
  assert.match(String(refused.all), /NO_PUBKEY|not signed|signatures couldn't be verified/);
  assert.notEqual(refused.exitCode, 0);

  const copy = path.join(dir, 'tampered');
  await cp(repo, copy, { recursive: true });
  const archDir = path.join(copy, 'deb/dists/bookworm/main/binary-amd64');
  const evil = (await readFile(path.join(archDir, 'Packages'), 'utf8')).replace('Version: 1.0-1', 'Version: 9.9-1');
  // An attacker rewrites every variant, plain and by-hash, consistently with each other.
  const variants: Record<number, Buffer> = {
    0x1f: gzipSync(evil),
    0xfd: (await execa('xz', ['-c'], { input: evil, encoding: 'buffer' })).stdout as unknown as Buffer,
  };
  for (const name of await readdir(path.join(archDir, 'by-hash/SHA256'))) {
    const f = path.join(archDir, 'by-hash/SHA256', name);
    await writeFile(f, variants[(await readFile(f))[0]!] ?? evil);
  }
  await writeFile(path.join(archDir, 'Packages'), evil);
  await writeFile(path.join(archDir, 'Packages.gz'), variants[0x1f]!);
  await writeFile(path.join(archDir, 'Packages.xz'), variants[0xfd]!);
  const tampered = await (await privateApt(path.join(dir, 'apt-tampered'), await sourcesFor(copy))).aptGet(['update']);
  assert.notEqual(tampered.exitCode, 0, String(tampered.all));
  assert.match(String(tampered.all), /Hash Sum mismatch|unexpected size|Failed to fetch/);
});

test('an expired Valid-Until is refused by apt; `repo resign` makes it valid again', async () => {
  const expiredRepo = path.join(dir, 'expired');
  const key = await parseSigningKey(await readFile(keyFile, 'utf8'), PASSPHRASE);
  const deb = await makeDeb(path.join(dir, 'exp'), { name: 'python3-old', version: '1.0-1' });
  await publishPackages({ repoDir: expiredRepo, files: [deb], key, codename: 'bookworm', validUntilDays: 1, now: new Date(Date.now() - 3 * 86_400_000) },
    { log: silentLogger, workDir: dir, cacheDir: dir });
  const apt = await privateApt(path.join(dir, 'apt-expired'), await sourcesFor(expiredRepo));
  const refused = await apt.aptGet(['update']);
  assert.notEqual(refused.exitCode, 0);
  assert.match(String(refused.all), /expired/);
  const resign = await runCli(['repo', 'resign', expiredRepo, '--sign-key', keyFile, '--valid-until-days', '5', '--json'], { env });
  assert.equal(resign.exitCode, 0, resign.stderr);
  assert.equal(JSON.parse(resign.stdout).codenames[0].codename, 'bookworm');
  const ok = await apt.aptGet(['update']);
  assert.equal(ok.exitCode, 0, String(ok.all));
});

test('a clean bookworm container trusting only the org key installs the package and imports it', async () => {
  const sources = (await sourcesFor(repo)).replace(`file://${repo}`, 'file:///repo');
  await writeFile(path.join(dir, 'org.sources'), sources);
  const script = [
    'set -e',
    'cp /work/org.sources /etc/apt/sources.list.d/org.sources',
    'apt-get update -qq',
    'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-alpha >/dev/null',
    'apt-cache policy python3-alpha | grep -q "file:/repo/deb bookworm/main"',
    'python3 -c "import alpha; print(\'imported\', alpha.VERSION)"',
  ].join('\n');
  const r = await execa('podman', ['run', '--rm', '--network=host', '-v', `${repo}:/repo:ro`, '-v', `${dir}:/work:ro`,
    'localhost/py2distro-base:debian-bookworm', 'sh', '-c', script], {
    reject: false, all: true, timeout: 10 * 60_000,
    env: { CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? path.join(ROOT, 'test/fixtures/containers.conf') },
  });
  assert.equal(r.exitCode, 0, String(r.all));
  assert.match(String(r.all), /imported 1\.0-1/);
});

test('a large index: Packages.gz of several members, one recompressed by an add; apt reads it as .gz only', async () => {
  const big = path.join(dir, 'big');
  const inputs = path.join(dir, 'big-in', 'debian-bookworm');
  const names = Array.from({ length: 450 }, (_, i) => `python3-m${String(i).padStart(3, '0')}`);
  const debs: string[] = [];
  for (let i = 0; i < names.length; i += 8) {
    debs.push(...await Promise.all(names.slice(i, i + 8).map((name) => makeDeb(inputs, { name, version: '1.0-1' }))));
  }
  const first = await runCli(['repo', 'publish', big, ...debs, '--sign-key', keyFile, '-v'], { env });
  assert.equal(first.exitCode, 0, first.stderr);
  const members = /binary-amd64: Packages\.gz members reused 0, compressed (\d+)/.exec(first.stderr);
  assert.ok(members && Number(members[1]) >= 3, first.stderr);
  const extra = await makeDeb(inputs, { name: 'python3-m2000', version: '1.0-1' });
  const second = await runCli(['repo', 'publish', big, extra, '--sign-key', keyFile, '-v'], { env });
  assert.equal(second.exitCode, 0, second.stderr);
  assert.match(second.stderr, new RegExp(`binary-amd64: Packages\\.gz members reused ${Number(members[1]) - 1}, compressed 1`));

  // Only the .gz can serve apt: the uncompressed Packages (plain names and by-hash objects) are gone.
  const gzOnly = path.join(dir, 'big-gz-only');
  await cp(big, gzOnly, { recursive: true });
  for (const arch of ['amd64', 'arm64']) {
    const indexDir = path.join(gzOnly, 'deb/dists/bookworm/main', `binary-${arch}`);
    await rm(path.join(indexDir, 'Packages'));
    for (const object of await readdir(path.join(indexDir, 'by-hash/SHA256'))) {
      const file = path.join(indexDir, 'by-hash/SHA256', object);
      if ((await readFile(file)).readUInt16BE(0) !== 0x1f8b) await rm(file);
    }
  }
  const apt = await privateApt(path.join(dir, 'apt-big'), await sourcesFor(gzOnly));
  const update = await apt.aptGet(['update']);
  assert.equal(update.exitCode, 0, String(update.all));
  assert.match(String(update.all), /amd64 Packages/);
  const pkgnames = await execa('apt-cache', ['pkgnames', 'python3-m'], { env: apt.env });
  assert.equal(pkgnames.stdout.split('\n').filter(Boolean).length, names.length + 1);
});
