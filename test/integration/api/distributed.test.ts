/**
 * Plan, build anywhere, collect centrally — with no shared filesystem. Two engine services, each
 * in its own mount namespace that hides the builders' work root (test/helpers/engine-service.ts):
 * builder A drives one with the docker CLI (DOCKER_HOST), builder B the other with podman --remote
 * (CONTAINER_HOST). The central machine plans (`sync --plan`), the builders build shards of wave 0
 * and then wave 1 against wave 0's outputs (--local-repo), without any key; the central machine
 * refuses a tampered artifact and a record that does not match the plan, then collects, signs and
 * publishes. The judge is apt in a clean bookworm container installing the published packages.
 */
import assert from 'node:assert/strict';
import { appendFile, chmod, cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { runCli } from '../../helpers/cli.ts';
import { CONTAINERS_CONF, listMountedThroughService, startEngineService, type EngineService } from '../../helpers/engine-service.ts';
import { startIndexServer, type IndexServer } from '../../helpers/index-server.ts';
import { generateKey, signDetached, writeKeyring, type TestKey } from '../../helpers/keys.ts';
import { makeOrgKey } from '../../helpers/packages.ts';
import { makeSdist, purePythonProject, type SdistSpec } from '../../helpers/sdist.ts';

const PASSPHRASE = 'distributed-test-passphrase';
const BASE_IMAGE = 'localhost/py2distro-base:debian-bookworm';
let dir: string;
let builders: string;
let index: IndexServer;
let upstream: TestKey;
let a: EngineService;
let b: EngineService;

async function publishSdist(spec: SdistSpec): Promise<void> {
  const file = await makeSdist(spec, path.join(dir, 'sdists'));
  const content = await readFile(file);
  index.addFile(spec.name, { filename: path.basename(file), content, signature: await signDetached(content, upstream) });
}

const central = (args: string[], env: Record<string, string> = {}) =>
  runCli(['--config', path.join(dir, 'py2distro.yaml'), '--cache-dir', path.join(dir, 'cache'), ...args], {
    env: { CONTAINERS_CONF, ...env }, cwd: dir, timeout: 20 * 60_000,
  });

/** A builder: no config, no key; every path it writes is under the root the services cannot see. */
const builder = (name: string, engineEnv: Record<string, string>, args: string[]) =>
  runCli(['--cache-dir', path.join(builders, `cache-${name}`), '--json', 'build', '--plan', path.join(builders, 'plan.json'), ...args], {
    env: { CONTAINERS_CONF, TMPDIR: path.join(builders, 'tmp'), ...engineEnv }, cwd: builders, timeout: 20 * 60_000,
  });

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-dist-'));
  await chmod(dir, 0o755); // apt's _apt user reads the file:// repository
  builders = path.join(dir, 'builders');
  a = await startEngineService(dir, 'engine-a', builders);
  b = await startEngineService(dir, 'engine-b', builders);
  await execa('mkdir', ['-p', path.join(builders, 'tmp')]);
  index = await startIndexServer({ mode: 'json' });
  upstream = await generateKey({ name: 'Upstream Releaser' });
  await writeKeyring(path.join(dir, 'upstream.asc'), [upstream]);
  await makeOrgKey(path.join(dir, 'keys'), 'rsa', PASSPHRASE);
  await publishSdist(purePythonProject('dalpha', '1.0'));
  await publishSdist(purePythonProject('dbeta', '2.0'));
  await publishSdist(purePythonProject('dgamma', '0.5', { deps: ['dalpha>=1.0'] }));
  await writeFile(path.join(dir, 'py2distro.yaml'), [
    `index-url: ${index.url}`, 'signature-policy: required', 'keyrings: [upstream.asc]', 'trust:',
    ...['dalpha', 'dbeta', 'dgamma'].map((n) => `  ${n}: ${upstream.fingerprint}`),
    'targets: [debian-bookworm]', 'repo: repo', 'sign-key: keys/org-rsa.asc', 'packages: [dbeta, dgamma]', '',
  ].join('\n'));
});

