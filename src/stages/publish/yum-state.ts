/**
 * What a yum repository (<repo>/rpm/<target>/) publishes, read back from what dnf itself trusts and
 * verified before use: `repodata` must be the symlink py2distro maintains, naming a generation
 * directory (repodata.<stamp>-<pid>, no '/'); its repomd.xml must carry a valid signature
 * (repomd.xml.asc) by one of the org's trust anchors and be the document createrepo_c writes; each
 * data file must match the sha256 repomd.xml lists; and the package list is primary.xml's, every
 * location a Packages/<name>-<version>-<release>.<arch>.rpm. There is no separate state file to
 * trust (py2distro ≤ 0.x kept an unsigned py2distro-packages.json beside; it is ignored), so a
 * repository published by an earlier version reads back the same way.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { trustedDetachedSigner, type SigningKey } from '../sign/index.js';
import { assertRealDirs, assertRegularFile, GENERATION, repoCorrupt, RPM_FILE } from './trust.js';

export interface YumEntry {
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch: string;
  /** Relative to the target directory: Packages/<file>.rpm */
  file: string;
  /** sha256 of the .rpm file, as primary.xml records it. */
  sha256: string;
}

export interface RepomdData {
  type: 'primary' | 'filelists' | 'other';
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

/** The packages of a primary.xml: name, EVR, arch, location and sha256, each checked. */
export function parsePrimary(xml: string, where: string): YumEntry[] {
  const blocks = xml.split('<package type="rpm">').slice(1);
  const count = /<metadata [^>]*packages="([0-9]+)">/.exec(xml);
  if (!count || Number(count[1]) !== blocks.length) throw repoCorrupt(`${where} does not parse as primary.xml`);
  return blocks.map((b) => {
    const name = /^\s*<name>([A-Za-z0-9_+][A-Za-z0-9_.+-]*)<\/name>\s*<arch>([a-z0-9_]+)<\/arch>/.exec(b);
    const evr = /<version epoch="([0-9]{1,10})" ver="([A-Za-z0-9._+~^]+)" rel="([A-Za-z0-9._+~^]+)"\/>/.exec(b);
    const sum = /<checksum type="sha256" pkgid="YES">([0-9a-f]{64})<\/checksum>/.exec(b);
    const loc = /<location href="([^"]*)"\/>/.exec(b);
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
  });
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
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { data: [], entries: [] };
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
  let entries: YumEntry[] = [];
  for (const d of data) {
    const file = path.join(genDir, d.name);
    if (!(await assertRegularFile(file))) throw repoCorrupt(`${file}, listed in the signed repomd.xml, is missing`);
    const bytes = await readFile(file);
    if (sha256(bytes) !== d.sha256) throw repoCorrupt(`${file} does not match the sha256 the signed repomd.xml lists`);
    if (d.type === 'primary') {
      let xml: string;
      try {
        xml = gunzipSync(bytes).toString('utf8');
      } catch (err) {
        throw repoCorrupt(`${file} is not gzip`, err);
      }
      entries = parsePrimary(xml, file);
    }
  }
  return { generation, repomd, signer, data, entries };
}
