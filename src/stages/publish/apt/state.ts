/**
 * What an apt repository currently publishes for one codename, read back from the repository
 * itself — and verified before anything is built on it: InRelease must carry a valid signature by
 * one of the org's trust anchors (the signing key, or a configured previous key); its signed text
 * must be a Release exactly as py2distro renders it; each Packages file is read from by-hash/ (or
 * the plain name) only if it matches the sha256 InRelease lists, and every entry's Filename must
 * follow the pool layout (checked for every paragraph a publish touches: packages-index.ts). The
 * verified Packages paragraphs are the per-file metadata cache: adding one package to a repository
 * of 10,000 never re-reads the other .debs, nor parses their paragraphs; the verified Packages.gz
 * gives the compressed members that did not change (gzip-members.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { field, parseSingleParagraph, type Paragraph } from '../../../distro/deb/deb822.js';
import { DEB_ARCH } from '../../../distro/deb/deb-file.js';
import { trustedClearsigned, type SigningKey } from '../../sign/index.js';
import { assertRealDirs, assertRegularFile, repoCorrupt } from '../trust.js';
import { readMembers, type GzMember } from '../../../lib/compress/gzip-members.js';
import { PackagesText, type AptIndexEntry } from './packages-index.js';

export type { AptIndexEntry } from './packages-index.js';

/** One architecture's verified index. */
export interface PublishedIndex {
  packages: PackagesText;
  /**
   * The members of its verified Packages.gz when they tile the text (else undefined: recompress
   * it all) — read only when the index is rebuilt, not by a no-op publish or a resign.
   */
  members(): Promise<GzMember[] | undefined>;
}

export interface ReleaseFile {
  paragraph: Paragraph;
  /** path (relative to dists/<codename>/) → { sha256, size } */
  sha256: Map<string, { sha256: string; size: number }>;
}

export interface PublishedApt {
  codename: string;
  release?: ReleaseFile;
  /** Fingerprint of the trust anchor that signed the InRelease read back. */
  signer?: string;
  origin?: string;
  label?: string;
  architectures: string[];
  /** arch → main/binary-<arch>/Packages (one object for architectures whose indexes are identical) */
  indexes: Map<string, PublishedIndex>;
}

/** The fields of a py2distro Release, in the order renderRelease writes them. */
export const RELEASE_FIELDS = ['Origin', 'Label', 'Suite', 'Codename', 'Date', 'Valid-Until', 'Architectures', 'Components', 'Description', 'Acquire-By-Hash', 'SHA256'];
const INDEX_FILE = /^main\/binary-([a-z0-9][a-z0-9-]*)\/Packages(\.gz|\.xz)?$/;

export function distDir(debRoot: string, codename: string): string {
  return path.join(debRoot, 'dists', codename);
}

/** Parse a Release and refuse anything that is not the format py2distro writes for `codename`. */
export function parseRelease(text: string, codename: string): ReleaseFile {
  let paragraph: Paragraph;
  try {
    paragraph = parseSingleParagraph(text, 'Release');
  } catch (err) {
    throw repoCorrupt(`the signed Release of ${codename} does not parse`, err);
  }
  const names = paragraph.map(([n]) => n);
  if (names.join(' ') !== RELEASE_FIELDS.join(' ')) throw repoCorrupt(`the signed Release of ${codename} has fields ${names.join(', ')}, not those py2distro writes`);
  if (field(paragraph, 'Suite') !== codename || field(paragraph, 'Codename') !== codename) throw repoCorrupt(`the signed Release in dists/${codename} is for another suite`);
  if (field(paragraph, 'Components') !== 'main' || field(paragraph, 'Acquire-By-Hash') !== 'yes') throw repoCorrupt(`the signed Release of ${codename} is not one py2distro wrote`);
  const architectures = (field(paragraph, 'Architectures') ?? '').split(' ');
  if (!architectures.every((a) => DEB_ARCH.test(a))) throw repoCorrupt(`the signed Release of ${codename} lists invalid architectures`);
  const sha256 = new Map<string, { sha256: string; size: number }>();
  for (const line of (field(paragraph, 'SHA256') ?? '').split('\n').slice(1)) {
    const m = /^\s+([0-9a-f]{64})\s+(\d{1,15})\s+(\S+)$/.exec(line);
    const file = m && INDEX_FILE.exec(m[3]!);
    if (!m || !file || !architectures.includes(file[1]!)) throw repoCorrupt(`the signed Release of ${codename} has an unexpected SHA256 line ${JSON.stringify(line)}`);
    sha256.set(m[3]!, { sha256: m[1]!, size: Number(m[2]) });
  }
  return { paragraph, sha256 };
}

