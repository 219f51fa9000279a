/**
 * The publish stage's programmatic API: sign packages with the organisation key and add them to
 * the apt (<repo>/deb/) and yum (<repo>/rpm/<target>/) repositories under one repository lock.
 * Expected outcomes are values: `added`, `unchanged` (same content already published — a no-op),
 * `pruned` (retention). A different package under a published name+version is E_REPO_CONFLICT and
 * nothing is written. Pruned files are deleted only after the new indexes are live.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import type { StageEnv } from '../../lib/env.js';
import { Py2DistroError } from '../../lib/errors.js';
import type { AptItem, NewDeb } from './apt/apt.js';
import { IO_CONCURRENCY, mapLimit } from '../../lib/concurrency.js';
import { writeFileAtomic, removeStaleTemps, type SourceFile } from '../../lib/fs/atomic.js';
import { isAr } from '../../distro/deb/ar.js';
import { acquireLock } from '../../lib/fs/lock.js';
import type { NewRpm, YumItem } from './yum.js';
import { addDebOrigin } from '../sign/index.js';
import type { SigningKey } from '../sign/index.js';
import { readRpmInfo, signRpm } from '../sign/index.js';
import { TARGETS } from '../../distro/targets.js';
import { assertRealDirs, assertRegularFile, CODENAME, RPM_TARGET } from './trust.js';
import { phaseTimer } from '../../lib/timing.js';
import { absolutePath } from '../../lib/paths.js';

/** How a repository is published, the same for `repo publish`, `build --repo` and `sync`. */
export interface PublishSettings {
  origin?: string;
  label?: string;
  validUntilDays?: number;
  /** Keep the newest N versions of each package; older ones are pruned after the indexes are live. */
  retention?: number;
  /** Add a debsigs-style _gpgorigin member to each .deb (off by default). */
  signDebOrigin?: boolean;
  /** How long to wait for another publisher's lock, in ms (default 0: fail at once). */
  lockWaitMs?: number;
}

export interface PublishOptions extends PublishSettings {
  repoDir: string;
  files: string[];
  key: SigningKey;
  /** apt codename for .debs; else inferred from a target name or codename in the file's path. */
  codename?: string;
  /** yum target directory for .rpms; else inferred from a target name in the file's path. */
  rpmTarget?: string;
  /** Release Date (tests of Valid-Until); the signatures always carry the real time. */
  now?: Date;
}

export type PublishedItem = (AptItem & { kind: 'deb' }) | (YumItem & { kind: 'rpm' });

export interface PublishResult {
  repoDir: string;
  added: PublishedItem[];
  unchanged: PublishedItem[];
  pruned: PublishedItem[];
}

