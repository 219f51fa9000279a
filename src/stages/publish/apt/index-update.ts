/**
 * The next Packages of one architecture, made from the verified previous one with work
 * proportional to the change: new entries are spliced in at their sorted places, pruned paragraphs
 * are left out, every other byte is copied. Its Packages.gz is the previous members that no change
 * falls into, copied as they are, plus freshly compressed members (≈64 KiB of text each, on
 * libuv's threads side by side) for what changed (gzip-members.ts). A repository written without
 * reusable members is compressed whole, into members, once.
 */
import { BugError } from '../../../lib/errors.js';
import { gzipMember, MEMBER_TARGET, type GzMember } from '../../../lib/compress/gzip-members.js';
import { compareEntries, type AptIndexEntry, type PackagesText } from './packages-index.js';


export interface IndexEdit {
  base: PackagesText;
  members?: GzMember[];
  /** New entries for this architecture. */
  inserts: AptIndexEntry[];
  /** Paragraphs of `base` (indexes into its spans) to leave out. */
  removed: ReadonlySet<number>;
}

export interface RebuiltIndex {
  text: Buffer;
  gz: Buffer;
  /** Members copied from the previous Packages.gz / compressed now. */
  reused: number;
  compressed: number;
}

/**
 * Retention for one architecture's index: of each package (per architecture field), keep the
 * newest `keep` versions among the published and the inserted ones. Only names that can be over
 * the limit are parsed. Returns the inserts that stay, the paragraphs to remove and what was pruned.
 */
export function retentionEdit(base: PackagesText, inserts: AptIndexEntry[], keep: number): { inserts: AptIndexEntry[]; removed: Set<number>; pruned: AptIndexEntry[] } {
  const insertedByName = new Map<string, AptIndexEntry[]>();
  for (const e of inserts) push(insertedByName, e.package, e);
  const removed = new Set<number>();
  const pruned: AptIndexEntry[] = [];
  const dropped = new Set<AptIndexEntry>();
  const names = new Set(insertedByName.keys());
  for (const [name, count] of base.nameCounts()) if (count > keep) names.add(name);
  for (const name of names) {
    const candidates: Array<{ entry: AptIndexEntry; index?: number }> = [
      ...base.indexesOf(name).map((index) => ({ entry: base.entry(index), index })),
      ...(insertedByName.get(name) ?? []).map((entry) => ({ entry })),
    ];
    if (candidates.length <= keep) continue;
    const byArch = new Map<string, typeof candidates>();
    for (const c of candidates) push(byArch, c.entry.architecture, c);
    for (const list of byArch.values()) {
      list.sort((a, b) => compareEntries(b.entry, a.entry));
      for (const c of list.slice(keep)) {
        pruned.push(c.entry);
        if (c.index === undefined) dropped.add(c.entry);
        else removed.add(c.index);
      }
    }
  }
  return { inserts: inserts.filter((e) => !dropped.has(e)), removed, pruned };
}

export async function rebuildIndex(edit: IndexEdit): Promise<RebuiltIndex> {
  const { base, removed } = edit;
  const n = base.size;
  // Where each new entry goes: before paragraph `point` (n: at the end).
  const at = new Map<number, AptIndexEntry[]>();
  for (const e of [...edit.inserts].sort(compareEntries)) {
    push(at, base.insertionPoint(e), e);
  }
  const ranges = memberRanges(base, edit.members);
  const dirty = new Set<number>();
  const rangeOf = (paragraph: number) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (ranges[mid]!.from <= paragraph) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  for (const index of removed) dirty.add(rangeOf(index));
  // An entry goes into the member it falls in, or the one it comes right before (or after the last
  // one): that member is recompressed with it, rather than a member of one entry appearing.
  for (const point of at.keys()) dirty.add(rangeOf(Math.min(point, Math.max(n - 1, 0))));
  // A member that would end the file but was not the last one ends with a blank line: redo it.
  let lastKept = n - 1;
  while (lastKept >= 0 && removed.has(lastKept)) lastKept--;
  const lastPoint = Math.max(-1, ...at.keys());
  for (let k = 0; k < ranges.length; k++) {
    const r = ranges[k]!;
    if (r.to !== n && lastKept < r.to && lastPoint < r.to) dirty.add(k);
  }

  // A piece is new text (compressed now) or a previous member (its bytes copied, text and gzip alike).
  const pieces: Array<{ text: string; member?: undefined } | { member: GzMember }> = [];
  let run: string[] = [];
  // A run of changed paragraphs becomes round(size / target) members of even size (at least one):
  // a member that grows by a few entries stays one member until it is half as big again.
  const flush = (more: boolean) => {
    if (!run.length) return;
    const total = run.reduce((sum, t) => sum + t.length + 2, 0);
    const count = Math.max(1, Math.round(total / MEMBER_TARGET));
    let chunk: string[] = [];
    let size = 0;
    let done = 0;
    for (let i = 0; i < run.length; i++) {
      chunk.push(run[i]!);
      size += run[i]!.length + 2;
      const last = i === run.length - 1;
      if (last || (done < count - 1 && size >= total / count)) {
        pieces.push({ text: chunk.join('\n\n') + (more || !last ? '\n\n' : '\n') });
        chunk = [];
        size = 0;
        done++;
      }
    }
    run = [];
  };
  for (let k = 0; k < ranges.length; k++) {
    const r = ranges[k]!;
    for (const e of at.get(r.from) ?? []) run.push(e.text);
    if (r.member && !dirty.has(k)) {
      flush(true);
      pieces.push({ member: r.member });
      continue;
    }
    for (let i = r.from; i < r.to; i++) {
      if (i > r.from) for (const e of at.get(i) ?? []) run.push(e.text);
      if (!removed.has(i)) run.push(base.text.slice(base.spans[i]!.start, base.spans[i]!.end));
    }
  }
  if (ranges.length === 0 || ranges[ranges.length - 1]!.to !== n) throw new BugError('Packages member ranges do not cover the index');
  if (n > 0 || !at.has(0)) for (const e of at.get(n) ?? []) run.push(e.text);
  flush(false);

  const bytes = base.bytes();
  const texts = pieces.map((p) => (p.member ? bytes.subarray(p.member.textStart, p.member.textEnd) : Buffer.from(p.text, 'latin1')));
  const members = await Promise.all(pieces.map((p, i) => p.member?.bytes ?? gzipMember(texts[i]!)));
  const gz = members.length ? Buffer.concat(members) : await gzipMember(Buffer.alloc(0));
  const reused = pieces.filter((p) => p.member).length;
  return { text: Buffer.concat(texts), gz, reused, compressed: pieces.length - reused };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The previous members as paragraph ranges [from, to); without members: one range to recompress. */
function memberRanges(base: PackagesText, members: GzMember[] | undefined): Array<{ from: number; to: number; member?: GzMember }> {
  const n = base.size;
  if (!members?.length) return [{ from: 0, to: n }];
  const paragraphAt = (offset: number) => {
    if (offset >= base.text.length) return n;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (base.spans[mid]!.start < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const ranges = members.map((member) => ({ from: member.textStart === 0 ? 0 : paragraphAt(member.textStart), to: paragraphAt(member.textEnd), member }));
  // Members without a paragraph of their own (only possible for an empty text) are left out.
  return ranges.filter((r) => r.to > r.from).length === ranges.length ? ranges : [{ from: 0, to: n }];
}
