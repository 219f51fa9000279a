/**
 * `build --plan FILE --job N` (or `--shard K/N`, `--wave W --index I`): one job of a plan, on any
 * machine with an engine, without the org key. The builder trusts nothing it is handed: the sdist
 * must have the plan's sha256, its own render must give the plan's packaging digest, and the build
 * key it recomputes (with its own py2distro version) must be the plan's — else E_PLAN_MISMATCH
 * before any container starts. It writes the artifacts and a build record (inputs, image digest,
 * artifact hashes) into `<out>/job-<N>/`; `sync --collect` checks that record against the plan.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { getTarget } from '../../distro/targets.js';
import { familyOf } from '../../distro/family.js';
import { Py2DistroError } from '../../lib/errors.js';
import { lookupCached, sha256File } from '../../lib/fs/cache.js';
import { downloadFile } from '../../lib/http.js';
import { VERSION } from '../../lib/version.js';
import { buildPackage, ensureImage, type ContainerEngine } from '../../stages/build/index.js';
import { inspectSdist } from '../../stages/inspect/index.js';
import { renderPackaging } from '../../stages/render/index.js';
import { withWorkDir, type RunEnv } from '../run-env.js';
import { packagingDigest } from '../sync/backend.js';
import { buildKey } from '../sync/buildkey.js';
import { readPlan, readRecord, RECORD_FILE, RECORD_SCHEMA, type BuildRecord, type FileHash, type Plan, type PlanJob } from './plan-file.js';

export type JobSelector = { job: number } | { shard: number; of: number; wave?: number } | { wave: number; index: number };

export interface JobRunOptions {
  planFile: string;
  select: JobSelector;
  engine: ContainerEngine;
  outDir: string;
  /** Directories of packages earlier waves built (or the published repository): offered to the build. */
  localRepos: string[];
  /** Directories holding sdists by file name (checked by sha256); else the cache, else the plan's URL. */
  sdistDirs: string[];
  timeoutSeconds?: number;
  keepWork?: boolean;
}

export interface JobRunResult {
  plan: string;
  jobs: { id: number; name: string; target: string; dir: string; record: string; artifacts: string[] }[];
}

export function selectJobs(plan: Plan, select: JobSelector): PlanJob[] {
  if ('job' in select) {
    const job = plan.jobs[select.job];
    if (!job) throw new Py2DistroError('E_USAGE', `the plan has no job ${select.job} (it has ${plan.jobs.length})`);
    return [job];
  }
  if ('index' in select) {
    const id = plan.waves[select.wave]?.[select.index];
    // An index past the end is an empty job: Kubernetes and CI matrices may round up.
    return id === undefined ? [] : [plan.jobs[id]!];
  }
  if (select.shard < 1 || select.shard > select.of) throw new Py2DistroError('E_USAGE', `--shard ${select.shard}/${select.of}: K must be between 1 and N`);
  const pool = select.wave === undefined ? plan.jobs : plan.jobs.filter((j) => j.wave === select.wave);
  return pool.filter((_, i) => i % select.of === select.shard - 1);
}

export async function runPlanJobs(opts: JobRunOptions, env: RunEnv): Promise<JobRunResult> {
  const { plan, sha256 } = await readPlan(opts.planFile);
  if (plan.tool !== VERSION) {
    throw new Py2DistroError('E_PLAN_MISMATCH', `the plan was made by py2distro ${plan.tool}, this is ${VERSION}`);
  }
  const result: JobRunResult = { plan: sha256, jobs: [] };
  for (const job of selectJobs(plan, opts.select)) {
    env.signal?.throwIfAborted();
    const offered = await offeredPackages(opts.localRepos, sha256, job);
    result.jobs.push(await withWorkDir(env, `job-${job.id}`, (stage) => runOne(plan, sha256, job, offered, opts, { ...env, ...stage }), opts.keepWork));
  }
  return result;
}

type Stage = RunEnv & { workDir: string };

