/**
 * What a yum repository (<repo>/rpm/<target>/) publishes, read back from what dnf itself trusts and
 * verified before use: `repodata` must be the symlink py2distro maintains, naming a generation
 * directory (repodata.<stamp>-<pid>, no '/'); its repomd.xml must carry a valid signature
 * (repomd.xml.asc) by one of the org's trust anchors and be the document createrepo_c writes; each
 * data file must match the sha256 repomd.xml lists; and the package list is primary.xml's, every
 * location a Packages/<name>-<version>-<release>.<arch>.rpm; filelists.xml and other.xml must describe
 * the same packages in the same order (yum-published.ts, yum-metadata.ts). There is no separate
 * state file to trust (py2distro ≤ 0.x kept an unsigned py2distro-packages.json beside; it is
 * ignored), so a repository published by an earlier version reads back the same way.
 */
import { trustedDetachedSigner, type SigningKey } from '../sign/index.js';
import { repoCorrupt } from './trust.js';
import { parseDocument, primaryEntries, type RepodataType, type YumEntry } from './yum-metadata.js';
import { liveGeneration, readPublished, readRepomd, type PublishedDocument, type RepomdData } from './yum-published.js';

export type { YumEntry } from './yum-metadata.js';
export type { PublishedDocument, RepomdData } from './yum-published.js';

export interface YumState {
  generation?: string;
  /** The verified repomd.xml bytes (what `resign` signs again). */
  repomd?: Buffer;
  signer?: string;
  data: RepomdData[];
  entries: YumEntry[];
  /** The verified (sha256 against the signed repomd.xml), still compressed bytes of each data file. */
  files: Partial<Record<RepodataType, Buffer>>;
  /** The three documents, parsed and checked against each other (for the next generation). */
  documents?: Record<RepodataType, PublishedDocument>;
}

/** The packages of a primary.xml: name, EVR, arch, location and sha256, each checked. */
export function parsePrimary(xml: string, where: string): YumEntry[] {
  return primaryEntries(parseDocument(Buffer.from(xml, 'utf8'), 'primary', where));
}

/**
 * Read and verify the live generation of <repoDir>/rpm/<target>/ (nothing published: empty state):
 * the signature on repomd.xml first, then the files it lists (yum-published.ts).
 */
export async function readYumState(repoDir: string, target: string, key: SigningKey): Promise<YumState> {
  const generation = liveGeneration(repoDir, target);
  if (!generation) return { data: [], entries: [], files: {} };
  const { repomd, asc, file } = readRepomd(repoDir, target, generation);
  const signer = await trustedDetachedSigner(repomd, asc, key);
  if (!signer) throw repoCorrupt(`${file} is not signed by the org key ${key.fingerprint}${key.verifiers.length > 1 ? ' or a configured previous key' : ''}`);
  const read = readPublished(repoDir, target, generation);
  // What was read must be what was verified (a file replaced between the two reads is refused).
  if (!read.repomd.equals(repomd)) throw repoCorrupt(`${file} changed while py2distro read it`);
  return { generation, repomd, signer, data: read.data, entries: read.entries, files: read.files, documents: read.documents };
}
