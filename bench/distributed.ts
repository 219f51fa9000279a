/**
 * Benchmark: one generated set built on one engine service versus split across two at once.
 *
 * Set-up (not timed): N signed pure-Python sdists on a local index (default 8: N-2 leaves and 2
 * packages needing a leaf, so the plan has two waves), two `podman system service`s that cannot
 * see the builders' work root (test/helpers/engine-service.ts) — engine A driven by the docker
 * CLI, engine B by podman --remote. Timed, with the real CLI:
 *   plan       sync --plan
 *   1 engine   every job of every wave on A
 *   2 engines  each wave sharded 1/2 on A and 2/2 on B at the same time
 *   collect    sync --collect of the 2-engine output (check, sign, publish)
 * "transfer" is the sum of the copy-in/out times the builds logged; "build" is the rest of the
 * job time. On a 2-core machine both services share the same CPUs, so the speed-up shows how much
 * of a build is waiting (container start, copies, apt) rather than compute; on two real hosts the
 * builds themselves would also run in parallel.
 *
 *   CONTAINERS_CONF=test/fixtures/containers.conf node --import tsx bench/distributed.ts [N]
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { runCli } from '../test/helpers/cli.js';
import { startEngineService } from '../test/helpers/engine-service.js';
import { startIndexServer } from '../test/helpers/index-server.js';
import { generateKey, signDetached, writeKeyring } from '../test/helpers/keys.js';
import { makeOrgKey } from '../test/helpers/packages.js';
import { makeSdist, purePythonProject } from '../test/helpers/sdist.js';

const N = Math.max(3, Number(process.argv[2] ?? 8));
const CONTAINERS_CONF = process.env.CONTAINERS_CONF ?? path.resolve('test/fixtures/containers.conf');
const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-bench-dist-'));
const builders = path.join(dir, 'builders');
const index = await startIndexServer({ mode: 'json' });
const a = await startEngineService(dir, 'engine-a', builders);
const b = await startEngineService(dir, 'engine-b', builders);

function must(r: { exitCode: number; stdout: string; stderr: string }, what: string) {
  if (r.exitCode !== 0) throw new Error(`${what} failed (${r.exitCode}): ${r.stderr}${r.stdout}`);
  return r;
}

async function timed<T>(body: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await body();
  return [v, performance.now() - t];
}

try {
  const upstream = await generateKey({ name: 'Bench Upstream' });
  await writeKeyring(path.join(dir, 'upstream.asc'), [upstream]);
  await makeOrgKey(path.join(dir, 'keys'), 'ed25519');
  const names = Array.from({ length: N }, (_, i) => `distbench${String(i).padStart(2, '0')}`);
  for (const [i, name] of names.entries()) {
    const deps = i >= N - 2 ? [`${names[i - (N - 2)]}>=1.0`] : [];
    const file = await makeSdist(purePythonProject(name, '1.0', { deps }), path.join(dir, 'sdists'));
    const content = await readFile(file);
    index.addFile(name, { filename: path.basename(file), content, signature: await signDetached(content, upstream) });
  }
  await writeFile(path.join(dir, 'py2distro.yaml'), [
    `index-url: ${index.url}`, 'signature-policy: required', 'keyrings: [upstream.asc]', 'trust:',
    ...names.map((n) => `  ${n}: ${upstream.fingerprint}`), 'targets: [debian-bookworm]', 'repo: repo', 'sign-key: keys/org-ed25519.asc',
    `packages: [${names.join(', ')}]`, '',
  ].join('\n'));
  await mkdir(path.join(builders, 'tmp'), { recursive: true });
  const central = (args: string[]) => runCli(['--config', path.join(dir, 'py2distro.yaml'), '--cache-dir', path.join(dir, 'cache'), '--json', ...args], { env: { CONTAINERS_CONF }, cwd: dir });
  const build = (engine: 'a' | 'b', args: string[]) =>
    runCli(['--cache-dir', path.join(builders, `cache-${engine}`), '--json', 'build', '--plan', path.join(builders, 'plan.json'), '--engine', engine === 'a' ? 'docker' : 'podman', ...args], {
      env: { CONTAINERS_CONF, TMPDIR: path.join(builders, 'tmp'), ...(engine === 'a' ? { DOCKER_HOST: a.url } : { CONTAINER_HOST: b.url }) },
      cwd: builders,
    });

  const [, planMs] = await timed(async () => must(await central(['sync', '--plan', path.join(dir, 'plan.json')]), 'plan'));
  const plan = JSON.parse(await readFile(path.join(dir, 'plan.json'), 'utf8')) as { waves: number[][] };
  await cp(path.join(dir, 'plan.json'), path.join(builders, 'plan.json'));

  const runWaves = async (out: string, engines: ('a' | 'b')[]) => {
    for (const w of plan.waves.keys()) {
      const prev = w > 0 ? ['--local-repo', path.join(builders, out)] : [];
      await Promise.all(engines.map(async (e, k) =>
        must(await build(e, ['--wave', String(w), '--shard', `${k + 1}/${engines.length}`, '--out', path.join(builders, out, e), ...prev]), `wave ${w} on ${e}`)));
    }
  };
  const [, oneMs] = await timed(() => runWaves('one', ['a']));
  const [, twoMs] = await timed(() => runWaves('two', ['a', 'b']));
  const [, collectMs] = await timed(async () => must(await central(['sync', '--collect', path.join(builders, 'two'), '--plan', path.join(dir, 'plan.json')]), 'collect'));

  const transferOf = async (root: string) => {
    let ms = 0;
    for (const e of await readdir(root, { recursive: true })) {
      if (!String(e).endsWith('.build.log')) continue;
      for (const m of (await readFile(path.join(root, String(e)), 'utf8')).matchAll(/py2distro: transfer (?:in|out) (\d+) ms/g)) ms += Number(m[1]);
    }
    return ms;
  };
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const t1 = await transferOf(path.join(builders, 'one'));
  const t2 = await transferOf(path.join(builders, 'two'));
  console.log(`distributed build of ${N} packages in ${plan.waves.length} waves (${os.availableParallelism()} CPUs)`);
  console.log(`  plan (sync --plan)            ${s(planMs)}`);
  console.log(`  1 engine:  ${s(oneMs).padStart(8)}   (transfer ${s(t1)} summed over builds, build ${s(oneMs - t1)})`);
  console.log(`  2 engines: ${s(twoMs).padStart(8)}   (transfer ${s(t2)} summed over builds, both engines)`);
  console.log(`  collect (check, sign, publish) ${s(collectMs)}`);
  console.log(`  speed-up of the build phase, 2 engines vs 1: ${(oneMs / twoMs).toFixed(2)}x`);
} finally {
  await a.stop();
  await b.stop();
  await index.close();
  await rm(dir, { recursive: true, force: true });
}
