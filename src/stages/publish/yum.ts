/**
 * Publish signed .rpms into a yum/dnf repository at <repo>/rpm/<target>/. createrepo_c (the
 * reference implementation) writes the metadata; py2distro makes it atomic. dnf with
 * repo_gpgcheck reads repomd.xml and then repomd.xml.asc, and the two must always match, which two
 * file renames cannot promise. So each publish writes a complete generation directory
 * (repodata.<stamp>/: createrepo_c output, repomd.xml.asc, py2distro-packages.json) and swaps the
 * `repodata` symlink to it with one rename. Data files of the previous generation are hard-linked
 * into the new one, so a client that read the old repomd.xml a moment before the swap still
 * finds what it names. The state py2distro reads back is exactly what dnf sees — the signed
 * repomd.xml and the primary.xml it names — and is verified before use (yum-state.ts).
 */
import { createHash } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StageEnv } from '../../lib/env.js';
import { Py2DistroError } from '../../lib/errors.js';
import { run } from '../../lib/exec.js';
import type { SigningKey } from '../sign/index.js';
import { signDetachedArmored } from '../sign/index.js';
import { readRpmInfo, type RpmInfo } from '../sign/index.js';
import { readYumState, parseRepomd, type YumEntry, type YumState } from './yum-state.js';
import { assertRealDirs, removePublished, repoCorrupt, GENERATION } from './trust.js';
import { syncDir, syncFilesystem, tmpPathFor, writeFileAtomic } from '../../lib/fs/atomic.js';
import { IO_CONCURRENCY, mapLimit } from '../../lib/concurrency.js';
import { compareEvr } from '../../distro/rpm/version-compare.js';

export const RPM_TARGET = /^[a-z0-9][a-z0-9.-]{0,40}$/;
export type { YumEntry } from './yum-state.js';

export interface NewRpm {
  input: string;
  info: RpmInfo;
  /** The signed package. */
  bytes: Buffer;
}

export interface YumItem extends Omit<YumEntry, 'file' | 'sha256'> {
  input?: string;
  target: string;
  path: string;
  /** sha256 of main header + payload (see sign/rpm.ts), when known. */
  contentSha256?: string;
}

export interface YumPublishResult {
  added: YumItem[];
  unchanged: YumItem[];
  pruned: YumItem[];
}

export function rpmFileName(info: Pick<RpmInfo, 'name' | 'version' | 'release' | 'arch'>): string {
  const ok = /^[A-Za-z0-9_+][A-Za-z0-9_.+-]*$/.test(info.name) && /^[A-Za-z0-9._+~^]+$/.test(info.version)
    && /^[A-Za-z0-9._+~^]+$/.test(info.release) && /^[a-z0-9_]+$/.test(info.arch);
  if (!ok) throw new Py2DistroError('E_NAME_INVALID', `unsafe rpm name ${JSON.stringify(`${info.name}-${info.version}-${info.release}.${info.arch}`)}`);
  return `${info.name}-${info.version}-${info.release}.${info.arch}.rpm`;
}

const nevra = (e: Pick<YumEntry, 'name' | 'epoch' | 'version' | 'release' | 'arch'>) => `${e.name}-${e.epoch ?? 0}:${e.version}-${e.release}.${e.arch}`;

/** contentSha256 of a published rpm — only if the file still matches the sha256 the signed metadata lists. */
async function publishedContent(targetDir: string, e: YumEntry): Promise<string> {
  const buf = await readFile(path.join(targetDir, e.file)).catch((err) => {
    throw repoCorrupt(`${path.join(targetDir, e.file)}, listed in the signed metadata, is unreadable`, err);
  });
  if (createHash('sha256').update(buf).digest('hex') !== e.sha256) {
    throw repoCorrupt(`${path.join(targetDir, e.file)} does not match the sha256 the signed primary.xml lists`);
  }
  return readRpmInfo(buf).contentSha256;
}

