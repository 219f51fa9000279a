/**
 * What an apt repository currently publishes for one codename, read back from the repository
 * itself — and verified before anything is built on it: InRelease must carry a valid signature by
 * one of the org's trust anchors (the signing key, or a configured previous key); its signed text
 * must be a Release exactly as py2distro renders it; each Packages file is read from by-hash/ (or
 * the plain name) only if it matches the sha256 InRelease lists, and every entry's Filename must
 * follow the pool layout. The verified Packages paragraphs are the per-file metadata cache: adding
 * one package to a repository of 2,000 never re-reads the other 2,000 .debs.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { field, parseSingleParagraph, type Paragraph } from '../../../distro/deb/deb822.js';
import { DEB_ARCH, DEB_NAME, DEB_VERSION } from '../../../distro/deb/deb-file.js';
import { trustedClearsigned, type SigningKey } from '../../sign/index.js';
import { assertRealDirs, assertRegularFile, checkPoolPath, repoCorrupt } from '../trust.js';

export interface AptIndexEntry {
  package: string;
  version: string;
  architecture: string;
  /** Pool path relative to the deb/ root. */
  filename: string;
  sha256: string;
  size: number;
  /** The paragraph as the index holds it: read back verified (reused verbatim), or formatted once from a new .deb. */
  text: string;
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
  /** arch → entries of main/binary-<arch>/Packages */
  indexes: Map<string, AptIndexEntry[]>;
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
  const verified = await trustedClearsigned(await readFile(inRelease, 'utf8'), key);
  if (!verified) {
    throw repoCorrupt(`${inRelease} is not signed by the org key ${key.fingerprint}${key.verifiers.length > 1 ? ' or a configured previous key' : ''}`);
  }
  const release = parseRelease(verified.text, codename);
  const architectures = (field(release.paragraph, 'Architectures') ?? '').split(' ');
  const indexes = new Map<string, AptIndexEntry[]>();
  const parsed = new Map<string, AptIndexEntry[]>(); // arch-all-only repositories: one index, many arches
  for (const arch of architectures) {
    const rel = `main/binary-${arch}/Packages`;
    const want = release.sha256.get(rel);
    if (!want) throw repoCorrupt(`the signed Release of ${codename} lists no ${rel}`);
    if (!parsed.has(want.sha256)) parsed.set(want.sha256, parsePackages(await readByHash(dir, rel, want.sha256), codename));
    indexes.set(arch, parsed.get(want.sha256)!);
  }
  return {
    codename, release, architectures, indexes, signer: verified.signer,
    origin: field(release.paragraph, 'Origin'), label: field(release.paragraph, 'Label'),
  };
}

async function readByHash(dir: string, rel: string, sha256: string): Promise<string> {
  await assertRealDirs(dir, `${path.dirname(rel)}/by-hash/SHA256`);
  const candidates = [path.join(dir, path.dirname(rel), 'by-hash', 'SHA256', sha256), path.join(dir, rel)];
  for (const file of candidates) {
    if (!(await assertRegularFile(file))) continue;
    const buf = await readFile(file);
    if (createHash('sha256').update(buf).digest('hex') === sha256) return buf.toString('utf8');
  }
  throw repoCorrupt(`the ${rel} that InRelease lists (sha256 ${sha256}) is missing from ${dir} or does not match`);
}

/** The fields of a Packages entry that publishing uses; every other field is carried verbatim in `text`. */
const KEY_FIELDS = new Map<string, keyof ScannedFields>([
  ['package', 'package'], ['version', 'version'], ['architecture', 'architecture'], ['filename', 'filename'], ['sha256', 'sha256'], ['size', 'size'],
]);
type ScannedFields = { package?: string; version?: string; architecture?: string; filename?: string; sha256?: string; size?: string };
const FIELD_NAME = /^[!-9;-~]+$/; // deb822 field names (Policy §5.1), as distro/deb/deb822.ts checks them

/**
 * One pass over a verified Packages text: as strict as parseParagraphs about the deb822 shape
 * (every line a field or a continuation, no duplicate field, no NUL/CR) but without building a
 * field list per paragraph — only the key fields are extracted; the paragraph itself is reused as
 * text. At 10,000 entries this is the difference between a flat add-one and a linear one.
 */
export function parsePackages(text: string, codename: string): AptIndexEntry[] {
  if (text.includes('\0') || text.includes('\r')) throw repoCorrupt(`a Packages index of ${codename} contains NUL or CR characters`);
  const entries: AptIndexEntry[] = [];
  for (const raw of text.split(/\n{2,}/)) {
    const chunk = raw.replace(/^\n+|\n+$/g, '');
    if (!chunk) continue;
    const seen = new Set<string>();
    const f: ScannedFields = {};
    let first = true;
    for (const line of chunk.split('\n')) {
      const c = line.charCodeAt(0);
      if (c === 32 || c === 9) {
        if (first) throw repoCorrupt(`a Packages index of ${codename} does not parse: continuation line without a field`);
        if (line.trim() === '') throw repoCorrupt(`a Packages index of ${codename} does not parse: a blank continuation line`);
        continue;
      }
      first = false;
      const colon = line.indexOf(':');
      const name = colon > 0 ? line.slice(0, colon) : '';
      const lower = name.toLowerCase();
      if (!FIELD_NAME.test(name) || name.startsWith('#') || name.startsWith('-') || seen.has(lower)) {
        throw repoCorrupt(`a Packages index of ${codename} does not parse: ${seen.has(lower) ? `duplicate field ${name}` : `malformed line ${JSON.stringify(line.slice(0, 60))}`}`);
      }
      seen.add(lower);
      const key = KEY_FIELDS.get(lower);
      if (key) f[key] = line.slice(colon + 1).trim();
    }
    const get = (n: keyof ScannedFields, label: string, grammar: RegExp) => {
      const v = f[n];
      if (!v || !grammar.test(v)) throw repoCorrupt(`a Packages entry of ${codename} has no valid ${label} (${JSON.stringify(v)})`);
      return v;
    };
    const entry: AptIndexEntry = {
      package: get('package', 'Package', DEB_NAME), version: get('version', 'Version', DEB_VERSION), architecture: get('architecture', 'Architecture', DEB_ARCH),
      filename: get('filename', 'Filename', /^pool\//), sha256: get('sha256', 'SHA256', /^[0-9a-f]{64}$/), size: Number(get('size', 'Size', /^[0-9]{1,15}$/)),
      text: chunk,
    };
    checkPoolPath(entry.filename, entry, codename);
    entries.push(entry);
  }
  return entries;
}
