/**
 * `py2distro sync` end to end, as a new user would run it: a signed local index, the real CLI,
 * real podman builds, the real signed apt repository, and apt in a clean bookworm container as the
 * judge. The one container-heavy sync test; the scenarios run in sequence on the same repository:
 *   1. top needs `depmissing` (not in Debian: built first, from the index) and `six` (in bookworm:
 *      left to Debian) → both of ours published; apt installs top with our dep and Debian's six.
 *   2. nothing changed → nothing built, no container started.
 *   3. depmissing 1.1 appears and a broken package joins the set → only depmissing and top are
 *      rebuilt, the broken one fails (exit 1, the report says why, with its log), the others are
 *      published, and apt upgrades to depmissing 1.1.
 */
import assert from 'node:assert/strict';
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { runCli, ROOT } from '../../helpers/cli.ts';
import { startIndexServer, type IndexServer } from '../../helpers/index-server.ts';
import { generateKey, signDetached, writeKeyring, type TestKey } from '../../helpers/keys.ts';
import { makeOrgKey } from '../../helpers/packages.ts';
import { makeSdist, purePythonProject, type SdistSpec } from '../../helpers/sdist.ts';

const CONTAINERS_CONF = process.env.CONTAINERS_CONF ?? path.join(ROOT, 'test/fixtures/containers.conf');
const PASSPHRASE = 'sync-test-passphrase';
let dir: string;
let repo: string;
let index: IndexServer;
let upstream: TestKey;
let env: Record<string, string>;

async function publishSdist(spec: SdistSpec): Promise<void> {
  const file = await makeSdist(spec, path.join(dir, 'sdists'));
  const content = await readFile(file);
  index.addFile(spec.name, { filename: path.basename(file), content, signature: await signDetached(content, upstream) });
}

async function writeConfig(packages: string[]): Promise<void> {
  await writeFile(path.join(dir, 'py2distro.yaml'), [
    `index-url: ${index.url}`,
    'signature-policy: required',
    'keyrings: [upstream.asc]',
    'trust:',
    ...['toppkg', 'depmissing', 'brokenpkg'].map((n) => `  ${n}: ${upstream.fingerprint}`),
    'targets: [debian-bookworm]',
    'repo: repo',
    'sign-key: keys/org-rsa.asc',
    'jobs: 2',
    'retention: 2',
    'conflict-policy: build',
    'packages:',
    ...packages.map((p) => `  - ${JSON.stringify(p)}`),
    '',
  ].join('\n'));
}

const sync = (...args: string[]) =>
  runCli(['--config', path.join(dir, 'py2distro.yaml'), '--cache-dir', path.join(dir, 'cache'), 'sync', '--json', ...args], { env, cwd: dir, timeout: 25 * 60_000 });

/** Runs a shell script in a clean bookworm container with the repositories mounted read-only. */
async function client(script: string[]): Promise<string> {
  const r = await execa('podman', ['run', '--rm', '--network=host', '-v', `${dir}:/work:ro`, 'localhost/py2distro-base:debian-bookworm', 'sh', '-c', ['set -e', ...script].join('\n')], {
    reject: false, all: true, timeout: 10 * 60_000, env: { CONTAINERS_CONF },
  });
  assert.equal(r.exitCode, 0, String(r.all));
  return String(r.all);
}

