/**
 * The two files that travel between machines when a sync is split into jobs: the plan (`sync
 * --plan`, read by every builder and by `sync --collect`) and the build record each job writes.
 * Both cross trust boundaries (CI artifacts, shared volumes), so reading one means: size limit,
 * JSON parse, strict validation against schema/py2distro-plan.schema.json (no unknown key, every
 * name and file name in its grammar), then cross-field checks the schema cannot express.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { Py2DistroError } from '../../lib/errors.js';
import { packagePath } from '../../lib/paths.js';
import type { ShippedProvenance } from '../../stages/render/index.js';

export const PLAN_SCHEMA = 'py2distro-plan/1';
export const RECORD_SCHEMA = 'py2distro-build-record/1';
export const RECORD_FILE = 'build-record.json';
const MAX_BYTES = 64 * 1024 * 1024;

export interface PlanJob {
  id: number;
  wave: number;
  target: string;
  name: string;
  version: string;
  revision: number;
  packageVersion: string;
  sdist: { filename: string; sha256: string; url?: string };
  extras: string[];
  /** Our dependencies' binary package names (render's localPackages), by project. */
  localBinaries: Record<string, string>;
  packagingDigest: string;
  dependencyVersions: Record<string, string>;
  key: string;
  /** The key published when the plan was made (null: never); collect refuses if the state moved. */
  previousKey: string | null;
  /** The archive's binaries (name → version) render looked up for this package (deb targets). */
  distroBinaries: Record<string, string>;
  provenance: ShippedProvenance;
  /** Jobs of earlier waves whose packages this build may install (transitive dependencies). */
  needs: number[];
}

export interface Plan {
  schema: typeof PLAN_SCHEMA;
  tool: string;
  createdAt: string;
  options: { maintainer: string | null; templates: string | null; runTests: boolean };
  /** distroFallback: dh-python's project → binary table of the target's archive (deb), for render. */
  targets: { name: string; image: string; imageId: string; distroFallback: Record<string, string> | null }[];
  waves: number[][];
  jobs: PlanJob[];
  unchanged: { target: string; name: string; version: string }[];
}

export interface FileHash {
  file: string;
  sha256: string;
}

export interface BuildRecord {
  schema: typeof RECORD_SCHEMA;
  /** sha256 of the plan file's bytes. */
  plan: string;
  job: number;
  target: string;
  name: string;
  version: string;
  revision: number;
  packageVersion: string;
  /** The key the builder recomputed from what it really fetched and rendered. */
  key: string;
  sdistSha256: string;
  packagingDigest: string;
  image: { tag: string; id: string };
  engine: { name: 'podman' | 'docker'; transfer: 'bind' | 'copy' };
  /** Every package file offered to the build (--local-repo), by hash. */
  localPackages: FileHash[];
  artifacts: FileHash[];
  log: FileHash;
  tool: string;
  builtAt: string;
}

const require = createRequire(import.meta.url);
let validators: { plan: ValidateFunction; record: ValidateFunction } | undefined;
function schemaValidators() {
  if (!validators) {
    const { Ajv } = require('ajv') as typeof import('ajv');
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    ajv.addSchema(require(packagePath('schema', 'py2distro-plan.schema.json')) as object, 'plan');
    validators = { plan: ajv.getSchema('plan#/definitions/plan')!, record: ajv.getSchema('plan#/definitions/record')! };
  }
  return validators;
}

async function readJson(file: string, what: string): Promise<{ data: unknown; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new Py2DistroError('E_USAGE', `cannot read ${what} ${file}`, { cause });
  }
  if (bytes.length > MAX_BYTES) throw new Py2DistroError('E_PLAN_INVALID', `${what} ${file} is larger than ${MAX_BYTES} bytes`);
  try {
    return { data: JSON.parse(bytes.toString('utf8')), sha256: createHash('sha256').update(bytes).digest('hex') };
  } catch (cause) {
    throw new Py2DistroError('E_PLAN_INVALID', `${what} ${file} is not JSON`, { cause });
  }
}

function refuse(what: string, file: string, problems: string[]): never {
  throw new Py2DistroError('E_PLAN_INVALID', `${what} ${file} is not valid: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (+${problems.length - 5} more)` : ''}`, {
    details: { problems },
  });
}

function schemaProblems(v: ValidateFunction): string[] {
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** Read and validate a plan; returns it with the sha256 of its bytes (what records refer to). */
export async function readPlan(file: string): Promise<{ plan: Plan; sha256: string }> {
  const { data, sha256 } = await readJson(file, 'plan');
  const v = schemaValidators().plan;
  if (!v(data)) refuse('plan', file, schemaProblems(v));
  const plan = data as Plan;
  const problems: string[] = [];
  const targets = new Set(plan.targets.map((t) => t.name));
  if (targets.size !== plan.targets.length) problems.push('a target is listed twice');
  plan.jobs.forEach((j, i) => {
    if (j.id !== i) problems.push(`jobs[${i}] has id ${j.id}`);
    if (!targets.has(j.target)) problems.push(`job ${i}: target ${j.target} is not in targets`);
    for (const n of j.needs) {
      if (!plan.jobs[n] || plan.jobs[n].wave >= j.wave || plan.jobs[n].target !== j.target) problems.push(`job ${i} needs job ${n}, which is not an earlier wave of ${j.target}`);
    }
  });
  const seen = new Set<string>();
  for (const j of plan.jobs) {
    if (seen.has(`${j.target}\0${j.name}`)) problems.push(`${j.name} is planned twice for ${j.target}`);
    seen.add(`${j.target}\0${j.name}`);
  }
  const listed = plan.waves.flat();
  if (listed.length !== plan.jobs.length || new Set(listed).size !== listed.length) problems.push('waves must list every job exactly once');
  plan.waves.forEach((w, i) => w.forEach((id) => { if (plan.jobs[id]?.wave !== i) problems.push(`wave ${i} lists job ${id} of another wave`); }));
  if (problems.length) refuse('plan', file, problems);
  return { plan, sha256 };
}

export async function readRecord(file: string): Promise<BuildRecord> {
  const { data } = await readJson(file, 'build record');
  const v = schemaValidators().record;
  if (!v(data)) refuse('build record', file, schemaProblems(v));
  return data as BuildRecord;
}
