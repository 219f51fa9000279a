/**
 * Publish signed .rpms into a yum/dnf repository at <repo>/rpm/<target>/. createrepo_c (the
 * reference implementation) writes the metadata; py2distro makes it atomic. dnf with
 * repo_gpgcheck reads repomd.xml and then repomd.xml.asc, and the two must always match, which two
 * file renames cannot promise. So each publish writes a complete generation directory
 * (repodata.<stamp>/: createrepo_c output, repomd.xml.asc, py2distro-packages.json) and swaps the
 * `repodata` symlink to it with one rename. Data files of the previous generation are hard-linked
 * into the new one, so a client that read the old repomd.xml a moment before the swap still
 * finds what it names. The package list (py2distro-packages.json) lives inside the generation, so
 * the state py2distro reads back is always exactly what dnf sees.
 */
import { link, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StageEnv } from '../../lib/env.js';
import { Py2DistroError } from '../../lib/errors.js';
import { run } from '../../lib/exec.js';
import type { SigningKey } from '../sign/index.js';
import { signDetachedArmored } from '../sign/index.js';
import type { RpmInfo } from '../sign/index.js';
import { syncDir, syncFilesystem, tmpPathFor, writeFileAtomic } from '../../lib/fs/atomic.js';
import { IO_CONCURRENCY, mapLimit } from '../../lib/concurrency.js';
import { compareEvr } from '../../distro/rpm/version-compare.js';

export const RPM_TARGET = /^[a-z0-9][a-z0-9.-]{0,40}$/;
const STATE_FILE = 'py2distro-packages.json';

export interface YumEntry {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch: string;
  /** Relative to the target directory: Packages/<file>.rpm */
  file: string;
  contentSha256: string;
}

export interface NewRpm {
  input: string;
  info: RpmInfo;
  /** The signed package. */
  bytes: Buffer;
}

