/**
 * The sync run as the CLI and library users call it: assemble the manifest (config `packages:`,
 * requirement and constraint files, extras), wire the real backend (stages through their doors),
 * run the orchestrator (run.ts) and write the reports. Returns the report; a failed package is a
 * value in it, not a throw (the caller decides the exit code).
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isInstallablePackage } from '../../distro/family.js';
import type { Target } from '../../distro/targets.js';
import type { ContainerEngine } from '../../stages/build/index.js';
import type { FetchOptions } from '../../stages/fetch/index.js';
import type { PublishSettings } from '../../stages/publish/index.js';
import type { SigningKey } from '../../stages/sign/index.js';
import type { RenderSettings } from '../render.js';
import type { RunEnv } from '../run-env.js';
import { createRealBackend } from './backend.js';
import { loadManifest, type ManifestInput } from './manifest.js';
import { writeReport, type SyncReport } from './report.js';
import { runSync } from './run.js';
import { openSyncCaches } from './caches.js';
import { phaseTimer } from '../../lib/timing.js';

export interface SyncRunOptions {
  manifest: ManifestInput;
  targets: Target[];
  fetch: FetchOptions;
  render: RenderSettings;
  engine: ContainerEngine;
  repoDir: string;
  /** Loaded on first publish: a no-op sync needs neither the key nor its passphrase. */
  loadKey: () => Promise<SigningKey>;
  publish: PublishSettings;
  stateDir: string;
  reportDir: string;
  /** Work directory kept after the run (`--out`); default a temporary one, removed. */
  outDir?: string;
  keepWork?: boolean;
  jobs: number;
  failFast: boolean;
  conflictPolicy: 'build' | 'fail';
  buildTimeoutSeconds?: number;
  /** Directory of package files offered to every build (build's --local-repo). */
  localRepo?: string;
  allowDistroNames?: string[];
}

export type SyncRunResult = SyncReport & { reportFiles: { json: string; markdown: string } };

/** Where sync keeps its trust lock unless `--trust-lock` / `trust-lock:` says otherwise. */
export function defaultTrustLock(stateDir: string): string {
  return path.join(path.resolve(stateDir), 'trust-lock.json');
}

export async function runSyncSet(opts: SyncRunOptions, env: RunEnv): Promise<SyncRunResult> {
  const timer = phaseTimer(env.log, 'sync run');
  const manifest = await loadManifest(opts.manifest);
  timer.lap('manifest');
  // A nightly sync is where a changed identity must show up: it always keeps a trust lock.
  const caches = await openSyncCaches(env.cacheDir, opts.stateDir);
  const fetchOptions: FetchOptions = { ...opts.fetch, trustLockFile: opts.fetch.trustLockFile ?? defaultTrustLock(opts.stateDir), answers: caches.answers, verdicts: caches.verdicts };
  env.log.info(`trust lock: ${fetchOptions.trustLockFile}`);
  for (const e of manifest.entries) {
    const extra = [...(opts.render.extras ?? []), ...((e.name && opts.render.extrasByProject?.[e.name]) || [])];
    if (extra.length) e.extras = [...new Set([...e.extras, ...extra])];
  }
  let workDir: string;
  if (opts.outDir) {
    workDir = path.resolve(opts.outDir);
    await mkdir(workDir, { recursive: true });
  } else {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'py2distro-sync-'));
  }
  const stage = { log: env.log, signal: env.signal, workDir, cacheDir: env.cacheDir };
  const keyOptions = { maintainer: opts.render.maintainer, templates: opts.render.templatesDir, runTests: Boolean(opts.render.runTests) };
  const backend = createRealBackend({
    engine: opts.engine, env: stage, repoDir: path.resolve(opts.repoDir), fetchOptions, loadKey: opts.loadKey,
    templatesDir: opts.render.templatesDir, maintainer: opts.render.maintainer, runTests: keyOptions.runTests,
    buildTimeoutSeconds: opts.buildTimeoutSeconds, keepWork: opts.keepWork,
    extraLocalPackages: opts.localRepo ? await packageFiles(path.resolve(opts.localRepo)) : undefined,
    publish: opts.publish, store: caches.store,
    allowDistroNames: opts.allowDistroNames,
  });
  let report: SyncReport;
  try {
    report = await runSync({
      manifest, targets: opts.targets, backend, stateDir: opts.stateDir, workDir, cacheDir: env.cacheDir, log: env.log, signal: env.signal,
      jobs: opts.jobs, failFast: opts.failFast, conflictPolicy: opts.conflictPolicy, keyOptions,
    });
    timer.lap('sync');
    await caches.store.flush();
    timer.lap('caches packed');
  } finally {
    if (!opts.outDir && !opts.keepWork) await rm(workDir, { recursive: true, force: true });
  }
  timer.lap('work dir removed');
  report.trustLock = fetchOptions.trustLockFile;
  const reportFiles = await writeReport(opts.reportDir, report);
  timer.lap('report');
  timer.done();
  return { ...report, reportFiles };
}

async function packageFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && isInstallablePackage(e.name)).map((e) => path.join(e.parentPath, e.name));
}