/** Read and verify the published state of one codename (nothing published yet: empty state). */
export async function readPublishedApt(debRoot: string, codename: string, key: SigningKey): Promise<PublishedApt> {
  const dir = distDir(debRoot, codename);
  await assertRealDirs(path.dirname(debRoot), `deb/dists/${codename}`);
  const inRelease = path.join(dir, 'InRelease');
  // No InRelease: nothing was published yet (a first publish killed before its InRelease landed
  // leaves only files no client can use).
  if (!(await assertRegularFile(inRelease))) return { codename, architectures: [], indexes: new Map() };
  const verified = await trustedClearsigned(readFileSync(inRelease, 'utf8'), key);
  if (!verified) {
    throw repoCorrupt(`${inRelease} is not signed by the org key ${key.fingerprint}${key.verifiers.length > 1 ? ' or a configured previous key' : ''}`);
  }
  const release = parseRelease(verified.text, codename);
  const architectures = (field(release.paragraph, 'Architectures') ?? '').split(' ');
  const indexes = new Map<string, PublishedIndex>();
  const seen = new Map<string, PublishedIndex>(); // arch-all-only repositories: one index, many arches
  for (const arch of architectures) {
    const rel = `main/binary-${arch}/Packages`;
    const want = release.sha256.get(rel);
    if (!want) throw repoCorrupt(`the signed Release of ${codename} lists no ${rel}`);
    let index = seen.get(want.sha256);
    if (!index) {
      const packages = new PackagesText(await readByHash(dir, rel, want.sha256), codename);
      const gzWant = release.sha256.get(`${rel}.gz`);
      let members: Promise<GzMember[] | undefined> | undefined;
      const readGzMembers = async () => {
        // A .gz that is missing or does not match what InRelease lists is not reused (a new one is written).
        const gz = gzWant && (await readByHash(dir, `${rel}.gz`, gzWant.sha256).catch(() => undefined));
        return gz ? readMembers(gz, packages.text.length, { has: (offset) => packages.isParagraphStart(offset) }) : undefined;
      };
      index = { packages, members: () => (members ??= readGzMembers()) };
      seen.set(want.sha256, index);
    }
    indexes.set(arch, index);
  }
  return {
    codename, release, architectures, indexes, signer: verified.signer,
    origin: field(release.paragraph, 'Origin'), label: field(release.paragraph, 'Label'),
  };
}

async function readByHash(dir: string, rel: string, sha256: string): Promise<Buffer> {
  await assertRealDirs(dir, `${path.dirname(rel)}/by-hash/SHA256`);
  const candidates = [path.join(dir, path.dirname(rel), 'by-hash', 'SHA256', sha256), path.join(dir, rel)];
  for (const file of candidates) {
    if (!(await assertRegularFile(file))) continue;
    const buf = readFileSync(file); // synchronous: fs/promises reads a big file in many round trips
    if (createHash('sha256').update(buf).digest('hex') === sha256) return buf;
  }
  throw repoCorrupt(`the ${rel} that InRelease lists (sha256 ${sha256}) is missing from ${dir} or does not match`);
}

/** Every entry of a Packages text, strictly parsed (tests; publishing parses only what it touches). */
export function parsePackages(text: string, codename: string): AptIndexEntry[] {
  return new PackagesText(text, codename).all();
}
