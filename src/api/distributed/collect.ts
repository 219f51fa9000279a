/**
 * `sync --collect DIR... --plan FILE`: the one place that holds the org key. Every build record
 * found under DIR is checked against the plan — same plan (by hash), a job of it, the same sdist,
 * packaging digest, version and build key, the plan's builder image tag, every artifact present
 * with its recorded sha256 and nothing else in the job's directory, and every package the build
 * was offered either an earlier job's artifact or a file already in the repository. Every job needs
 * exactly one record. Any problem refuses the whole collection (E_COLLECT_REFUSED, all listed)
 * before anything is signed. Then, under the sync lock and only if the state has not moved since
 * the plan (E_PLAN_STALE), each wave is signed and published and the state recorded, as sync does.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { familyOf } from '../../distro/family.js';
import { getTarget } from '../../distro/targets.js';
import { Py2DistroError } from '../../lib/errors.js';
import { sha256File } from '../../lib/fs/cache.js';
import { publishPackages, type PublishSettings } from '../../stages/publish/index.js';
import type { SigningKey } from '../../stages/sign/index.js';
import type { RunEnv } from '../run-env.js';
import { stateFileOf } from '../sync/run.js';
import { acquireSyncLock, loadState, saveState, type PackageState } from '../sync/state.js';
import { readPlan, readRecord, RECORD_FILE, type BuildRecord, type Plan } from './plan-file.js';

export interface CollectOptions {
  planFile: string;
  dirs: string[];
  repoDir: string;
  stateDir: string;
  loadKey: () => Promise<SigningKey>;
  publish: PublishSettings;
}

export interface CollectResult {
  plan: string;
  jobs: number;
  published: string[];
}

interface Checked {
  record: BuildRecord;
  dir: string;
}

async function findRecords(dirs: string[]): Promise<string[]> {
  const found: string[] = [];
  for (const d of dirs) {
    const entries = await readdir(path.resolve(d), { recursive: true, withFileTypes: true });
    for (const e of entries) if (e.name === RECORD_FILE && e.isFile()) found.push(path.join(e.parentPath, e.name));
  }
  return found.sort();
}

/** All problems of a collection, or the checked records by job id. */
export async function checkCollection(plan: Plan, planSha: string, dirs: string[], repoHashes: Set<string>): Promise<{ problems: string[]; byJob: Map<number, Checked> }> {
  const problems: string[] = [];
  const byJob = new Map<number, Checked>();
  for (const file of await findRecords(dirs)) {
    const dir = path.dirname(file);
    let record: BuildRecord;
    try {
      record = await readRecord(file);
    } catch (err) {
      problems.push((err as Error).message);
      continue;
    }
    const where = `${file}`;
    if (record.plan !== planSha) { problems.push(`${where}: made for another plan (${record.plan.slice(0, 12)})`); continue; }
    const job = plan.jobs[record.job];
    if (!job) { problems.push(`${where}: job ${record.job} is not in the plan`); continue; }
    if (byJob.has(job.id)) { problems.push(`${where}: a second record for job ${job.id}`); continue; }
    const fields = ['target', 'name', 'version', 'revision', 'packageVersion', 'key', 'packagingDigest'] as const;
    for (const f of fields) if (record[f] !== job[f]) problems.push(`${where}: ${f} ${JSON.stringify(record[f])} is not the plan's ${JSON.stringify(job[f])}`);
    if (record.sdistSha256 !== job.sdist.sha256) problems.push(`${where}: built from sdist ${record.sdistSha256.slice(0, 12)}, the plan's is ${job.sdist.sha256.slice(0, 12)}`);
    const image = plan.targets.find((t) => t.name === job.target)!.image;
    if (record.image.tag !== image) problems.push(`${where}: built in ${record.image.tag}, the plan's image is ${image}`);
    // Exactly the recorded files: the record, the log and the artifacts, each with its hash.
    const expected = new Map([...record.artifacts, record.log].map((a) => [a.file, a.sha256]));
    if (expected.size !== record.artifacts.length + 1) problems.push(`${where}: a file is listed twice`);
    const present = await readdir(dir, { withFileTypes: true });
    for (const e of present) {
      if (e.name === RECORD_FILE) continue;
      if (!expected.has(e.name)) problems.push(`${where}: ${e.name} is not in the record`);
      else if (!e.isFile()) problems.push(`${where}: ${e.name} is not a regular file`);
    }
    for (const [name, sha] of expected) {
      const actual = await sha256File(path.join(dir, name)).catch(() => undefined);
      if (actual === undefined) problems.push(`${where}: ${name} is missing`);
      else if (actual !== sha) problems.push(`${where}: ${name} has sha256 ${actual.slice(0, 12)}…, the record says ${sha.slice(0, 12)}… (tampered)`);
    }
    if (!record.artifacts.some((a) => familyOf(getTarget(job.target)).isInstallablePackage(a.file))) problems.push(`${where}: no installable package`);
    byJob.set(job.id, { record, dir });
  }
  for (const job of plan.jobs) if (!byJob.has(job.id)) problems.push(`job ${job.id} (${job.name} on ${job.target}): no build record`);
  // A build may only have installed our own packages: earlier jobs' artifacts or the repository's.
  for (const [id, { record }] of byJob) {
    const job = plan.jobs[id]!;
    const allowed = new Set(repoHashes);
    for (const n of plan.jobs.filter((j) => j.target === job.target && j.wave < job.wave)) {
      for (const a of byJob.get(n.id)?.record.artifacts ?? []) allowed.add(a.sha256);
    }
    for (const lp of record.localPackages) {
      if (!allowed.has(lp.sha256)) problems.push(`job ${id}: built against ${lp.file} (${lp.sha256.slice(0, 12)}), which is neither an earlier job's artifact nor in the repository`);
    }
  }
  return { problems, byJob };
}

