/**
 * `py2distro build … --repo DIR --sign-key FILE`: the packages built are signed with the org key
 * and published in one command. Judged by a private host apt that trusts only the org key (the
 * repo must verify and list the package) and by rpmkeys with an rpmdb holding only that key.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { CONTAINERS_CONF } from '../../helpers/build-fixtures.ts';
import { runCli } from '../../helpers/cli.ts';
import { makeOrgKey, privateApt } from '../../helpers/packages.ts';
import { disposeGnupgHome } from '../../helpers/keys.ts';
import { makeSdist, purePythonProject } from '../../helpers/sdist.ts';

let dir: string;
let sdist: string;

after(() => rm(dir, { recursive: true, force: true }));

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'build-publish-'));
  sdist = await makeSdist(purePythonProject('hello-pub', '0.3.0'), path.join(dir, 'sdists'));
});

test('build --repo --sign-key publishes signed .deb and .rpm that apt and rpmkeys accept', async () => {
  const key = await makeOrgKey(path.join(dir, 'keys'), 'ed25519', 'correct horse battery');
  const repo = path.join(dir, 'repo');
  const r = await runCli(
    ['--cache-dir', path.join(dir, 'cache'), '--json', 'build', sdist, '--target', 'deb', '--target', 'rpmtest-bookworm',
      '--jobs', '2', '--out', path.join(dir, 'out'), '--repo', repo, '--sign-key', key.file],
    { env: { CONTAINERS_CONF, PY2DISTRO_SIGN_PASSPHRASE: 'correct horse battery' } },
  );
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(!`${r.stdout}${r.stderr}`.includes('correct horse battery'), 'the passphrase is never printed');
  const result = JSON.parse(r.stdout) as { published: { added: { kind: string; path: string }[] } };
  assert.deepEqual(result.published.added.map((a) => a.kind).sort(), ['deb', 'rpm']);

  // apt: only the org key is trusted for this source; update must verify InRelease and see the package.
  const client = await runCli(['repo', 'client-config', repo, '--url', `file://${repo}`, '--only', 'sources']);
  assert.equal(client.exitCode, 0, client.stderr);
  const apt = await privateApt(path.join(dir, 'apt'), client.stdout);
  const update = await apt.aptGet(['update']);
  assert.equal(update.exitCode, 0, String(update.all));
  const policy = await execa('apt-cache', ['policy', 'python3-hello-pub'], { env: apt.env });
  assert.match(String(policy.stdout), /Candidate: 0\.3\.0-1/);

  // rpm: a signature by the org key is present and valid.
  const rpmdb = path.join(dir, 'rpmdb');
  await execa('rpmkeys', ['--dbpath', rpmdb, '--import', path.join(repo, 'rpm/key.asc')]);
  const rpms = (await readdir(path.join(repo, 'rpm/rpmtest-bookworm/Packages'))).filter((f) => f.endsWith('.rpm'));
  assert.equal(rpms.length, 1);
  const check = await execa('rpmkeys', ['--dbpath', rpmdb, '-Kv', path.join(repo, 'rpm/rpmtest-bookworm/Packages', rpms[0]!)], { reject: false });
  assert.equal(check.exitCode, 0, String(check.stdout));
  assert.match(String(check.stdout), /Header V4 EdDSA\/SHA512 Signature, key ID [0-9a-f]+: OK/);
  assert.ok((await readFile(path.join(repo, 'rpm/rpmtest-bookworm/repodata/repomd.xml.asc'), 'utf8')).includes('BEGIN PGP SIGNATURE'));
});

test('a bad signing key fails before anything is built (exit 2, E_SIGN_KEY)', async () => {
  // An RSA-2048 key: below what apt's sqv, rpm 4.18 and RHEL 9 accept, so py2distro refuses it.
  const home = await mkdtemp(path.join(dir, 'gpg-'));
  const gpg = (args: string[]) => execa('gpg', ['--batch', '--quiet', '--homedir', home, '--pinentry-mode', 'loopback', '--passphrase', '', ...args]);
  await gpg(['--quick-gen-key', 'Weak <weak@example.com>', 'rsa2048', 'sign', '1y']);
  const keyFile = path.join(dir, 'weak.asc');
  await writeFile(keyFile, String((await gpg(['--armor', '--export-secret-keys'])).stdout), { mode: 0o600 });
  const r = await runCli(['build', sdist, '--target', 'deb', '--out', path.join(dir, 'out-weak'), '--repo', path.join(dir, 'repo-weak'), '--sign-key', keyFile], { env: { CONTAINERS_CONF } });
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /E_SIGN_KEY/);
  assert.match(r.stderr, /3072|Ed25519/);
  await disposeGnupgHome(home);
});
