/**
 * The three repodata documents of a yum repository (primary, filelists, other — the format of
 * https://github.com/rpm-software-management/createrepo_c and dnf's libsolv reader): read as one
 * block per package, and the next generation's documents written from the previous ones with work
 * proportional to what changed. The packages being added get new blocks; every package already
 * published keeps its bytes from the previous generation — verified against the signed repomd.xml
 * (yum-state.ts) — instead of being re-read from the package files on disk, which nobody has signed.
 * Each .xml.gz is a series of gzip members (lib/compress/gzip-members.ts: the root start tag, runs
 * of ≈64 KiB of blocks, the root close), so only the members a change falls into are compressed
 * again; the others are copied byte for byte.
 *
 * Blocks are checked, not trusted: each document must be the createrepo_c layout, every package
 * block one `<package …>…</package>` element, and the three documents must describe the same
 * packages in the same order (pkgid, name, arch). Anything else is E_REPO_CORRUPT.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { gzipMember, MEMBER_TARGET, readMembers, type GzMember } from '../../lib/compress/gzip-members.js';
import { BugError } from '../../lib/errors.js';
import { repoCorrupt, RPM_FILE } from './trust.js';

export type RepodataType = 'primary' | 'filelists' | 'other';
export const REPODATA_TYPES: readonly RepodataType[] = ['primary', 'filelists', 'other'];

export interface YumEntry {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch: string;
  /** Relative to the target directory: Packages/<file>.rpm */
  file: string;
  /** sha256 of the .rpm file, as primary.xml records it (its pkgid). */
  sha256: string;
}

/** A package being added: its primary.xml entry and its three XML blocks, each ending in "</package>\n". */
export interface RepodataPackage {
  entry: YumEntry;
  blocks: Record<RepodataType, Buffer>;
}

/** One document, uncompressed and checked: the root start tag, the package blocks, the root close. */
export interface YumDocument {
  type: RepodataType;
  /** The file it came from (for errors). */
  where: string;
  text: Buffer;
  /** End of the root start tag's line: where the first block starts. */
  headEnd: number;
  /** Where each package block starts; block i ends where block i + 1 (or the root close) starts. */
  starts: number[];
  /** Where the root close tag starts. */
  closeStart: number;
}