async function repositoryHashes(repoDir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const entries = await readdir(repoDir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isFile() && /\.(deb|rpm)$/.test(e.name)) out.add(await sha256File(path.join(e.parentPath, e.name)));
  return out;
}

export async function collectPlan(opts: CollectOptions, env: RunEnv): Promise<CollectResult> {
  const { plan, sha256 } = await readPlan(opts.planFile);
  const repoDir = path.resolve(opts.repoDir);
  const { problems, byJob } = await checkCollection(plan, sha256, opts.dirs, await repositoryHashes(repoDir));
  if (problems.length) {
    throw new Py2DistroError('E_COLLECT_REFUSED', `refused to publish: ${problems.length} problem(s): ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? '; …' : ''}`, {
      details: { problems },
    });
  }
  const release = await acquireSyncLock(opts.stateDir);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'py2distro-collect-'));
  const published: string[] = [];
  try {
    const state = await loadState(stateFileOf(opts.stateDir));
    const stale = plan.jobs.filter((j) => (state.targets[j.target]?.[j.name]?.key ?? null) !== j.previousKey);
    if (stale.length) {
      throw new Py2DistroError('E_PLAN_STALE', `the sync state changed since the plan for ${stale.map((j) => `${j.name} (${j.target})`).join(', ')}`);
    }
    const key = await opts.loadKey();
    for (const [w, ids] of plan.waves.entries()) {
      for (const t of plan.targets) {
        const jobs = ids.map((id) => plan.jobs[id]!).filter((j) => j.target === t.name);
        if (!jobs.length) continue;
        const target = getTarget(t.name);
        const family = familyOf(target);
        // Publish private copies, re-hashed: what is signed is exactly what was checked.
        const inputs = new Map<string, number>();
        for (const job of jobs) {
          const { record, dir } = byJob.get(job.id)!;
          const copyDir = path.join(workDir, `job-${job.id}`);
          await mkdir(copyDir, { recursive: true });
          for (const a of record.artifacts.filter((x) => family.isInstallablePackage(x.file))) {
            const copy = path.join(copyDir, a.file);
            await copyFile(path.join(dir, a.file), copy);
            if ((await sha256File(copy)) !== a.sha256) throw new Py2DistroError('E_COLLECT_REFUSED', `${a.file} changed while it was being collected`);
            inputs.set(copy, job.id);
          }
        }
        const result = await publishPackages(
          { repoDir, files: [...inputs.keys()], key, ...opts.publish, ...family.publishGroup(target) },
          { log: env.log, signal: env.signal, workDir, cacheDir: env.cacheDir },
        );
        const where = new Map([...result.added, ...result.unchanged].filter((i) => i.input).map((i) => [i.input!, i.path]));
        const targetState = (state.targets[t.name] ??= {});
        for (const job of jobs) {
          const files = [...inputs].filter(([, id]) => id === job.id).map(([f]) => where.get(f) ?? path.basename(f));
          const entry: PackageState = {
            name: job.name, version: job.version, revision: job.revision, packageVersion: job.packageVersion, key: job.key,
            sdistSha256: job.sdist.sha256, files, builtAt: new Date().toISOString(),
          };
          targetState[job.name] = entry;
          published.push(...files);
        }
        await saveState(stateFileOf(opts.stateDir), state);
        env.log.info(`wave ${w} of ${t.name}: published ${jobs.length} package(s)`);
      }
    }
  } finally {
    await release();
    await rm(workDir, { recursive: true, force: true });
  }
  return { plan: sha256, jobs: plan.jobs.length, published };
}
