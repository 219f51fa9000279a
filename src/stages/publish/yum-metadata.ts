/**
 * The three repodata documents of a yum repository (primary, filelists, other — createrepo_c's
 * output, the format of https://github.com/rpm-software-management/createrepo_c and dnf's libsolv
 * reader), split into one block per package and joined again. This is what makes adding a package
 * proportional to what changed: createrepo_c reads only the new .rpm files, and the blocks of every
 * package already published are carried over from the previous generation — whose bytes were
 * verified against the signed repomd.xml (yum-state.ts) — instead of being re-read from the
 * package files on disk, which nobody has signed.
 *
 * Blocks are checked, not trusted: each document must be the createrepo_c layout, every package
 * block one `<package …>…</package>` element, and the three documents must describe the same
 * packages in the same order (pkgid, name, arch). Anything else is E_REPO_CORRUPT.
 */
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

/** One package: its primary.xml entry and its three XML blocks, each ending in "</package>\n". */
export interface RepodataPackage {
  entry: YumEntry;
  blocks: Record<RepodataType, string>;
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

/** The package blocks of one document, in order (the root's packages="N" must count them). */
export function splitDocument(xml: string, type: RepodataType, where: string): string[] {
  const root = ROOT_NAME[type];
  // The root's attributes may differ between createrepo_c versions (xmlns:rpm); the count is required.
  const head = new RegExp(`^${XML_DECL.replace(/[?.]/g, '\\$&')}<${root}(?: [a-z:]+="[^"<>]*")* packages="([0-9]{1,9})">\n`).exec(xml);
  if (!head) throw repoCorrupt(`${where} does not parse as ${type}.xml`);
  const close = ROOT[type].close;
  const tail = xml.endsWith(`${close}\n`) ? close.length + 1 : xml.endsWith(close) ? close.length : -1;
  if (tail < 0) throw repoCorrupt(`${where} does not end with ${close}`);
  const bodyEnd = xml.length - tail;
  const blocks: string[] = [];
  let at = head[0].length;
  while (at < bodyEnd) {
    const end = xml.indexOf(END, at);
    if (end < 0 || end + END.length > bodyEnd) throw repoCorrupt(`${where} has an unterminated package entry`);
    const block = xml.slice(at, end + END.length);
    // One element per block: XML text escapes "<", so a second "<package " would be a second element
    // (the space: primary.xml's <packager> is not one).
    if (!block.startsWith(ROOT[type].block) || block.indexOf('<package ', 1) >= 0) throw repoCorrupt(`${where} has a package entry py2distro cannot read`);
    blocks.push(block);
    at = end + END.length;
  }
  if (Number(head[1]) !== blocks.length) throw repoCorrupt(`${where} says packages="${head[1]}" but lists ${blocks.length}`);
  return blocks;
}

const NAME = /^<package type="rpm">\n\s*<name>([A-Za-z0-9_+][A-Za-z0-9_.+-]*)<\/name>\s*<arch>([a-z0-9_]+)<\/arch>/;
const EVR = /<version epoch="([0-9]{1,10})" ver="([A-Za-z0-9._+~^]+)" rel="([A-Za-z0-9._+~^]+)"\/>/;
const SUM = /<checksum type="sha256" pkgid="YES">([0-9a-f]{64})<\/checksum>/;
const LOC = /<location href="([^"]*)"\/>/;

/** A primary.xml block's entry: name, EVR, arch, location and sha256, each checked against the layout. */
export function primaryEntry(block: string, where: string): YumEntry {
  const name = NAME.exec(block);
  const evr = EVR.exec(block);
  const sum = SUM.exec(block);
  const loc = LOC.exec(block);
  if (!name || !evr || !sum || !loc) throw repoCorrupt(`${where} has a package entry py2distro cannot read`);
  const entry: YumEntry = {
    name: name[1]!, arch: name[2]!, version: evr[2]!, release: evr[3]!, file: loc[1]!, sha256: sum[1]!,
    ...(evr[1] !== '0' ? { epoch: Number(evr[1]) } : {}),
  };
  const expected = `Packages/${entry.name}-${entry.version}-${entry.release}.${entry.arch}.rpm`;
  if (!RPM_FILE.test(entry.file) || entry.file !== expected) {
    throw repoCorrupt(`${where} names ${JSON.stringify(entry.file)} for ${entry.name}, not ${expected}`);
  }
  return entry;
}

/** The three documents as packages, each checked to describe the same package in the same place. */
export function splitRepodata(docs: Record<RepodataType, string>, where: Record<RepodataType, string>): RepodataPackage[] {
  return alignBlocks({
    primary: splitDocument(docs.primary, 'primary', where.primary),
    filelists: splitDocument(docs.filelists, 'filelists', where.filelists),
    other: splitDocument(docs.other, 'other', where.other),
  }, where);
}

/**
 * Blocks of the three documents (see splitDocument) as packages: same count, same pkgid, name and
 * arch at each place. `entries`: primaryEntry of each primary block, when the caller has them already.
 */
export function alignBlocks(blocks: Record<RepodataType, string[]>, where: Record<RepodataType, string>, entries?: readonly YumEntry[]): RepodataPackage[] {
  const { primary, filelists, other } = blocks;
  if (entries && entries.length !== primary.length) throw new BugError('alignBlocks: one entry per primary block');
  if (filelists.length !== primary.length || other.length !== primary.length) {
    throw repoCorrupt(`${where.primary}, ${where.filelists} and ${where.other} list different numbers of packages`);
  }
  return primary.map((p, i) => {
    const entry = entries?.[i] ?? primaryEntry(p, where.primary);
    // primaryEntry checked name and arch against the file-name grammar: nothing in them needs XML escaping.
    const head = `<package pkgid="${entry.sha256}" name="${entry.name}" arch="${entry.arch}">\n`;
    const f = filelists[i]!;
    const o = other[i]!;
    const wrong = !f.startsWith(head) ? 'filelists' : !o.startsWith(head) ? 'other' : undefined;
    if (wrong) throw repoCorrupt(`${where[wrong]} does not describe the packages of ${where.primary} in the same order (entry ${i + 1}, ${entry.file})`);
    return { entry, blocks: { primary: p, filelists: f, other: o } };
  });
}

/** The three documents of `packages`, sorted by location as createrepo_c sorts a sorted --pkglist. */
export function joinRepodata(packages: readonly RepodataPackage[]): Record<RepodataType, string> {
  const sorted = [...packages].sort((a, b) => (a.entry.file < b.entry.file ? -1 : a.entry.file > b.entry.file ? 1 : 0));
  const out = {} as Record<RepodataType, string>;
  for (const type of REPODATA_TYPES) {
    const { open, close } = ROOT[type];
    // No newline after the root element, as createrepo_c writes it: the same packages give the same bytes.
    out[type] = `${XML_DECL}${open} packages="${sorted.length}">\n${sorted.map((p) => p.blocks[type]).join('')}${close}`;
  }
  return out;
}
