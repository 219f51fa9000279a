/**
 * A yum generation as read from disk, before anything trusts it: the `repodata` symlink, the
 * repomd.xml and its signature file beside it, the data files it lists (each checked against the
 * sha256 it gives), inflated and parsed into package blocks (yum-metadata.ts), the three documents
 * checked to describe the same packages in the same order. Nothing here checks the signature:
 * yum-state.ts does, first, and uses a read only if it was made of exactly the repomd.xml bytes
 * whose signature it verified.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import type { GzMember } from '../../lib/compress/gzip-members.js';
import { checkRealDirs, checkRegularFile, GENERATION, repoCorrupt } from './trust.js';
import {
  documentMembers, inflateDocument, parseRepodata, REPODATA_TYPES, type RepodataType, type YumDocument, type YumEntry,
} from './yum-metadata.js';

export interface RepomdData {
  type: RepodataType;
  /** File name inside the generation directory. */
  name: string;
  sha256: string;
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

/** A published document and the members of its .xml.gz that can be copied (undefined: recompress it whole). */
export interface PublishedDocument {
  doc: YumDocument;
  members?: GzMember[];
}

export interface PublishedRead {
  generation: string;
  repomd: Buffer;
  data: RepomdData[];
  /** Each data file's compressed bytes, matching the sha256 repomd.xml lists. */
  files: Record<RepodataType, Buffer>;
  /** primary.xml's packages, in its order. */
  entries: YumEntry[];
  documents: Record<RepodataType, PublishedDocument>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** The live `repodata` generation of <repoDir>/rpm/<target>/: its name (undefined: nothing published). */
export function liveGeneration(repoDir: string, target: string): string | undefined {
  checkRealDirs(repoDir, `rpm/${target}`);
  const link = path.join(repoDir, 'rpm', target, 'repodata');
  // Synchronous reads throughout: a few small files, where thread-pool round trips would dominate.
  const st = lstatSync(link, { throwIfNoEntry: false });
  if (!st) return undefined;
  if (!st.isSymbolicLink()) throw repoCorrupt(`${link} is not the symlink py2distro maintains`);
  const generation = readlinkSync(link);
  if (!GENERATION.test(generation)) throw repoCorrupt(`${link} points to ${JSON.stringify(generation)}, not a generation directory py2distro made`);
  checkRealDirs(path.join(repoDir, 'rpm', target), generation);
  return generation;
}

/** The repomd.xml of a generation and its armored signature file. */
export function readRepomd(repoDir: string, target: string, generation: string): { repomd: Buffer; asc: string; file: string } {
  const genDir = path.join(repoDir, 'rpm', target, generation);
  const file = path.join(genDir, 'repomd.xml');
  if (!checkRegularFile(file) || !checkRegularFile(`${file}.asc`)) throw repoCorrupt(`${genDir} lacks repomd.xml or repomd.xml.asc`);
  return { repomd: readFileSync(file), asc: readFileSync(`${file}.asc`, 'utf8'), file };
}

/** Read a generation (see above); E_REPO_CORRUPT for anything that is not what py2distro publishes. */
export function readPublished(repoDir: string, target: string, generation: string): PublishedRead {
  const genDir = path.join(repoDir, 'rpm', target, generation);
  const { repomd, file: repomdFile } = readRepomd(repoDir, target, generation);
  const data = parseRepomd(repomd.toString('utf8'), repomdFile);
  const files = {} as Record<RepodataType, Buffer>;
  const texts = {} as Record<RepodataType, Buffer>;
  const where = {} as Record<RepodataType, string>;
  for (const d of data) {
    const file = path.join(genDir, d.name);
    if (!checkRegularFile(file)) throw repoCorrupt(`${file}, listed in the signed repomd.xml, is missing`);
    const bytes = readFileSync(file);
    if (sha256(bytes) !== d.sha256) throw repoCorrupt(`${file} does not match the sha256 the signed repomd.xml lists`);
    files[d.type] = bytes;
    texts[d.type] = inflateDocument(bytes, file);
    where[d.type] = file;
  }
  const { docs, entries } = parseRepodata(texts, where);
  const documents = {} as Record<RepodataType, PublishedDocument>;
  for (const type of REPODATA_TYPES) {
    const { latin1: _, ...doc } = docs[type]; // the string is for parsing; what is kept is the bytes
    documents[type] = { doc, members: documentMembers(files[type], docs[type]) };
  }
  return { generation, repomd, data, files, entries, documents };
}