/** A document as parseDocument found it: also `text` as a one-byte string, whose offsets are byte offsets (every token looked for is ASCII). */
export interface ParsedDocument extends YumDocument {
  latin1: string;
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
/** Root elements as createrepo_c writes them; `packages` is the count. */
const ROOT: Record<RepodataType, { open: string; close: string; block: string }> = {
  primary: {
    open: '<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm"',
    close: '</metadata>', block: '<package type="rpm">\n',
  },
  filelists: { open: '<filelists xmlns="http://linux.duke.edu/metadata/filelists"', close: '</filelists>', block: '<package pkgid="' },
  other: { open: '<otherdata xmlns="http://linux.duke.edu/metadata/other"', close: '</otherdata>', block: '<package pkgid="' },
};
const ROOT_NAME: Record<RepodataType, string> = { primary: 'metadata', filelists: 'filelists', other: 'otherdata' };
const END = '</package>\n';
const HEAD_RE = Object.fromEntries(REPODATA_TYPES.map((type) => [type,
  // The root's attributes may differ between createrepo_c versions (xmlns:rpm); the count is required.
  new RegExp(`^${XML_DECL.replace(/[?.]/g, '\\$&')}<${ROOT_NAME[type]}(?: [a-z:]+="[^"<>]*")* packages="([0-9]{1,9})">\n`)])) as Record<RepodataType, RegExp>;

/** Check a document and find its blocks (the root's packages="N" must count them). */
export function parseDocument(text: Buffer, type: RepodataType, where: string): ParsedDocument {
  const s = text.toString('latin1');
  const head = HEAD_RE[type].exec(s);
  if (!head) throw repoCorrupt(`${where} does not parse as ${type}.xml`);
  const close = ROOT[type].close;
  const tail = s.endsWith(`${close}\n`) ? close.length + 1 : s.endsWith(close) ? close.length : -1;
  if (tail < 0) throw repoCorrupt(`${where} does not end with ${close}`);
  const closeStart = s.length - tail;
  const starts: number[] = [];
  const blockStart = ROOT[type].block;
  let at = head[0].length;
  while (at < closeStart) {
    const end = s.indexOf(END, at) + END.length;
    if (end < END.length || end > closeStart) throw repoCorrupt(`${where} has an unterminated package entry`);
    // One element per block: XML text escapes "<", so a second "<package " would be a second element
    // (the space: primary.xml's <packager> is not one).
    const second = s.indexOf('<package ', at + 1);
    if (!s.startsWith(blockStart, at) || (second >= 0 && second < end)) throw repoCorrupt(`${where} has a package entry py2distro cannot read`);
    starts.push(at);
    at = end;
  }
  if (Number(head[1]) !== starts.length) throw repoCorrupt(`${where} says packages="${head[1]}" but lists ${starts.length}`);
  return { type, where, text, latin1: s, headEnd: head[0].length, starts, closeStart };
}

export function blockEnd(doc: YumDocument, i: number): number {
  return doc.starts[i + 1] ?? doc.closeStart;
}

/** Block i as text (UTF-8). */
export function blockText(doc: YumDocument, i: number): string {
  return doc.text.toString('utf8', doc.starts[i], blockEnd(doc, i));
}

// createrepo_c's order: name, arch, version, checksum, then (after summary, description…) location.
const HEAD = new RegExp('^<package type="rpm">\\n\\s*<name>([A-Za-z0-9_+][A-Za-z0-9_.+-]*)</name>\\s*<arch>([a-z0-9_]+)</arch>'
  + '\\s*<version epoch="([0-9]{1,10})" ver="([A-Za-z0-9._+~^]+)" rel="([A-Za-z0-9._+~^]+)"/>\\s*<checksum type="sha256" pkgid="YES">([0-9a-f]{64})</checksum>');
const LOCATION = '<location href="';

/** A primary.xml block's entry: name, EVR, arch, location and sha256, each checked against the layout. */
export function primaryEntry(block: string, where: string): YumEntry {
  const head = HEAD.exec(block);
  // Element text escapes "<": the first "<location href=" is the element.
  const at = block.indexOf(LOCATION);
  const end = at < 0 ? -1 : block.indexOf('"/>', at + LOCATION.length);
  if (!head || end < 0) throw repoCorrupt(`${where} has a package entry py2distro cannot read`);
  const entry: YumEntry = {
    name: head[1]!, arch: head[2]!, version: head[4]!, release: head[5]!, file: block.slice(at + LOCATION.length, end), sha256: head[6]!,
    ...(head[3] !== '0' ? { epoch: Number(head[3]) } : {}),
  };
  const expected = `Packages/${entry.name}-${entry.version}-${entry.release}.${entry.arch}.rpm`;
  if (!RPM_FILE.test(entry.file) || entry.file !== expected) {
    throw repoCorrupt(`${where} names ${JSON.stringify(entry.file)} for ${entry.name}, not ${expected}`);
  }
  return entry;
}

/** The entries of a primary document, in its order. */
export function primaryEntries(doc: ParsedDocument): YumEntry[] {
  // Each block as a slice of the one-byte string (no copy); its fields are ASCII by their grammar.
  return doc.starts.map((start, i) => primaryEntry(doc.latin1.slice(start, blockEnd(doc, i)), doc.where));
}

/** Inflate an .xml.gz in one thread, in large steps: each of zlib's default 16 KiB steps costs a round trip, async or not. */
export function inflateDocument(gz: Buffer, where: string): Buffer {
  try {
    return gunzipSync(gz, { chunkSize: 1 << 20 });
  } catch (err) {
    throw repoCorrupt(`${where} is not gzip`, err);
  }
}

/** The three documents parsed, primary's entries, and the three checked to describe the same packages in the same order. */
export function parseRepodata(texts: Record<RepodataType, Buffer>, where: Record<RepodataType, string>): { docs: Record<RepodataType, ParsedDocument>; entries: YumEntry[] } {
  const docs = {
    primary: parseDocument(texts.primary, 'primary', where.primary),
    filelists: parseDocument(texts.filelists, 'filelists', where.filelists),
    other: parseDocument(texts.other, 'other', where.other),
  };
  const entries = primaryEntries(docs.primary);
  alignDocuments(entries, docs.primary, docs.filelists, docs.other);
  return { docs, entries };
}

/** filelists and other must describe the packages of primary (`entries`) in the same order: same count, pkgid, name and arch. */
export function alignDocuments(entries: readonly YumEntry[], primary: YumDocument, filelists: ParsedDocument, other: ParsedDocument): void {
  if (filelists.starts.length !== entries.length || other.starts.length !== entries.length) {
    throw repoCorrupt(`${primary.where}, ${filelists.where} and ${other.where} list different numbers of packages`);
  }
  entries.forEach((entry, i) => {
    // primaryEntry checked name and arch against the file-name grammar: nothing in them needs XML escaping.
    const head = `<package pkgid="${entry.sha256}" name="${entry.name}" arch="${entry.arch}">\n`;
    const wrong = !filelists.latin1.startsWith(head, filelists.starts[i]) ? filelists : !other.latin1.startsWith(head, other.starts[i]) ? other : undefined;
    if (wrong) throw repoCorrupt(`${wrong.where} does not describe the packages of ${primary.where} in the same order (entry ${i + 1}, ${entry.file})`);
  });
}

/** The gzip members of a verified .xml.gz that tile `doc` on its block boundaries (undefined: none reusable). */
export function documentMembers(gz: Buffer, doc: YumDocument): GzMember[] | undefined {
  const { starts } = doc;
  const isBoundary = (offset: number) => {
    if (offset === doc.headEnd || offset === doc.closeStart) return true;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid]! === offset) return true;
      if (starts[mid]! < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  };
  return readMembers(gz, doc.text.length, { has: isBoundary });
}