export async function publishYum(
  opts: { repoDir: string; target: string; rpms: NewRpm[]; key: SigningKey; retention?: number },
  env: StageEnv,
): Promise<YumPublishResult> {
  if (!RPM_TARGET.test(opts.target)) throw new Py2DistroError('E_USAGE', `invalid rpm target ${JSON.stringify(opts.target)}`);
  const targetDir = path.join(opts.repoDir, 'rpm', opts.target);
  const state = await readYumState(opts.repoDir, opts.target, opts.key);
  const published = new Map(state.entries.map((e) => [nevra(e), e]));
  const byFile = new Map(state.entries.map((e) => [e.file, e]));
  const result: YumPublishResult = { added: [], unchanged: [], pruned: [] };
  const conflicts: string[] = [];
  const toAdd = new Map<string, NewRpm & { file: string }>();
  for (const rpm of opts.rpms) {
    const { info } = rpm;
    const file = `Packages/${rpmFileName(info)}`;
    const item = toItem({ ...info, file }, opts.target, rpm.input, info.contentSha256);
    const key = nevra(info);
    // The file name carries no epoch: foo 1:2.0 and foo 2.0 share Packages/foo-2.0-….rpm — a conflict.
    const existing = published.get(key) ?? byFile.get(file);
    if (existing) {
      if ((await publishedContent(targetDir, existing)) === info.contentSha256 && nevra(existing) === key) result.unchanged.push(item);
      else conflicts.push(`${key} (${opts.target}) would replace ${file}, published as ${nevra(existing)} with different content`);
    } else if (toAdd.has(key) || [...toAdd.values()].some((r) => r.file === file)) {
      const other = toAdd.get(key) ?? [...toAdd.values()].find((r) => r.file === file)!;
      if (other.info.contentSha256 !== info.contentSha256) conflicts.push(`${key} given twice with different content`);
    } else {
      toAdd.set(key, { ...rpm, file });
      result.added.push(item);
    }
  }
  if (conflicts.length) {
    throw new Py2DistroError('E_REPO_CONFLICT', `refusing to replace published packages:\n  ${conflicts.join('\n  ')}`, { details: { conflicts } });
  }
  if (toAdd.size === 0 && state.generation) return result;

  await assertRealDirs(opts.repoDir, `rpm/${opts.target}/Packages`);
  await mapLimit([...toAdd.values()], IO_CONCURRENCY, async (rpm) => {
    env.signal?.throwIfAborted();
    await writeFileAtomic(path.join(targetDir, rpm.file), rpm.bytes, { fsync: false });
  });
  if (toAdd.size) await syncFilesystem(targetDir);
  let entries: YumEntry[] = [...state.entries, ...[...toAdd.values()].map((r) => ({
    name: r.info.name, epoch: r.info.epoch, version: r.info.version, release: r.info.release, arch: r.info.arch,
    file: r.file, sha256: '',
  }))];
  if (opts.retention) {
    const { kept, pruned } = retain(entries, opts.retention);
    entries = kept;
    result.pruned = pruned.map((e) => toItem(e, opts.target));
    const prunedPaths = new Set(result.pruned.map((p) => p.path));
    result.added = result.added.filter((a) => !prunedPaths.has(a.path));
  }

  const generation = await buildGeneration(targetDir, entries, state, opts.key, env);
  // The swap: one rename of a symlink makes the new generation live.
  const tmpLink = tmpPathFor(path.join(targetDir, 'repodata'));
  await symlink(generation, tmpLink);
  await rename(tmpLink, path.join(targetDir, 'repodata'));
  await syncDir(targetDir);
  env.log.info(`yum ${opts.target}: +${result.added.length} package(s), ${result.unchanged.length} unchanged, ${result.pruned.length} pruned`);

  // Only now: generations older than the previous one, and pruned packages.
  for (const name of await readdir(targetDir)) {
    if (GENERATION.test(name) && name !== generation && name !== state.generation) {
      await rm(path.join(targetDir, name), { recursive: true, force: true });
    }
  }
  for (const p of result.pruned) await removePublished(opts.repoDir, p.path);
  return result;
}

/** Re-sign the verified repomd.xml of the live generation (timer, key rotation); one rename, so always consistent. */
export async function resignYum(repoDir: string, target: string, key: SigningKey): Promise<boolean> {
  const state = await readYumState(repoDir, target, key);
  if (!state.generation || !state.repomd) return false;
  // The bytes signed are the ones just verified, never a second read of the file.
  await writeFileAtomic(path.join(repoDir, 'rpm', target, state.generation, 'repomd.xml.asc'), await signDetachedArmored(state.repomd, key));
  return true;
}

function toItem(e: Omit<YumEntry, 'sha256'>, target: string, input?: string, contentSha256?: string): YumItem {
  return {
    name: e.name, epoch: e.epoch, version: e.version, release: e.release, arch: e.arch,
    input, target, path: `rpm/${target}/${e.file}`, ...(contentSha256 ? { contentSha256 } : {}),
  };
}

function retain(entries: YumEntry[], keep: number): { kept: YumEntry[]; pruned: YumEntry[] } {
  const groups = new Map<string, YumEntry[]>();
  for (const e of entries) groups.set(`${e.name}.${e.arch}`, [...(groups.get(`${e.name}.${e.arch}`) ?? []), e]);
  const kept: YumEntry[] = [];
  const pruned: YumEntry[] = [];
  for (const list of groups.values()) {
    list.sort((a, b) => compareEvr(b, a));
    kept.push(...list.slice(0, keep));
    pruned.push(...list.slice(keep));
  }
  return { kept, pruned };
}

async function buildGeneration(targetDir: string, entries: YumEntry[], previous: YumState, key: SigningKey, env: StageEnv): Promise<string> {
  const work = tmpPathFor(path.join(targetDir, 'work'));
  await mkdir(work, { recursive: true });
  try {
    const list = path.join(work, 'pkglist');
    await writeFile(list, entries.map((e) => e.file).sort().join('\n') + '\n');
    const args = ['--quiet', '--no-database', '--general-compress-type=gz', '--pkglist', list, '--outputdir', work];
    // --update reuses the previous (verified) metadata of unchanged files (same name, size, mtime): no re-read.
    if (previous.generation) args.push('--update', '--update-md-path', path.join(targetDir, previous.generation));
    await run('createrepo_c', [...args, targetDir], { signal: env.signal, log: env.log, timeout: 30 * 60_000 });
    const out = path.join(work, 'repodata');
    const repomd = await readFile(path.join(out, 'repomd.xml'));
    parseRepomd(repomd.toString('utf8'), 'the repomd.xml createrepo_c just wrote'); // sign only the format we read back
    await writeFile(path.join(out, 'repomd.xml.asc'), await signDetachedArmored(repomd, key));
    // Hard-link the data files of the previous generation (same names = same content) for clients mid-update.
    for (const d of previous.data) await link(path.join(targetDir, previous.generation!, d.name), path.join(out, d.name)).catch(() => undefined);
    const stamp = new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').replace('Z', '');
    const generation = `repodata.${stamp}-${process.pid}`;
    await rename(out, path.join(targetDir, generation));
    return generation;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