export interface YumItem extends Omit<YumEntry, 'file'> {
  input?: string;
  target: string;
  path: string;
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

const nevra = (e: Omit<YumEntry, 'file' | 'contentSha256'>) => `${e.name}-${e.epoch ?? 0}:${e.version}-${e.release}.${e.arch}`;

export async function readYumState(targetDir: string): Promise<{ generation?: string; entries: YumEntry[] }> {
  const link = path.join(targetDir, 'repodata');
  let generation: string;
  try {
    generation = await readlink(link);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { entries: [] };
    throw new Py2DistroError('E_REPO_CORRUPT', `${link} is not the symlink py2distro maintains`, {
      hint: 'Move the existing repodata/ aside and publish the packages again with `py2distro repo publish`.', cause: err,
    });
  }
  try {
    const entries = JSON.parse(await readFile(path.join(targetDir, generation, STATE_FILE), 'utf8')) as YumEntry[];
    return { generation, entries };
  } catch (err) {
    throw new Py2DistroError('E_REPO_CORRUPT', `${path.join(targetDir, generation, STATE_FILE)} is unreadable`, { cause: err });
  }
}

export async function publishYum(
  opts: { repoDir: string; target: string; rpms: NewRpm[]; key: SigningKey; retention?: number },
  env: StageEnv,
): Promise<YumPublishResult> {
  if (!RPM_TARGET.test(opts.target)) throw new Py2DistroError('E_USAGE', `invalid rpm target ${JSON.stringify(opts.target)}`);
  const targetDir = path.join(opts.repoDir, 'rpm', opts.target);
  const state = await readYumState(targetDir);
  const published = new Map(state.entries.map((e) => [nevra(e), e]));
  const result: YumPublishResult = { added: [], unchanged: [], pruned: [] };
  const conflicts: string[] = [];
  const toAdd = new Map<string, NewRpm & { file: string }>();
  for (const rpm of opts.rpms) {
    const { info } = rpm;
    const file = `Packages/${rpmFileName(info)}`;
    const item = toItem({ ...info, file, contentSha256: info.contentSha256 }, opts.target, rpm.input);
    const key = nevra(info);
    const existing = published.get(key) ?? state.entries.find((e) => e.file === file);
    if (existing) {
      if (existing.contentSha256 === info.contentSha256) result.unchanged.push(item);
      else conflicts.push(`${key} (${opts.target}) is published with different content`);
    } else if (toAdd.has(key)) {
      if (toAdd.get(key)!.info.contentSha256 !== info.contentSha256) conflicts.push(`${key} given twice with different content`);
    } else {
      toAdd.set(key, { ...rpm, file });
      result.added.push(item);
    }
  }
  if (conflicts.length) {
    throw new Py2DistroError('E_REPO_CONFLICT', `refusing to replace published packages:\n  ${conflicts.join('\n  ')}`, { details: { conflicts } });
  }
  if (toAdd.size === 0 && state.generation) return result;

  await mapLimit([...toAdd.values()], IO_CONCURRENCY, async (rpm) => {
    env.signal?.throwIfAborted();
    await writeFileAtomic(path.join(targetDir, rpm.file), rpm.bytes, { fsync: false });
  });
  if (toAdd.size) await syncFilesystem(targetDir);
  let entries: YumEntry[] = [...state.entries, ...[...toAdd.values()].map((r) => ({
    name: r.info.name, epoch: r.info.epoch, version: r.info.version, release: r.info.release, arch: r.info.arch,
    file: r.file, contentSha256: r.info.contentSha256,
  }))];
  if (opts.retention) {
    const { kept, pruned } = retain(entries, opts.retention);
    entries = kept;
    result.pruned = pruned.map((e) => toItem(e, opts.target));
    const prunedPaths = new Set(result.pruned.map((p) => p.path));
    result.added = result.added.filter((a) => !prunedPaths.has(a.path));
  }

  const generation = await buildGeneration(targetDir, entries, state.generation, opts.key, env);
  // The swap: one rename of a symlink makes the new generation live.
  const tmpLink = tmpPathFor(path.join(targetDir, 'repodata'));
  await symlink(generation, tmpLink);
  await rename(tmpLink, path.join(targetDir, 'repodata'));
  await syncDir(targetDir);
  env.log.info(`yum ${opts.target}: +${result.added.length} package(s), ${result.unchanged.length} unchanged, ${result.pruned.length} pruned`);

  // Only now: generations older than the previous one, and pruned packages.
  for (const name of await readdir(targetDir)) {
    if (name.startsWith('repodata.') && name !== generation && name !== state.generation) {
      await rm(path.join(targetDir, name), { recursive: true, force: true });
    }
  }
  for (const p of result.pruned) await rm(path.join(opts.repoDir, p.path), { force: true });
  return result;
}

/** Re-sign repomd.xml of the live generation (key rotation); one rename, so always consistent. */
export async function resignYum(targetDir: string, key: SigningKey): Promise<boolean> {
  const { generation } = await readYumState(targetDir);
  if (!generation) return false;
  const repomd = await readFile(path.join(targetDir, generation, 'repomd.xml'));
  await writeFileAtomic(path.join(targetDir, generation, 'repomd.xml.asc'), await signDetachedArmored(repomd, key));
  return true;
}

function toItem(e: YumEntry, target: string, input?: string): YumItem {
  const { file, ...rest } = e;
  return { ...rest, input, target, path: `rpm/${target}/${file}` };
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

async function buildGeneration(targetDir: string, entries: YumEntry[], previous: string | undefined, key: SigningKey, env: StageEnv): Promise<string> {
  const work = tmpPathFor(path.join(targetDir, 'work'));
  await mkdir(work, { recursive: true });
  try {
    const list = path.join(work, 'pkglist');
    await writeFile(list, entries.map((e) => e.file).sort().join('\n') + '\n');
    const args = ['--quiet', '--no-database', '--pkglist', list, '--outputdir', work];
    // --update reuses the previous metadata of unchanged files (same name, size, mtime): no re-read.
    if (previous) args.push('--update', '--update-md-path', path.join(targetDir, previous));
    await run('createrepo_c', [...args, targetDir], { signal: env.signal, log: env.log, timeout: 30 * 60_000 });
    const out = path.join(work, 'repodata');
    await writeFile(path.join(out, STATE_FILE), JSON.stringify(entries, null, 1));
    const repomd = await readFile(path.join(out, 'repomd.xml'));
    await writeFile(path.join(out, 'repomd.xml.asc'), await signDetachedArmored(repomd, key));
    if (previous) await linkPreviousData(path.join(targetDir, previous), out);
    const stamp = new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').replace('Z', '');
    const generation = `repodata.${stamp}-${process.pid}`;
    await rename(out, path.join(targetDir, generation));
    return generation;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Hard-link the data files the previous repomd.xml names into the new generation (same names = same content). */
async function linkPreviousData(previousDir: string, out: string): Promise<void> {
  const repomd = await readFile(path.join(previousDir, 'repomd.xml'), 'utf8').catch(() => '');
  for (const m of repomd.matchAll(/<location href="repodata\/([A-Za-z0-9._-]+)"/g)) {
    await link(path.join(previousDir, m[1]!), path.join(out, m[1]!)).catch(() => undefined);
  }
}