export async function publishPackages(opts: PublishOptions, env: StageEnv): Promise<PublishResult> {
  const repoDir = path.resolve(opts.repoDir);
  if (opts.codename && !CODENAME.test(opts.codename)) throw new Py2DistroError('E_USAGE', `invalid --codename ${JSON.stringify(opts.codename)}`);
  if (opts.rpmTarget && !RPM_TARGET.test(opts.rpmTarget)) throw new Py2DistroError('E_USAGE', `invalid --rpm-target ${JSON.stringify(opts.rpmTarget)}`);
  // Read, classify and sign everything before taking the lock or touching the repository.
  const timer = phaseTimer(env.log, 'publish phases');
  // The apt and yum publishers (and their modules) load only when there are packages of theirs — by
  // name here, so that the loader's file reads overlap the signing; what a file is, its content decides below.
  const yum = opts.files.some((f) => f.endsWith('.rpm')) ? import('./yum.js') : undefined;
  const apt = opts.files.some((f) => f.endsWith('.deb')) ? import('./apt/apt.js') : undefined;
  for (const p of [yum, apt]) p?.catch(() => undefined); // awaited below when there are such packages
  const debs = new Map<string, NewDeb[]>();
  const rpms = new Map<string, NewRpm[]>();
  const prepared = await mapLimit(opts.files, IO_CONCURRENCY, (file) => preparePackage(file, opts, env));
  for (const p of prepared) {
    if (p.kind === 'deb') append(debs, p.group, p.deb);
    else append(rpms, p.group, p.rpm);
  }
  timer.lap(`read+sign ${opts.files.length} input(s)`);

  const lock = await acquireLock(repoDir, { waitMs: opts.lockWaitMs, signal: env.signal, activity: 'published' });
  try {
    await removeStaleTempsOf(repoDir, [...rpms.keys()]);
    await exportPublicKeys(repoDir, opts.key, { deb: debs.size > 0, rpm: rpms.size > 0 });
    timer.lap('lock, temps, key files');
    const result: PublishResult = { repoDir, added: [], unchanged: [], pruned: [] };
    for (const [codename, list] of debs) {
      const { publishApt } = await (apt ?? import('./apt/apt.js'));
      const r = await publishApt({
        repoDir, codename, debs: list, key: opts.key, origin: opts.origin, label: opts.label,
        validUntilDays: opts.validUntilDays, retention: opts.retention, now: opts.now,
      }, env);
      result.added.push(...r.added.map((i) => ({ ...i, kind: 'deb' as const })));
      result.unchanged.push(...r.unchanged.map((i) => ({ ...i, kind: 'deb' as const })));
      result.pruned.push(...r.pruned.map((i) => ({ ...i, kind: 'deb' as const })));
    }
    const { publishYum } = rpms.size ? await (yum ?? import('./yum.js')) : { publishYum: undefined };
    for (const [target, list] of rpms) {
      const r = await publishYum!({ repoDir, target, rpms: list, key: opts.key, retention: opts.retention }, env);
      result.added.push(...r.added.map((i) => ({ ...i, kind: 'rpm' as const })));
      result.unchanged.push(...r.unchanged.map((i) => ({ ...i, kind: 'rpm' as const })));
      result.pruned.push(...r.pruned.map((i) => ({ ...i, kind: 'rpm' as const })));
    }
    timer.lap('publish');
    timer.done();
    return result;
  } finally {
    await lock.release();
  }
}

function append<T>(groups: Map<string, T[]>, group: string, item: T): void {
  const list = groups.get(group);
  if (list) list.push(item);
  else groups.set(group, [item]);
}

type Prepared =
  | { kind: 'deb'; group: string; deb: NewDeb }
  | { kind: 'rpm'; group: string; rpm: NewRpm };

/** Read one input, decide deb or rpm and its codename/target, and sign it (rpm header, optional _gpgorigin). */
async function preparePackage(file: string, opts: PublishOptions, env: StageEnv): Promise<Prepared> {
  env.signal?.throwIfAborted();
  let bytes: Buffer;
  let source: SourceFile;
  try {
    // Synchronous (for thousands of small packages the thread-pool round trips cost more than the
    // reads), one fstat, then exactly that many bytes (readFileSync would fstat again): system calls
    // are most of reading a small package.
    const fd = openInput(file);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new Py2DistroError('E_USAGE', `${file} is not a regular file`);
      bytes = readExactly(fd, st.size, file);
      source = { path: absolutePath(file), ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err instanceof Py2DistroError) throw err;
    throw new Py2DistroError('E_USAGE', `cannot read ${file}`, { cause: err });
  }
  if (isAr(bytes)) {
    const group = opts.codename ?? inferCodename(file);
    const original = bytes;
    if (opts.signDebOrigin) bytes = await addDebOrigin(bytes, opts.key);
    const { readDebInfo } = await import('../../distro/deb/deb-file.js');
    const deb = { input: file, info: await readDebInfo(bytes, path.basename(file)), bytes, ...(bytes === original ? { source } : {}) };
    return { kind: 'deb', group, deb };
  }
  if (bytes.length > 4 && bytes.readUInt32BE(0) === 0xedabeedb) {
    const group = opts.rpmTarget ?? inferRpmTarget(file);
    const signed = await signRpm(bytes, opts.key);
    env.log.debug(`${path.basename(file)}: rpm signature ${signed.status}${signed.sizeKept ? '' : ' (file size changed: no reserved space)'}`);
    return { kind: 'rpm', group, rpm: { input: file, info: readRpmInfo(signed.bytes), bytes: signed.bytes } };
  }
  throw new Py2DistroError('E_PACKAGE_FORMAT', `${file} is neither a .deb nor an .rpm`);
}

/** O_NOATIME is refused (EPERM) for a file that is not ours unless we are root; then it is not asked again. */
let noAtime = constants.O_NOATIME ?? 0;

