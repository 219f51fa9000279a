/**
 * What a yum repository (<repo>/rpm/<target>/) publishes, read back from what dnf itself trusts and
 * verified before use: `repodata` must be the symlink py2distro maintains, naming a generation
 * directory (repodata.<stamp>-<pid>, no '/'); its repomd.xml must carry a valid signature
 * (repomd.xml.asc) by one of the org's trust anchors and be the document createrepo_c writes; each
 * data file must match the sha256 repomd.xml lists; and the package list is primary.xml's, every
 * location a Packages/<name>-<version>-<release>.<arch>.rpm; filelists.xml and other.xml must describe
 * the same packages in the same order (yum-metadata.ts). There is no separate state file to
 * trust (py2distro ≤ 0.x kept an unsigned py2distro-packages.json beside; it is ignored), so a
 * repository published by an earlier version reads back the same way.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { GzMember } from '../../lib/compress/gzip-members.js';
import { trustedDetachedSigner, type SigningKey } from '../sign/index.js';
import { assertRealDirs, assertRegularFile, GENERATION, repoCorrupt } from './trust.js';
import {
  alignDocuments, documentMembers, parseDocument, primaryEntries, REPODATA_TYPES, type RepodataType, type YumDocument, type YumEntry,
} from './yum-metadata.js';

export type { YumEntry } from './yum-metadata.js';

export interface RepomdData {
  type: RepodataType;
  /** File name inside the generation directory. */
  name: string;
  sha256: string;
}

export interface YumState {
  generation?: string;
  /** The verified repomd.xml bytes (what `resign` signs again). */
  repomd?: Buffer;
  signer?: string;
  data: RepomdData[];
  entries: YumEntry[];
  /** The verified (sha256 against the signed repomd.xml), still compressed bytes of each data file. */
  files: Partial<Record<RepodataType, Buffer>>;
  /** Each data file uncompressed; primary is parsed (its blocks are `entries`), publishedDocuments parses the others. */
  texts: Partial<Record<RepodataType, Buffer>>;
  primary?: YumDocument;
}

const XML_HEAD = '<\\?xml version="1\\.0" encoding="UTF-8"\\?>\n<repomd xmlns="http://linux\\.duke\\.edu/metadata/repo" xmlns:rpm="http://linux\\.duke\\.edu/metadata/rpm">\n  <revision>[0-9]{1,20}</revision>\n';
const DATA = '  <data type="(primary|filelists|other)">\n    <checksum type="sha256">([0-9a-f]{64})</checksum>\n    <open-checksum type="sha256">[0-9a-f]{64}</open-checksum>\n'
  + '    <location href="repodata/([0-9a-f]{64}-(?:primary|filelists|other)\\.xml\\.gz)"/>\n    <timestamp>[0-9]{1,20}</timestamp>\n    <size>[0-9]{1,15}</size>\n    <open-size>[0-9]{1,15}</open-size>\n  </data>\n';
const REPOMD = new RegExp(`^${XML_HEAD}((?:${DATA})+)</repomd>\n?$`);
const DATA_RE = new RegExp(DATA, 'g');

/** Parse a repomd.xml and refuse anything but the createrepo_c document py2distro publishes. */
export function parseRepomd(xml: string, where: string): RepomdData[] {
  const m = REPOMD.exec(xml);
  if (!m) throw repoCorrupt(`${where} is not a repomd.xml as createrepo_c writes it for py2distro`);
  const data = [...m[1]!.matchAll(DATA_RE)].map((d) => ({ type: d[1] as RepomdData['type'], sha256: d[2]!, name: d[3]! }));
  const types = data.map((d) => d.type).sort().join(' ');
  if (types !== 'filelists other primary' || data.some((d) => !d.name.startsWith(`${d.sha256}-${d.type}.`))) {
    throw repoCorrupt(`${where} does not list exactly one primary, filelists and other file under its checksum`);
  }
  return data;
}

export interface RepodataFile {
  type: RepodataType;
  /** sha256 and size of the compressed file (its name is `<sha256>-<type>.xml.gz`), of the XML inside. */
  sha256: string;
  size: number;
  openSha256: string;
  openSize: number;
}

/**
 * repomd.xml exactly as createrepo_c writes it (and parseRepomd reads it back): revision and
 * timestamps in seconds since the epoch, data files under repodata/ by their checksum.
 */
export function renderRepomd(files: readonly RepodataFile[], seconds: number): string {
  const data = files.map((f) => `  <data type="${f.type}">\n    <checksum type="sha256">${f.sha256}</checksum>\n`
    + `    <open-checksum type="sha256">${f.openSha256}</open-checksum>\n    <location href="repodata/${f.sha256}-${f.type}.xml.gz"/>\n`
    + `    <timestamp>${seconds}</timestamp>\n    <size>${f.size}</size>\n    <open-size>${f.openSize}</open-size>\n  </data>\n`);
  return '<?xml version="1.0" encoding="UTF-8"?>\n<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">\n'
    + `  <revision>${seconds}</revision>\n${data.join('')}</repomd>\n`;
}