/**
 * The next generation's package list, in createrepo_c's order of a sorted --pkglist (by
 * location): each item is a block of the previous documents (its index) or a package being added.
 */
export type PlanItem = number | RepodataPackage;

export function planDocuments(previous: readonly YumEntry[], added: readonly RepodataPackage[], keep: (file: string) => boolean): PlanItem[] {
  const fileOf = (item: PlanItem) => (typeof item === 'number' ? previous[item]!.file : item.entry.file);
  const items: PlanItem[] = [...previous.keys(), ...added].filter((item) => keep(fileOf(item)));
  // Stable: an already sorted previous list stays in place, the new ones fall into it.
  return items.sort((a, b) => (fileOf(a) < fileOf(b) ? -1 : fileOf(a) > fileOf(b) ? 1 : 0));
}

export interface WrittenDocument {
  /** The .xml.gz. */
  gz: Buffer;
  /** sha256 and size of the XML inside. */
  openSha256: string;
  openSize: number;
  /** Members copied from the previous .xml.gz / compressed now. */
  reused: number;
  compressed: number;
}

/**
 * The document of `items` (planDocuments), as a series of gzip members: a member of the previous
 * .xml.gz is copied when its text comes out unchanged at one place of the new document (the same
 * blocks in the same order, nothing inserted between them); everything else is compressed now —
 * the root start tag (it carries the count) and the root close on their own, blocks in runs of
 * ≈ MEMBER_TARGET bytes.
 */