/**
 * An input, opened without updating its access time where the kernel allows (the publish does not
 * touch its inputs' metadata, and the first read of thousands of files after their ctime changed —
 * a hard link added or removed — otherwise dirties every inode).
 */
function openInput(file: string): number {
  if (noAtime) {
    try {
      return openSync(file, constants.O_RDONLY | noAtime);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
      noAtime = 0;
    }
  }
  return openSync(file, 'r');
}

/** `size` bytes from the start of fd; a file that ends sooner changed while it was read. */
function readExactly(fd: number, size: number, file: string): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let done = 0;
  while (done < size) {
    const n = readSync(fd, buf, done, size - done, done);
    if (n === 0) throw new Py2DistroError('E_USAGE', `${file} changed while it was read (it is shorter than its size)`);
    done += n;
  }
  return buf;
}

/**
 * Temporaries of killed runs, where py2distro writes them — never a walk of the whole pool (that
 * would make every publish proportional to the repository): the top directories, dists/ and the
 * yum targets being published, and deb/pool/ where pool files are staged.
 */
async function removeStaleTempsOf(repoDir: string, rpmTargets: string[]): Promise<void> {
  for (const d of ['', '.py2distro', 'deb', 'deb/pool', 'rpm']) await removeStaleTemps(path.join(repoDir, d), { recursive: false });
  await removeStaleTemps(path.join(repoDir, 'deb', 'dists'));
  for (const t of rpmTargets) {
    if (!RPM_TARGET.test(t)) continue;
    await removeStaleTemps(path.join(repoDir, 'rpm', t), { recursive: false });
    await removeStaleTemps(path.join(repoDir, 'rpm', t, 'Packages'), { recursive: false });
  }
}

/**
 * key.asc / key.gpg next to the indexes, rewritten only when they differ (key rotation). They are a
 * convenience for clients; py2distro itself never trusts them (see SigningKey.verifiers).
 */
export async function exportPublicKeys(repoDir: string, key: SigningKey, which: { deb: boolean; rpm: boolean }): Promise<void> {
  for (const sub of [...(which.deb ? ['deb'] : []), ...(which.rpm ? ['rpm'] : [])]) await assertRealDirs(repoDir, sub);
  const files: Array<[string, string | Uint8Array]> = [];
  if (which.deb) files.push([path.join(repoDir, 'deb', 'key.asc'), key.publicArmored], [path.join(repoDir, 'deb', 'key.gpg'), key.publicBinary]);
  if (which.rpm) files.push([path.join(repoDir, 'rpm', 'key.asc'), key.publicArmored]);
  // Only what differs is rewritten, the files side by side (each write ends in an fsync).
  await Promise.all(files.map(async ([file, data]) => {
    const current = (await assertRegularFile(file)) ? readFileSync(file) : undefined;
    if (!current || !current.equals(Buffer.from(data))) await writeFileAtomic(file, data);
  }));
}

/** A deb target name (debian-bookworm) or codename (bookworm) that appears in the file's path. */
export function inferCodename(file: string): string {
  const tokens = new Set(path.resolve(file).split(/[/_~+]/).flatMap((t) => [t, ...t.split(/[.-]/)]));
  const found = new Set<string>();
  for (const t of TARGETS.filter((x) => x.family === 'deb')) {
    if ([...tokens].some((tok) => tok === t.name || tok === t.codename || tok.includes(t.name))) found.add(t.codename);
  }
  if (found.size === 1) return [...found][0]!;
  throw new Py2DistroError('E_USAGE', `cannot tell which distribution ${path.basename(file)} is for`, {
    hint: 'Pass --codename (e.g. bookworm), or keep the build output under a directory named after its target (debian-bookworm/).',
  });
}

export function inferRpmTarget(file: string): string {
  const full = path.resolve(file);
  const found = TARGETS.filter((t) => t.family === 'rpm' && (full.includes(`/${t.name}/`) || full.includes(t.distTag + '.')));
  if (found.length === 1) return found[0]!.name;
  throw new Py2DistroError('E_USAGE', `cannot tell which rpm target ${path.basename(file)} is for`, {
    hint: 'Pass --rpm-target (e.g. fedora-41), or keep the build output under a directory named after its target.',
  });
}
