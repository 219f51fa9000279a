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
import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { trustedDetachedSigner, type SigningKey } from '../sign/index.js';
import { assertRealDirs, assertRegularFile, GENERATION, repoCorrupt } from './trust.js';
import { alignBlocks, primaryEntry, splitDocument, type RepodataPackage, type RepodataType, type YumEntry } from './yum-metadata.js';

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
  /** primary.xml's package blocks, in the order of `entries`. */
  primaryBlocks: string[];
  /** The verified (sha256 against the signed repomd.xml), still compressed bytes of each data file. */
  files: Partial<Record<RepodataType, Buffer>>;
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
  return splitDocument(xml, 'primary', where).map((b) => primaryEntry(b, where));
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
    const st = await lstat(link);
    if (!st.isSymbolicLink()) throw repoCorrupt(`${link} is not the symlink py2distro maintains`);
    generation = await readlink(link);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { data: [], entries: [], primaryBlocks: [], files: {} };
    throw err;
  }
  if (!GENERATION.test(generation)) throw repoCorrupt(`${link} points to ${JSON.stringify(generation)}, not a generation directory py2distro made`);
  await assertRealDirs(targetDir, generation);
  const genDir = path.join(targetDir, generation);
  const repomdFile = path.join(genDir, 'repomd.xml');
  if (!(await assertRegularFile(repomdFile)) || !(await assertRegularFile(`${repomdFile}.asc`))) {
    throw repoCorrupt(`${genDir} lacks repomd.xml or repomd.xml.asc`);
  }
  const repomd = await readFile(repomdFile);
  const signer = await trustedDetachedSigner(repomd, await readFile(`${repomdFile}.asc`, 'utf8'), key);
  if (!signer) throw repoCorrupt(`${repomdFile} is not signed by the org key ${key.fingerprint}${key.verifiers.length > 1 ? ' or a configured previous key' : ''}`);
  const data = parseRepomd(repomd.toString('utf8'), repomdFile);
  const files: YumState['files'] = {};
  await Promise.all(data.map(async (d) => {
    const file = path.join(genDir, d.name);
    if (!(await assertRegularFile(file))) throw repoCorrupt(`${file}, listed in the signed repomd.xml, is missing`);
    const bytes = await readFile(file);
    if (sha256(bytes) !== d.sha256) throw repoCorrupt(`${file} does not match the sha256 the signed repomd.xml lists`);
    files[d.type] = bytes;
  }));
  const primaryFile = path.join(genDir, data.find((d) => d.type === 'primary')!.name);
  const primaryBlocks = splitDocument(gunzipData(files.primary!, primaryFile), 'primary', primaryFile);
  const entries = primaryBlocks.map((b) => primaryEntry(b, primaryFile));
  return { generation, repomd, signer, data, entries, primaryBlocks, files };
}

function gunzipData(bytes: Buffer, file: string): string {
  try {
    return gunzipSync(bytes).toString('utf8');
  } catch (err) {
    throw repoCorrupt(`${file} is not gzip`, err);
  }
}

/**
 * Every published package with its three metadata blocks (for the next generation). Only from
 * verified state: the bytes are the ones readYumState checked against the signed repomd.xml.
 */
export function publishedPackages(targetDir: string, state: YumState): RepodataPackage[] {
  if (!state.generation) return [];
  const where = {} as Record<RepodataType, string>;
  for (const d of state.data) where[d.type] = path.join(targetDir, state.generation, d.name);
  const blocks = (type: 'filelists' | 'other') => splitDocument(gunzipData(state.files[type]!, where[type]), type, where[type]);
  // primary.xml was split (and its entries checked) by readYumState already.
  return alignBlocks({ primary: state.primaryBlocks, filelists: blocks('filelists'), other: blocks('other') }, where, state.entries);
}
