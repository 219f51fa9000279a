/**
 * What an apt repository currently publishes for one codename, read back from the repository
 * itself: the clearsigned InRelease names each Packages file by sha256, and that exact file is read
 * from by-hash/ (the plain Packages may already be newer after a killed publish — InRelease is the
 * truth apt sees). The Packages paragraphs are the per-file metadata cache: adding one package to a
 * repository of 2,000 never re-reads the other 2,000 .debs.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { Py2DistroError } from '../../../lib/errors.js';
import { field, parseParagraphs, parseSingleParagraph, type Paragraph } from '../../../distro/deb/deb822.js';

export interface AptIndexEntry {
  paragraph: Paragraph;
  package: string;
  version: string;
  architecture: string;
  /** Pool path relative to the deb/ root. */
  filename: string;
  sha256: string;
}

export interface ReleaseFile {
  paragraph: Paragraph;
  /** path (relative to dists/<codename>/) → { sha256, size } */
  sha256: Map<string, { sha256: string; size: number }>;
}

export interface PublishedApt {
  codename: string;
  release?: ReleaseFile;
  origin?: string;
  label?: string;
  architectures: string[];
  /** arch → entries of main/binary-<arch>/Packages */
  indexes: Map<string, AptIndexEntry[]>;
}

function corrupt(message: string): Py2DistroError {
  return new Py2DistroError('E_REPO_CORRUPT', message);
}

export function distDir(debRoot: string, codename: string): string {
  return path.join(debRoot, 'dists', codename);
}

export function parseRelease(text: string): ReleaseFile {
  const paragraph = parseSingleParagraph(text, 'Release');
  const sha256 = new Map<string, { sha256: string; size: number }>();
  for (const line of (field(paragraph, 'SHA256') ?? '').split('\n').slice(1)) {
    const m = /^\s+([0-9a-f]{64})\s+(\d+)\s+(\S+)$/.exec(line);
    if (!m) throw corrupt(`Release has a malformed SHA256 line ${JSON.stringify(line)}`);
    sha256.set(m[3]!, { sha256: m[1]!, size: Number(m[2]) });
  }
  return { paragraph, sha256 };
}

/** The signed text of an InRelease file (dash-escaping undone by openpgp). */
export async function inReleaseText(armored: string): Promise<string> {
  try {
    const msg = await openpgp.readCleartextMessage({ cleartextMessage: armored });
    return msg.getText();
  } catch (err) {
    throw new Py2DistroError('E_REPO_CORRUPT', 'InRelease is not a clearsigned document', { cause: err });
  }
}

export async function readPublishedApt(debRoot: string, codename: string): Promise<PublishedApt> {
  const dir = distDir(debRoot, codename);
  let armored: string;
  try {
    armored = await readFile(path.join(dir, 'InRelease'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { codename, architectures: [], indexes: new Map() };
    throw err;
  }
  const release = parseRelease(await inReleaseText(armored));
  const architectures = (field(release.paragraph, 'Architectures') ?? '').split(/\s+/).filter(Boolean);
  const indexes = new Map<string, AptIndexEntry[]>();
  for (const arch of architectures) {
    const rel = `main/binary-${arch}/Packages`;
    const want = release.sha256.get(rel);
    if (!want) continue;
    const text = await readByHash(dir, rel, want.sha256);
    indexes.set(arch, parsePackages(text));
  }
  return {
    codename, release, architectures, indexes,
    origin: field(release.paragraph, 'Origin'), label: field(release.paragraph, 'Label'),
  };
}

async function readByHash(dir: string, rel: string, sha256: string): Promise<string> {
  const candidates = [path.join(dir, path.dirname(rel), 'by-hash', 'SHA256', sha256), path.join(dir, rel)];
  for (const file of candidates) {
    try {
      const buf = await readFile(file);
      if (createHash('sha256').update(buf).digest('hex') === sha256) return buf.toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  throw corrupt(`the ${rel} that InRelease lists (sha256 ${sha256}) is missing from ${dir}`);
}

export function parsePackages(text: string): AptIndexEntry[] {
  return parseParagraphs(text, 'Packages').map((p) => {
    const get = (n: string) => {
      const v = field(p, n);
      if (!v) throw corrupt(`a Packages entry lacks ${n}`);
      return v;
    };
    return {
      paragraph: p, package: get('Package'), version: get('Version'), architecture: get('Architecture'),
      filename: get('Filename'), sha256: get('SHA256'),
    };
  });
}