async function sourcesFile(name: string, repoDir: string): Promise<void> {
  const r = await runCli(['repo', 'client-config', repoDir, '--url', `file:///work/${path.basename(repoDir)}`, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  await writeFile(path.join(dir, name), JSON.parse(r.stdout).sources as string);
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-sync-'));
  await chmod(dir, 0o755); // apt's _apt user reads the file:// repository
  repo = path.join(dir, 'repo');
  index = await startIndexServer({ mode: 'json' });
  upstream = await generateKey({ name: 'Upstream Releaser' });
  await writeKeyring(path.join(dir, 'upstream.asc'), [upstream]);
  await makeOrgKey(path.join(dir, 'keys'), 'rsa', PASSPHRASE);
  env = { PY2DISTRO_SIGN_PASSPHRASE: PASSPHRASE, CONTAINERS_CONF };
  await publishSdist(purePythonProject('toppkg', '1.0', { deps: ['depmissing>=1.0', 'six>=1.10'] }));
  await publishSdist(purePythonProject('depmissing', '1.0'));
  const broken = purePythonProject('brokenpkg', '1.0');
  broken.files['setup.py'] = 'raise SystemExit("brokenpkg: this package fails to build on purpose")\n';
  await publishSdist(broken);
});

after(async () => {
  await index?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Outcome { name: string; version: string; status: string; reason: string; code?: string; logPath?: string; previousVersion?: string; packageVersion?: string; signature?: { status: string; signer?: string } }

const packagesOf = (report: { targets: { packages: Outcome[] }[] }) => Object.fromEntries(report.targets[0]!.packages.map((p) => [p.name, p]));

test('sync: builds the missing dependency first, leaves six to Debian; apt installs both from the right places', async () => {
  await writeConfig(['toppkg']);
  const r = await sync();
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  const report = JSON.parse(r.stdout);
  const by = packagesOf(report);
  assert.deepEqual(Object.keys(by).sort(), ['depmissing', 'toppkg']);
  assert.equal(by.depmissing.status, 'built');
  assert.equal(by.toppkg.status, 'built');
  assert.equal(by.toppkg.signature.status, 'verified');
  assert.equal(by.toppkg.signature.signer, upstream.fingerprint);
  assert.deepEqual(report.targets[0].fromDistro.map((d: { project: string; binary: string }) => `${d.project}=${d.binary}`), ['six=python3-six']);
  const state = JSON.parse(await readFile(path.join(repo, '.py2distro-sync/sync-state.json'), 'utf8')).targets['debian-bookworm'];
  assert.ok(state.depmissing.builtAt < state.toppkg.builtAt, 'depmissing is built before toppkg');
  assert.match(await readFile(report.reportFiles.markdown, 'utf8'), /\| toppkg \| 1\.0 \| built \| new \|/);
  // sync keeps a trust lock by default, in its state dir, and says where.
  const lockFile = path.join(repo, '.py2distro-sync/trust-lock.json');
  assert.equal(report.trustLock, lockFile);
  assert.ok((await readFile(report.reportFiles.markdown, 'utf8')).includes(`Trust lock: \`${lockFile}\``));
  const lock = JSON.parse(await readFile(lockFile, 'utf8'));
  assert.equal(lock.projects.toppkg.openpgp, upstream.fingerprint);
  assert.equal(lock.projects.depmissing.openpgp, upstream.fingerprint);
  await cp(repo, path.join(dir, 'repo1'), { recursive: true }); // the repository as it was, for the upgrade test

  await sourcesFile('org.sources', repo);
  const out = await client([
    'cp /work/org.sources /etc/apt/sources.list.d/org.sources',
    'apt-get update -qq',
    'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-toppkg >/dev/null',
    'apt-cache policy python3-depmissing | grep -A1 "\\*\\*\\*" | grep -q "file:/work/repo/deb bookworm/main"',
    'apt-cache policy python3-six | grep -A1 "\\*\\*\\*" | grep -q "deb.debian.org/debian bookworm/main"',
    'python3 -c "import toppkg, depmissing, six; print(\'imported\', toppkg.__version__, depmissing.__version__, six.__version__)"',
  ]);
  assert.match(out, /imported 1\.0 1\.0 1\.16\.0/);
});

test('sync: a second run with nothing changed builds nothing and starts no container', async () => {
  const r = await sync();
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  const report = JSON.parse(r.stdout);
  assert.equal(report.containersStarted, 0);
  assert.equal(report.summary.built, 0);
  assert.deepEqual(Object.values(packagesOf(report)).map((p) => `${p.name}:${p.status}:${p.reason}`).sort(), [
    'depmissing:skipped:unchanged (same build key)', 'toppkg:skipped:unchanged (same build key)',
  ]);
});

test('sync: a new upstream release rebuilds it and its dependent; a broken package fails alone (exit 1); apt upgrades', async () => {
  await publishSdist(purePythonProject('depmissing', '1.1'));
  await writeConfig(['toppkg', 'brokenpkg']);
  const r = await sync();
  assert.equal(r.exitCode, 1, r.stderr + r.stdout);
  const err = JSON.parse(r.stdout).errors[0];
  assert.equal(err.code, 'E_SYNC_FAILED');
  const by = packagesOf(err.report);
  assert.equal(by.depmissing.status, 'built');
  assert.equal(by.depmissing.previousVersion, '1.0');
  assert.equal(by.depmissing.version, '1.1');
  assert.equal(by.toppkg.status, 'built');
  assert.equal(by.toppkg.packageVersion, '1.0-2'); // same upstream version, new dependency: next revision
  assert.equal(by.brokenpkg.status, 'failed');
  assert.equal(by.brokenpkg.code, 'E_BUILD_FAILED');
  assert.match(await readFile(by.brokenpkg.logPath!, 'utf8'), /fails to build on purpose/);
  assert.match(await readFile(err.report.reportFiles.markdown, 'utf8'), /\| brokenpkg \| 1\.0 \| failed \| \[E_BUILD_FAILED\]/);

  await sourcesFile('org1.sources', path.join(dir, 'repo1'));
  const out = await client([
    'cp /work/org1.sources /etc/apt/sources.list.d/org.sources',
    'apt-get update -qq',
    'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-toppkg >/dev/null',
    'cp /work/org.sources /etc/apt/sources.list.d/org.sources',
    'apt-get update -qq',
    'DEBIAN_FRONTEND=noninteractive apt-get upgrade -y -qq >/dev/null',
    'dpkg-query -W python3-depmissing python3-toppkg',
    'python3 -c "import depmissing; print(\'now\', depmissing.__version__)"',
  ]);
  assert.match(out, /python3-depmissing\s+1\.1-1/);
  assert.match(out, /python3-toppkg\s+1\.0-2/);
  assert.match(out, /now 1\.1/);
});
