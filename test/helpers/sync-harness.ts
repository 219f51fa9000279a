/**
 * A sync set on a real signed index for the sync-cache tests: signed sdists served on 127.0.0.1, a
 * py2distro.yaml that pins their key, and `syncInProcess`, which runs the real closure, fetch,
 * verify, render and publish code with sync's caches (as the CLI does, packing them at the end)
 * while dpkg-deb stands in for the container build — so a test needs no builder run and can see
 * exactly what was built. The real CLI runs on the same directories (`runCli` with `configFile`).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseConfigText } from '../../src/api/config.ts';
import { createRealBackend } from '../../src/api/sync/backend.ts';
import { openSyncCaches } from '../../src/api/sync/caches.ts';
import { loadManifest } from '../../src/api/sync/manifest.ts';
import type { SyncReport } from '../../src/api/sync/report.ts';
import { runSync } from '../../src/api/sync/run.ts';
import { fetchOptionsFrom } from '../../src/cli/options/fetch.ts';
import { getTarget } from '../../src/distro/targets.ts';
import { createLogger } from '../../src/lib/log.ts';
import { selectEngine } from '../../src/stages/build/engines/index.ts';
import { parseSigningKey } from '../../src/stages/sign/key.ts';
import { ROOT } from './cli.ts';
import { startIndexServer, type IndexServer } from './index-server.ts';
import { generateKey, signDetached, writeKeyring, type TestKey } from './keys.ts';
import { makeDeb, makeOrgKey } from './packages.ts';
import { makeSdist, purePythonProject } from './sdist.ts';

process.env.CONTAINERS_CONF ??= path.join(ROOT, 'test/fixtures/containers.conf');

export interface SyncSet {
  dir: string;
  index: IndexServer;
  upstream: TestKey;
  configFile: string;
  stateDir: string;
  cacheDir: string;
  keyring: string;
  /** Signs and serves a release (a new file, or new bytes under a file name already served). */
  publish(name: string, version: string, deps: string[], extra?: Record<string, string>): Promise<string>;
  /** The file last published for a project, and where sync's download cache keeps it. */
  latest(name: string): { filename: string; sha256: string; cached: string };
  /** One sync in this process; `maintainer` changes every build key (a rebuild of everything). */
  syncInProcess(opts?: { maintainer?: string; allowFailures?: boolean }): Promise<{ report: SyncReport; built: string[] }>;
  close(): Promise<void>;
}

export async function createSyncSet(prefix: string, names: string[]): Promise<SyncSet> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  const index = await startIndexServer({ mode: 'json' });
  const upstream = await generateKey({ name: 'Cache Upstream' });
  const keyring = path.join(dir, 'upstream.asc');
  await writeKeyring(keyring, [upstream]);
  const org = await makeOrgKey(path.join(dir, 'keys'), 'ed25519');
  const configFile = path.join(dir, 'py2distro.yaml');
  const stateDir = path.join(dir, 'repo', '.py2distro-sync');
  const cacheDir = path.join(dir, 'cache');
  await writeFile(configFile, [
    `index-url: ${index.url}`, 'signature-policy: required', `keyrings: [${keyring}]`, 'trust:',
    ...names.map((n) => `  ${n}: ${upstream.fingerprint}`), 'targets: [debian-bookworm]', `repo: ${path.join(dir, 'repo')}`,
    `sign-key: ${org.file}`, 'packages:', ...names.map((n) => `  - ${n}`), '',
  ].join('\n'));

  const latest = new Map<string, { filename: string; sha256: string }>();
  const set: SyncSet = {
    dir, index, upstream, configFile, stateDir, cacheDir, keyring,
    async publish(name, version, deps, extra = {}) {
      const spec = purePythonProject(name, version, { deps });
      Object.assign(spec.files, extra);
      const file = await makeSdist(spec, await mkdtemp(path.join(dir, 'sdists-')));
      const content = await readFile(file);
      index.addFile(name, { filename: path.basename(file), content, signature: await signDetached(content, upstream) });
      latest.set(name, { filename: path.basename(file), sha256: createHash('sha256').update(content).digest('hex') });
      return path.basename(file);
    },
    latest(name) {
      const l = latest.get(name);
      if (!l) throw new Error(`nothing published for ${name}`);
      return { ...l, cached: path.join(cacheDir, 'sha256', l.sha256.slice(0, 2), l.sha256, l.filename) };
    },
    async syncInProcess(opts = {}) {
      const config = parseConfigText(await readFile(configFile, 'utf8'));
      const log = createLogger({ level: 'warn' });
      const workDir = await mkdtemp(path.join(dir, 'work-'));
      const caches = await openSyncCaches(cacheDir, stateDir);
      const env = { log, workDir, cacheDir };
      const built: string[] = [];
      const backend = createRealBackend({
        engine: await selectEngine({ config, deferCheck: true }), env, repoDir: path.join(dir, 'repo'), store: caches.store, maintainer: opts.maintainer,
        fetchOptions: { ...fetchOptionsFrom({}, config), trustLockFile: path.join(stateDir, 'trust-lock.json'), answers: caches.answers, verdicts: caches.verdicts },
        loadKey: () => parseSigningKey(org.armored, undefined), publish: {},
      });
      backend.build = async ({ node, rendered, outDir }) => {
        built.push(`${node.name}=${node.version}`);
        return { files: [await makeDeb(path.join(outDir, 'debian-bookworm'), { name: `python3-${node.name}`, version: rendered.packageVersion })] };
      };
      const report = await runSync({
        manifest: await loadManifest({ packages: config.packages, configFile }), targets: [getTarget('debian-bookworm')], backend,
        stateDir, workDir, cacheDir, jobs: 2, failFast: false, conflictPolicy: 'build',
        keyOptions: { maintainer: opts.maintainer, templates: undefined, runTests: false }, log,
      });
      await caches.store.flush();
      if (!opts.allowFailures) assert.ok(report.ok, JSON.stringify(report.targets[0]?.packages));
      return { report, built: built.sort() };
    },
    async close() {
      await index.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return set;
}