export async function writeDocument(type: RepodataType, items: readonly PlanItem[], base?: { doc: YumDocument; members?: GzMember[] }): Promise<WrittenDocument> {
  const head = Buffer.from(`${XML_DECL}${ROOT[type].open} packages="${items.length}">\n`, 'latin1');
  // No newline after the root element, as createrepo_c writes it: the same packages give the same bytes.
  const close = Buffer.from(ROOT[type].close, 'latin1');
  const doc = base?.doc;
  const n = doc?.starts.length ?? 0;
  // The new document as units: 0 the root start tag, 1…items.length the blocks, then the root close.
  const units = items.length + 2;
  const unitText = (u: number): Buffer => {
    if (u === 0) return head;
    if (u === units - 1) return close;
    const item = items[u - 1]!;
    if (typeof item !== 'number') return item.blocks[type];
    if (!doc) throw new BugError('writeDocument: a previous block without a previous document');
    return doc.text.subarray(doc.starts[item], blockEnd(doc, item));
  };
  // Previous members that come out unchanged, by the unit they start at.
  const reuse = new Map<number, { member: GzMember; units: number }>();
  if (doc && base.members) {
    // Previous units: 0 root start tag, 1…n blocks, n + 1 root close; where each lands (-1: gone or changed).
    const landing = new Array<number>(n + 2).fill(-1);
    if (doc.text.subarray(0, doc.headEnd).equals(head)) landing[0] = 0;
    items.forEach((item, i) => { if (typeof item === 'number') landing[item + 1] = i + 1; });
    if (doc.text.subarray(doc.closeStart).equals(close)) landing[n + 1] = units - 1;
    const offsets = [0, ...doc.starts, doc.closeStart, doc.text.length];
    const unitAt = (offset: number) => {
      let lo = 0;
      let hi = offsets.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (offsets[mid]! < offset) lo = mid + 1;
        else hi = mid;
      }
      if (offsets[lo] !== offset) throw new BugError('writeDocument: a member boundary off the block boundaries');
      return lo;
    };
    for (const member of base.members) {
      const from = unitAt(member.textStart);
      const to = unitAt(member.textEnd);
      if (to <= from) continue;
      let ok = landing[from]! >= 0;
      for (let u = from + 1; ok && u < to; u++) ok = landing[u] === landing[u - 1]! + 1;
      if (ok) reuse.set(landing[from]!, { member, units: to - from });
    }
    // A new block between two copied members would become a member of its own: it is compressed
    // with the member after it (at the end: the one before it) instead, as apt's index does it.
    const endingAt = new Map<number, number>();
    for (const [start, r] of reuse) endingAt.set(start + r.units - 1, start);
    items.forEach((item, i) => {
      if (typeof item === 'number') return;
      const u = i + 1;
      if (u + 1 < units - 1 && reuse.has(u + 1)) reuse.delete(u + 1);
      else if (u + 1 === units - 1 && endingAt.has(u - 1) && endingAt.get(u - 1)! >= 1) reuse.delete(endingAt.get(u - 1)!);
    });
  }

  const pieces: Array<{ text: Buffer; gz: Promise<Buffer> | Buffer; reused: boolean }> = [];
  const compress = (texts: Buffer[]) => {
    const text = texts.length === 1 ? texts[0]! : Buffer.concat(texts);
    pieces.push({ text, gz: gzipMember(text), reused: false });
  };
  let run: Buffer[] = [];
  // A run of new blocks becomes round(size / target) members of even size (at least one).
  const flush = () => {
    if (!run.length) return;
    const total = run.reduce((sum, t) => sum + t.length, 0);
    const count = Math.max(1, Math.round(total / MEMBER_TARGET));
    let chunk: Buffer[] = [];
    let size = 0;
    let done = 0;
    run.forEach((t, i) => {
      chunk.push(t);
      size += t.length;
      if (i === run.length - 1 || (done < count - 1 && size >= total / count)) {
        compress(chunk);
        chunk = [];
        size = 0;
        done++;
      }
    });
    run = [];
  };
  for (let u = 0; u < units;) {
    const r = reuse.get(u);
    if (r) {
      flush();
      pieces.push({ text: doc!.text.subarray(r.member.textStart, r.member.textEnd), gz: r.member.bytes, reused: true });
      u += r.units;
    } else if (u === 0 || u === units - 1) {
      flush();
      compress([unitText(u++)]);
    } else {
      run.push(unitText(u++));
    }
  }
  flush();
  const hash = createHash('sha256');
  let openSize = 0;
  for (const p of pieces) {
    hash.update(p.text);
    openSize += p.text.length;
  }
  const gz = Buffer.concat(await Promise.all(pieces.map((p) => p.gz)));
  const reused = pieces.filter((p) => p.reused).length;
  return { gz, openSha256: hash.digest('hex'), openSize, reused, compressed: pieces.length - reused };
}
