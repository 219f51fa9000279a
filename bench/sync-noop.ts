/**
 * Benchmark: a no-op `py2distro sync` (nothing changed since the last one) of generated sets of
 * 10, 50 and 100 packages (BENCH_SYNC_SIZES, or the argument), BENCH_RUNS (3) timed runs each, medians.
 * Goal: ≤ 1.0 s at 50 packages and flat in the number of unchanged packages, so the reference is
 * the same no-op sync at the smallest size (ratio = how much the extra unchanged packages cost),
 * with `py2distro --version` (the CLI's start-up floor) printed beside it.
 *
 * Set-up (not timed): N signed sdists on a local index, all listed in the set — 10 leaves, 30 needing one or
 * two of them, 10 packages on top needing three — plus `six` left to Debian. The first sync runs
 * through the real closure/render/publish code, but its builds are replaced by `dpkg-deb` packages
 * so the set-up takes a minute instead of 50 container builds. The real CLI syncs once untimed (it
 * keeps its own trust verdicts, see below), then runs `sync` again RUNS times and the wall time
 * and containers started are printed (no container must start).
 *
 *   CONTAINERS_CONF=test/fixtures/containers.conf node --import tsx bench/sync-noop.ts [N...]
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fetchOptionsFrom } from '../src/cli/options/fetch.js';
import { parseConfigText } from '../src/api/config.js';
import { selectEngine } from '../src/stages/build/engines/index.js';
import { createLogger } from '../src/lib/log.js';
import { parseSigningKey } from '../src/stages/sign/key.js';
import { createRealBackend } from '../src/api/sync/backend.js';
import { loadManifest } from '../src/api/sync/manifest.js';
import { runSync } from '../src/api/sync/run.js';
import { openSyncCaches } from '../src/api/sync/caches.js';
import { median, report, RUNS } from './common.js';
import { getTarget } from '../src/distro/targets.js';
import { runCli } from '../test/helpers/cli.js';
import { startIndexServer } from '../test/helpers/index-server.js';
import { generateKey, signDetached, writeKeyring } from '../test/helpers/keys.js';
import { makeDeb, makeOrgKey } from '../test/helpers/packages.js';
import { makeSdist, purePythonProject } from '../test/helpers/sdist.js';

async function noopSeconds(N: number): Promise<number[]> {
const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-bench-sync-'));
const index = await startIndexServer({ mode: 'json' });
try {
  const upstream = await generateKey({ name: 'Bench Upstream' });
  await writeKeyring(path.join(dir, 'upstream.asc'), [upstream]);
  const org = await makeOrgKey(path.join(dir, 'keys'), 'ed25519');
  const leaves = Math.max(1, Math.floor(N / 5));
  const tops = Math.max(1, Math.floor(N / 5));
  const names = Array.from({ length: N }, (_, i) => `benchpkg${String(i).padStart(3, '0')}`);
  for (const [i, name] of names.entries()) {
    const deps = i < leaves ? [] : i < N - tops ? [names[i % leaves]!, names[(i * 7) % leaves]!] : [names[leaves + (i % (N - leaves - tops))]!, names[i % leaves]!, 'six>=1.10'];
    const file = await makeSdist(purePythonProject(name, '1.0', { deps: [...new Set(deps)] }), path.join(dir, 'sdists'));
    const content = await readFile(file);
    index.addFile(name, { filename: path.basename(file), content, signature: await signDetached(content, upstream) });
  }
  const configText = [
    `index-url: ${index.url}`, 'signature-policy: required', `keyrings: [${path.join(dir, 'upstream.asc')}]`, 'trust:',
    ...names.map((n) => `  ${n}: ${upstream.fingerprint}`), 'targets: [debian-bookworm]', `repo: ${path.join(dir, 'repo')}`,
    `sign-key: ${org.file}`, 'jobs: 2', 'packages:', ...names.map((n) => `  - ${n}`), '',
  ].join('\n');
  const configFile = path.join(dir, 'py2distro.yaml');
  await writeFile(configFile, configText);
  const config = parseConfigText(configText);
  const cacheDir = path.join(dir, 'cache');
  const log = createLogger({ level: 'warn' });

  // First sync: the real pipeline with dpkg-deb standing in for the container build.
  const setupStart = performance.now();
  const workDir = await mkdtemp(path.join(dir, 'work-'));
  const env = { log, workDir, cacheDir };
  // As the CLI does: the first sync fills sync's caches (index answers, inspected metadata, render digests).
  const caches = await openSyncCaches(cacheDir, path.join(dir, 'repo', '.py2distro-sync'));
  const backend = createRealBackend({ store: caches.store,
    engine: await selectEngine({ config }), env, repoDir: path.join(dir, 'repo'), fetchOptions: { ...fetchOptionsFrom({}, config), trustLockFile: path.join(dir, 'repo', '.py2distro-sync', 'trust-lock.json'), answers: caches.answers, verdicts: caches.verdicts },
    loadKey: () => parseSigningKey(org.armored, undefined), publish: {},
  });
  backend.build = async ({ node, rendered, outDir }) => ({
    files: [await makeDeb(path.join(outDir, 'debian-bookworm'), { name: `python3-${node.name}`, version: rendered.packageVersion })],
  });
  const first = await runSync({
    manifest: await loadManifest({ packages: config.packages, configFile }), targets: [getTarget('debian-bookworm')], backend,
    stateDir: path.join(dir, 'repo', '.py2distro-sync'), workDir, cacheDir, jobs: 2, failFast: false, conflictPolicy: 'build',
    keyOptions: { maintainer: undefined, templates: undefined, runTests: false }, log,
  });
  if (!first.ok || first.summary.built !== N) throw new Error(`set-up sync: ${JSON.stringify(first.summary)}`);
  await caches.store.flush(); // as runSyncSet does at the end of every sync
  console.log(`set-up: ${N} packages resolved, rendered, packaged and published in ${((performance.now() - setupStart) / 1000).toFixed(1)} s (${first.containersStarted - N} container: the archive index query; builds stood in by dpkg-deb)`);

  // One untimed CLI sync first: trust verdicts are bound to the code that judged them, and the
  // set-up ran src/ under tsx, the CLI runs dist/ — a nightly sync always follows an earlier CLI sync.
  const warm0 = performance.now();
  const warm = await runCli(['--config', configFile, '--cache-dir', cacheDir, 'sync', '--json'], { cwd: dir });
  if (warm.exitCode !== 0) throw new Error(`first CLI sync failed: ${warm.stderr}${warm.stdout}`);
  console.log(`  first CLI sync after the set-up (not timed; verifies for real and keeps the CLI's verdicts): ${((performance.now() - warm0) / 1000).toFixed(2)} s`);

  // Then the real CLI, nothing changed, RUNS times.
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    const r = await runCli(['--config', configFile, '--cache-dir', cacheDir, 'sync', '--json'], { cwd: dir });
    times.push((performance.now() - start) / 1000);
    if (r.exitCode !== 0) throw new Error(`no-op sync failed: ${r.stderr}${r.stdout}`);
    const rep = JSON.parse(r.stdout);
    if (rep.summary.built !== 0 || rep.containersStarted !== 0) throw new Error(`no-op sync did work: ${JSON.stringify(rep.summary)}, ${rep.containersStarted} containers`);
    console.log(`  no-op sync of ${N} packages, run ${run + 1}: ${times.at(-1)!.toFixed(2)} s wall (real CLI, process start included); built ${rep.summary.built}, skipped ${rep.summary.skipped}, containers started ${rep.containersStarted}`);
  }
  if (process.env.BENCH_KEEP) {
    console.log(`kept ${dir}; index at ${index.url}; Ctrl-C to stop`);
    await new Promise(() => {});
  }
  return times;
} finally {
  await index.close();
  await rm(dir, { recursive: true, force: true });
}
}

const sizes = (process.argv.length > 2 ? process.argv.slice(2) : (process.env.BENCH_SYNC_SIZES ?? '10 50 100').split(/\s+/)).map(Number).filter(Boolean);
const floor: number[] = [];
for (let run = 0; run < RUNS; run++) {
  const t0 = performance.now();
  await runCli(['--version']);
  floor.push((performance.now() - t0) / 1000);
}
const medians = new Map<number, number>();
for (const n of sizes) medians.set(n, median(await noopSeconds(n)));
console.log(`\npy2distro --version (start-up floor): ${median(floor).toFixed(2)} s`);
for (const [n, t] of medians) console.log(`no-op sync, ${String(n).padStart(3)} packages: ${t.toFixed(2)} s (median of ${RUNS})`);
const smallest = Math.min(...sizes);
for (const [n, t] of medians) {
  await report({ measure: 'no-op sync', n, py2distro: t, reference: medians.get(smallest)!, referenceTool: `no-op sync of ${smallest}`, goal: '≤ 1.0 s at 50, flat' });
}
