/**
 * Benchmark: a second, no-op `py2distro sync` of a generated 50-package set.
 *
 * Set-up (not timed): 50 signed sdists on a local index, all listed in the set — 10 leaves, 30 needing one or
 * two of them, 10 packages on top needing three — plus `six` left to Debian. The first sync runs
 * through the real closure/render/publish code, but its builds are replaced by `dpkg-deb` packages
 * so the set-up takes a minute instead of 50 container builds. Then the real CLI runs `sync` again
 * and the wall time and containers started are printed (no container must start).
 *
 *   CONTAINERS_CONF=test/fixtures/containers.conf node --import tsx bench/sync-noop.ts [N]
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
import { getTarget } from '../src/distro/targets.js';
import { runCli } from '../test/helpers/cli.js';
import { startIndexServer } from '../test/helpers/index-server.js';
import { generateKey, signDetached, writeKeyring } from '../test/helpers/keys.js';
import { makeDeb, makeOrgKey } from '../test/helpers/packages.js';
import { makeSdist, purePythonProject } from '../test/helpers/sdist.js';

const N = Number(process.argv[2] ?? 50);
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
  const backend = createRealBackend({
    engine: await selectEngine({ config }), env, repoDir: path.join(dir, 'repo'), fetchOptions: fetchOptionsFrom({}, config),
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
  console.log(`set-up: ${N} packages resolved, rendered, packaged and published in ${((performance.now() - setupStart) / 1000).toFixed(1)} s (${first.containersStarted - N} container: the archive index query; builds stood in by dpkg-deb)`);

  // Second sync: the real CLI, nothing changed.
  const start = performance.now();
  const r = await runCli(['--config', configFile, '--cache-dir', cacheDir, 'sync', '--json'], { cwd: dir });
  const seconds = (performance.now() - start) / 1000;
  if (r.exitCode !== 0) throw new Error(`no-op sync failed: ${r.stderr}${r.stdout}`);
  const report = JSON.parse(r.stdout);
  console.log(`no-op sync of ${N} packages (real CLI, process start included): ${seconds.toFixed(2)} s wall; ` +
    `built ${report.summary.built}, skipped ${report.summary.skipped}, containers started ${report.containersStarted}`);
} finally {
  if (process.env.BENCH_KEEP) {
    console.log(`kept ${dir}; index at ${index.url}; Ctrl-C to stop`);
    await new Promise(() => {});
  }
  await index.close();
  await rm(dir, { recursive: true, force: true });
}