after(async () => {
  await a?.stop();
  await b?.stop();
  await index?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Plan { jobs: { id: number; name: string; wave: number; key: string; sdist: { sha256: string } }[]; waves: number[][] }

test('plan on one machine, build on two engines that cannot see the builders\' files, collect and publish centrally', async () => {
  await writeFile(path.join(builders, 'marker-only-builders-see'), 'x');
  for (const s of [a, b]) assert.doesNotMatch(await listMountedThroughService(s, BASE_IMAGE), /marker-only-builders-see/, 'the engine must not see the builder paths');

  const planned = await central(['sync', '--json', '--plan', path.join(dir, 'plan.json')]);
  assert.equal(planned.exitCode, 0, planned.stderr + planned.stdout);
  const plan = JSON.parse(await readFile(path.join(dir, 'plan.json'), 'utf8')) as Plan;
  assert.deepEqual(plan.waves.map((w) => w.map((id) => plan.jobs[id]!.name)), [['dalpha', 'dbeta'], ['dgamma']]);
  for (const j of plan.jobs) assert.match(j.sdist.sha256, /^[0-9a-f]{64}$/);
  assert.ok(!existsSync(path.join(dir, 'repo', 'deb')), 'planning builds and publishes nothing');
  await cp(path.join(dir, 'plan.json'), path.join(builders, 'plan.json'));

  const onA = { DOCKER_HOST: a.url };
  const onB = { CONTAINER_HOST: b.url };
  const [w0a, w0b] = await Promise.all([
    builder('a', onA, ['--engine', 'docker', '--wave', '0', '--shard', '1/2', '--out', path.join(builders, 'out-a')]),
    builder('b', onB, ['--engine', 'podman', '--wave', '0', '--shard', '2/2', '--out', path.join(builders, 'out-b')]),
  ]);
  assert.equal(w0a.exitCode, 0, w0a.stderr + w0a.stdout);
  assert.equal(w0b.exitCode, 0, w0b.stderr + w0b.stdout);
  assert.equal(JSON.parse(w0a.stdout).jobs.length, 1);
  assert.equal(JSON.parse(w0b.stdout).jobs.length, 1);
  // Wave 1 sees wave 0's packages as a local repository, as a CI job would after downloading them.
  await cp(path.join(builders, 'out-a'), path.join(builders, 'wave0', 'a'), { recursive: true });
  await cp(path.join(builders, 'out-b'), path.join(builders, 'wave0', 'b'), { recursive: true });
  const w1 = await builder('b', onB, ['--engine', 'podman', '--wave', '1', '--index', '0', '--local-repo', path.join(builders, 'wave0'), '--out', path.join(builders, 'out-c')]);
  assert.equal(w1.exitCode, 0, w1.stderr + w1.stdout);
  const record = JSON.parse(await readFile(path.join(builders, 'out-c', `job-${plan.waves[1]![0]}`, 'build-record.json'), 'utf8'));
  assert.equal(record.engine.transfer, 'copy', 'remote engines mount nothing');
  assert.equal(record.key, plan.jobs[plan.waves[1]![0]!]!.key);
  assert.ok(record.localPackages.some((p: { file: string }) => /^python3-dalpha_/.test(p.file)), 'wave 0 was offered to wave 1');
  assert.ok(!record.localPackages.some((p: { file: string }) => /^python3-dbeta_/.test(p.file)), 'a job it does not need is not offered');
  const outs = ['out-a', 'out-b', 'out-c'].map((d) => path.join(builders, d));
  const env = { PY2DISTRO_SIGN_PASSPHRASE: PASSPHRASE };

  // A tampered artifact: one byte appended to a .deb of builder A's output.
  const tampered = path.join(dir, 'tampered');
  await cp(builders, tampered, { recursive: true, filter: (s) => !s.includes(`${path.sep}cache-`) });
  const jobA = (await readdir(path.join(tampered, 'out-a')))[0]!;
  const deb = (await readdir(path.join(tampered, 'out-a', jobA))).find((f) => f.endsWith('.deb'))!;
  await appendFile(path.join(tampered, 'out-a', jobA, deb), 'x');
  const refusedTamper = await central(['sync', '--json', '--collect', ...['out-a', 'out-b', 'out-c'].map((d) => path.join(tampered, d)), '--plan', path.join(dir, 'plan.json')], env);
  assert.equal(refusedTamper.exitCode, 3, refusedTamper.stdout + refusedTamper.stderr);
  assert.match(refusedTamper.stdout + refusedTamper.stderr, /E_COLLECT_REFUSED[\s\S]*tampered/);

  // A record that does not match the plan: another build key, and an extra file nobody recorded.
  const forged = path.join(dir, 'forged');
  await cp(builders, forged, { recursive: true, filter: (s) => !s.includes(`${path.sep}cache-`) });
  const recFile = path.join(forged, 'out-b', (await readdir(path.join(forged, 'out-b')))[0]!, 'build-record.json');
  const rec = JSON.parse(await readFile(recFile, 'utf8'));
  rec.key = 'f'.repeat(64);
  await writeFile(recFile, JSON.stringify(rec));
  await writeFile(path.join(path.dirname(recFile), 'python3-evil_1.0-1_all.deb'), 'not a package');
  const refusedForged = await central(['sync', '--json', '--collect', ...['out-a', 'out-b', 'out-c'].map((d) => path.join(forged, d)), '--plan', path.join(dir, 'plan.json')], env);
  assert.equal(refusedForged.exitCode, 3);
  const problems = JSON.parse(refusedForged.stdout).errors[0]?.problems ?? [];
  assert.ok(problems.some((p: string) => /key .* is not the plan's/.test(p)), JSON.stringify(problems));
  assert.ok(problems.some((p: string) => /python3-evil.* is not in the record/.test(p)), JSON.stringify(problems));
  // A job missing altogether is refused too.
  const missing = await central(['sync', '--json', '--collect', outs[0]!, outs[1]!, '--plan', path.join(dir, 'plan.json')], env);
  assert.equal(missing.exitCode, 3);
  assert.match(missing.stdout + missing.stderr, /no build record/);
  assert.ok(!existsSync(path.join(dir, 'repo', 'deb')), 'nothing was published by a refused collect');

  const collected = await central(['sync', '--json', '--collect', ...outs, '--plan', path.join(dir, 'plan.json')], env);
  assert.equal(collected.exitCode, 0, collected.stderr + collected.stdout);
  assert.equal(JSON.parse(collected.stdout).published.length, 3);
  // The state knows what was published: a new plan has nothing left to build.
  const again = await central(['sync', '--json', '--plan', path.join(dir, 'plan2.json')]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).jobs, 0);

  const sources = await runCli(['repo', 'client-config', path.join(dir, 'repo'), '--url', 'file:///work/repo', '--json']);
  assert.equal(sources.exitCode, 0, sources.stderr);
  await writeFile(path.join(dir, 'org.sources'), JSON.parse(sources.stdout).sources as string);
  const apt = await execa('podman', ['run', '--rm', '--network=host', '-v', `${dir}:/work:ro`, BASE_IMAGE, 'sh', '-c', [
    'set -e', 'cp /work/org.sources /etc/apt/sources.list.d/org.sources', 'apt-get update -qq',
    'DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-dgamma python3-dbeta >/dev/null',
    'python3 -c "import dgamma, dalpha, dbeta; print(\'imported\', dgamma.__version__, dalpha.__version__, dbeta.__version__)"',
  ].join('\n')], { reject: false, all: true, env: { CONTAINERS_CONF }, timeout: 10 * 60_000 });
  assert.equal(apt.exitCode, 0, String(apt.all));
  assert.match(String(apt.all), /imported 0\.5 1\.0 2\.0/);
});