async function runOne(plan: Plan, planSha: string, job: PlanJob, offered: { path: string; sha256: string }[], opts: JobRunOptions, env: Stage) {
  const target = getTarget(job.target);
  const planTarget = plan.targets.find((t) => t.name === job.target)!;
  const mismatch = (what: string) => new Py2DistroError('E_PLAN_MISMATCH', `job ${job.id} (${job.name} on ${job.target}): ${what}`);
  const sdist = await obtainSdist(job, opts.sdistDirs, env);
  const inspected = await inspectSdist(sdist, env);
  const rendered = await renderPackaging(
    {
      sdist: inspected, provenance: job.provenance, target, outDir: await mkdtemp(path.join(env.workDir, 'render-')),
      templatesDir: plan.options.templates ?? undefined, maintainer: plan.options.maintainer ?? undefined,
      extras: job.extras, runTests: plan.options.runTests, revision: job.revision, localPackages: new Map(Object.entries(job.localBinaries)),
      ...(planTarget.distroFallback ? { distro: { fallback: planTarget.distroFallback, binaries: job.distroBinaries } } : {}),
    },
    env,
  );
  const digest = await packagingDigest(rendered);
  if (digest !== job.packagingDigest) throw mismatch(`the packaging rendered here (${digest.slice(0, 12)}) is not the plan's (${job.packagingDigest.slice(0, 12)}); same templates and options?`);
  if (rendered.distroVersion !== job.packageVersion) throw mismatch(`renders version ${rendered.distroVersion}, the plan says ${job.packageVersion}`);
  const keyOptions = { maintainer: plan.options.maintainer ?? undefined, templates: plan.options.templates ?? undefined, runTests: plan.options.runTests };
  const key = buildKey({
    sdistSha256: job.sdist.sha256, packagingDigest: digest, dependencyVersions: job.dependencyVersions,
    imageId: planTarget.imageId, toolVersion: VERSION, target: target.name, options: keyOptions,
  });
  if (key !== job.key) throw mismatch('the build key recomputed here is not the plan\'s');
  const image = await ensureImage(target, opts.engine, env);
  if (image.tag !== planTarget.image) throw mismatch(`this py2distro's builder image is ${image.tag}, the plan's ${planTarget.image} (another docker/ context)`);

  const family = familyOf(target);
  const usable = offered.filter((o) => family.isInstallablePackage(o.path));
  let localRepo: string | undefined;
  if (usable.length) {
    localRepo = path.join(env.workDir, 'localrepo');
    await mkdir(localRepo, { recursive: true });
    for (const o of usable) await copyFile(o.path, path.join(localRepo, `${o.sha256.slice(0, 12)}-${path.basename(o.path)}`));
  }
  const dir = path.join(path.resolve(opts.outDir), `job-${job.id}`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const built = await buildPackage(rendered, { target, engine: opts.engine, outDir: dir, localRepo, timeoutSeconds: opts.timeoutSeconds, keepWork: opts.keepWork }, env);
  const hash = async (f: string): Promise<FileHash> => ({ file: path.basename(f), sha256: await sha256File(f) });
  const record: BuildRecord = {
    schema: RECORD_SCHEMA, plan: planSha, job: job.id, target: job.target, name: job.name, version: job.version, revision: job.revision,
    packageVersion: rendered.distroVersion, key, sdistSha256: job.sdist.sha256, packagingDigest: digest,
    image: { tag: image.tag, id: (await opts.engine.imageId(image.tag)) ?? 'unknown' },
    engine: { name: opts.engine.name, transfer: opts.engine.transfer },
    localPackages: usable.map((o) => ({ file: path.basename(o.path), sha256: o.sha256 })),
    artifacts: await Promise.all(built.artifacts.map(hash)), log: await hash(built.log), tool: VERSION, builtAt: new Date().toISOString(),
  };
  const recordFile = path.join(dir, RECORD_FILE);
  await writeFile(recordFile, JSON.stringify(record, null, 2) + '\n');
  env.log.info(`job ${job.id}: ${job.name} ${job.packageVersion} for ${job.target} built into ${dir}`);
  return { id: job.id, name: job.name, target: job.target, dir, record: recordFile, artifacts: built.artifacts };
}

/** The job's sdist, checked against the plan's sha256 wherever it comes from. */
async function obtainSdist(job: PlanJob, sdistDirs: string[], env: Stage): Promise<string> {
  const { filename, sha256, url } = job.sdist;
  for (const d of sdistDirs) {
    const candidate = path.join(path.resolve(d), filename);
    const got = await sha256File(candidate).catch(() => undefined);
    if (got === sha256) return candidate;
  }
  const cached = await lookupCached(env.cacheDir, sha256, filename);
  if (cached) return cached;
  if (!url) throw new Py2DistroError('E_USAGE', `job ${job.id}: ${filename} is a local sdist; pass its directory with --sdists DIR`);
  const dest = path.join(env.workDir, filename);
  const got = await downloadFile(url, dest, { signal: env.signal, log: env.log });
  if (!got) throw new Py2DistroError('E_DOWNLOAD', `job ${job.id}: ${url} answered 404`);
  if (got.sha256 !== sha256) {
    throw new Py2DistroError('E_HASH_MISMATCH', `job ${job.id}: ${filename} from ${got.url} has sha256 ${got.sha256}, the plan says ${sha256}`);
  }
  return dest;
}

/**
 * Package files below the --local-repo directories, with their sha256 (recorded as build inputs).
 * A directory holding a build record offers its artifacts only to the jobs that need that job
 * (other targets' and unrelated jobs' packages stay out), and only files with the recorded hash;
 * files outside any job directory (e.g. a copy of the repository) are offered as they are.
 */
async function offeredPackages(dirs: string[], planSha: string, job: PlanJob): Promise<{ path: string; sha256: string }[]> {
  const out: { path: string; sha256: string }[] = [];
  const verdicts = new Map<string, Map<string, string> | null>();
  const recordOf = async (dir: string) => {
    if (!verdicts.has(dir)) {
      let v: Map<string, string> | null = null;
      const file = path.join(dir, RECORD_FILE);
      if (existsSync(file)) {
        const r = await readRecord(file).catch(() => undefined);
        v = r && r.plan === planSha && job.needs.includes(r.job) ? new Map(r.artifacts.map((a) => [a.file, a.sha256])) : new Map();
      }
      verdicts.set(dir, v);
    }
    return verdicts.get(dir)!;
  };
  for (const d of dirs) {
    const entries = await readdir(path.resolve(d), { recursive: true, withFileTypes: true });
    for (const e of entries) {
      if (!e.isFile() || !/\.(deb|rpm)$/.test(e.name) || e.name.endsWith('.src.rpm')) continue;
      const file = path.join(e.parentPath, e.name);
      const sha256 = await sha256File(file);
      const recorded = await recordOf(e.parentPath);
      if (recorded && recorded.get(e.name) !== sha256) continue;
      out.push({ path: file, sha256 });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : 1));
}