/** The packages of a primary.xml: name, EVR, arch, location and sha256, each checked. */
export function parsePrimary(xml: string, where: string): YumEntry[] {
  return primaryEntries(parseDocument(Buffer.from(xml, 'utf8'), 'primary', where));
}

function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

/** Read and verify the live generation of <repoDir>/rpm/<target>/ (nothing published: empty state). */
export async function readYumState(repoDir: string, target: string, key: SigningKey): Promise<YumState> {
  await assertRealDirs(repoDir, `rpm/${target}`);
  const targetDir = path.join(repoDir, 'rpm', target);
  const link = path.join(targetDir, 'repodata');
  let generation: string;
  try {
    // Synchronous reads throughout: a few small files, where thread-pool round trips would dominate.
    const st = lstatSync(link);
    if (!st.isSymbolicLink()) throw repoCorrupt(`${link} is not the symlink py2distro maintains`);
    generation = readlinkSync(link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { data: [], entries: [], files: {}, texts: {} };
    throw err;
  }
  if (!GENERATION.test(generation)) throw repoCorrupt(`${link} points to ${JSON.stringify(generation)}, not a generation directory py2distro made`);
  await assertRealDirs(targetDir, generation);
  const genDir = path.join(targetDir, generation);
  const repomdFile = path.join(genDir, 'repomd.xml');
  if (!(await assertRegularFile(repomdFile)) || !(await assertRegularFile(`${repomdFile}.asc`))) {
    throw repoCorrupt(`${genDir} lacks repomd.xml or repomd.xml.asc`);
  }
  const repomd = readFileSync(repomdFile);
  const signer = await trustedDetachedSigner(repomd, readFileSync(`${repomdFile}.asc`, 'utf8'), key);
  if (!signer) throw repoCorrupt(`${repomdFile} is not signed by the org key ${key.fingerprint}${key.verifiers.length > 1 ? ' or a configured previous key' : ''}`);
  const data = parseRepomd(repomd.toString('utf8'), repomdFile);
  const files: YumState['files'] = {};
  for (const d of data) {
    const file = path.join(genDir, d.name);
    if (!(await assertRegularFile(file))) throw repoCorrupt(`${file}, listed in the signed repomd.xml, is missing`);
    const bytes = readFileSync(file);
    if (sha256(bytes) !== d.sha256) throw repoCorrupt(`${file} does not match the sha256 the signed repomd.xml lists`);
    files[d.type] = bytes;
  }
  const where = (type: RepodataType) => path.join(genDir, data.find((d) => d.type === type)!.name);
  const texts: YumState['texts'] = {};
  for (const d of data) {
    try {
      // In one thread, in large steps: each of zlib's default 16 KiB steps costs a round trip, async or not.
      texts[d.type] = gunzipSync(files[d.type]!, { chunkSize: INFLATE_CHUNK });
    } catch (err) {
      throw repoCorrupt(`${where(d.type)} is not gzip`, err);
    }
  }
  const primary = parseDocument(texts.primary!, 'primary', where('primary'));
  const entries = primaryEntries(primary);
  return { generation, repomd, signer, data, entries, files, texts, primary };
}

const INFLATE_CHUNK = 1 << 20;

/** A published document and the members of its .xml.gz that can be copied (undefined: recompress it whole). */
export interface PublishedDocument {
  doc: YumDocument;
  members?: GzMember[];
}

/**
 * The three published documents, checked to describe the packages of primary.xml in its order (for
 * the next generation). Only from verified state: the bytes are the ones readYumState checked
 * against the signed repomd.xml.
 */
export function publishedDocuments(targetDir: string, state: YumState): Record<RepodataType, PublishedDocument> | undefined {
  if (!state.generation || !state.primary) return undefined;
  const where = {} as Record<RepodataType, string>;
  for (const d of state.data) where[d.type] = path.join(targetDir, state.generation, d.name);
  const docs = {
    primary: state.primary,
    filelists: parseDocument(state.texts.filelists!, 'filelists', where.filelists),
    other: parseDocument(state.texts.other!, 'other', where.other),
  };
  alignDocuments(state.entries, docs.primary, docs.filelists, docs.other);
  const out = {} as Record<RepodataType, PublishedDocument>;
  for (const type of REPODATA_TYPES) out[type] = { doc: docs[type], members: documentMembers(state.files[type]!, docs[type]) };
  return out;
}
