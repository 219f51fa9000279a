/**
 * What a yum publish will do, decided before anything is written: each input is added, unchanged
 * (the same content is published under the same name, epoch, version, release and arch: a no-op)
 * or a conflict (anything else under a published NEVRA or file name: E_REPO_CONFLICT, nothing is
 * written); and which packages retention keeps. Published content is compared by contentSha256
 * (main header + payload, whatever the signature), read from the file only after it matched the
 * sha256 the signed metadata lists.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Py2DistroError } from '../../lib/errors.js';
import { readRpmInfo, type RpmInfo } from '../sign/index.js';
import { compareEvr } from '../../distro/rpm/version-compare.js';
import { repoCorrupt } from './trust.js';
import type { YumEntry, YumState } from './yum-state.js';

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

export const nevra = (e: Pick<YumEntry, 'name' | 'epoch' | 'version' | 'release' | 'arch'>) => `${e.name}-${e.epoch ?? 0}:${e.version}-${e.release}.${e.arch}`;

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

export type Input = NewRpm & { file: string };

/** Added, unchanged (same content under the same NEVRA) or a conflict (E_REPO_CONFLICT, nothing written). */
export async function classify(targetDir: string, target: string, state: YumState, inputs: Input[]): Promise<{ result: YumPublishResult; toAdd: Input[] }> {
  // By file only: the file name is the NEVRA without the epoch, so the same NEVRA is the same file.
  const byFile = new Map<string, YumEntry>();
  for (const e of state.entries) byFile.set(e.file, e);
  const result: YumPublishResult = { added: [], unchanged: [], pruned: [] };
  const conflicts: string[] = [];
  const toAdd = new Map<string, Input>();
  const toAddByFile = new Map<string, Input>();
  for (const rpm of inputs) {
    const { info, file } = rpm;
    const item = toItem({ ...info, file }, target, rpm.input, info.contentSha256);
    const key = nevra(info);
    // The file name carries no epoch: foo 1:2.0 and foo 2.0 share Packages/foo-2.0-….rpm — a conflict.
    const existing = byFile.get(file);
    if (existing) {
      if ((await publishedContent(targetDir, existing)) === info.contentSha256 && nevra(existing) === key) result.unchanged.push(item);
      else conflicts.push(`${key} (${target}) would replace ${file}, published as ${nevra(existing)} with different content`);
    } else if (toAdd.has(key) || toAddByFile.has(file)) {
      const other = toAdd.get(key) ?? toAddByFile.get(file)!;
      if (other.info.contentSha256 !== info.contentSha256) conflicts.push(`${key} given twice with different content`);
    } else {
      toAdd.set(key, rpm);
      toAddByFile.set(file, rpm);
      result.added.push(item);
    }
  }
  if (conflicts.length) {
    throw new Py2DistroError('E_REPO_CONFLICT', `refusing to replace published packages:\n  ${conflicts.join('\n  ')}`, { details: { conflicts } });
  }
  return { result, toAdd: [...toAdd.values()] };
}

export function toItem(e: Omit<YumEntry, 'sha256'>, target: string, input?: string, contentSha256?: string): YumItem {
  return {
    name: e.name, epoch: e.epoch, version: e.version, release: e.release, arch: e.arch,
    input, target, path: `rpm/${target}/${e.file}`, ...(contentSha256 ? { contentSha256 } : {}),
  };
}

export function retain(entries: YumEntry[], keep: number): { kept: YumEntry[]; pruned: YumEntry[] } {
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
