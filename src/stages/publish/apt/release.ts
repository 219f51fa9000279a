/**
 * The signed top of an apt repository: dists/<codename>/Release, Release.gpg (detached, armored)
 * and InRelease (clearsigned), written last and in that order by rename. apt prefers InRelease,
 * so until its rename lands a client keeps seeing the previous, self-consistent generation
 * (whose Packages files by-hash/ still holds).
 */
import { renameSync } from 'node:fs';
import path from 'node:path';
import { Py2DistroError } from '../../../lib/errors.js';
import type { SigningKey } from '../../sign/index.js';
import { clearsign, signDetachedArmored } from '../../sign/index.js';
import { syncDir, syncFiles, writeTemp } from '../../../lib/fs/atomic.js';
import { formatParagraph, type Paragraph } from '../../../distro/deb/deb822.js';

export interface ReleaseFields {
  origin: string;
  label: string;
  codename: string;
  architectures: string[];
  date: Date;
  validUntilDays: number;
  /** path relative to dists/<codename>/ → sha256 and size */
  files: Map<string, { sha256: string; size: number }>;
}

export const DEFAULT_VALID_UNTIL_DAYS = 7;
/** Origin/Label are free text in apt, but they land in a signed control file: one printable line. */
const RELEASE_TEXT = /^[A-Za-z0-9][A-Za-z0-9 ._+:/()@-]{0,99}$/;

export function checkReleaseText(value: string, what: string): string {
  if (!RELEASE_TEXT.test(value)) {
    throw new Py2DistroError('E_USAGE', `${what} ${JSON.stringify(value)} is not a valid apt Release value`, {
      hint: 'Use letters, digits, spaces and . _ + : / ( ) @ - (at most 100 characters).',
    });
  }
  return value;
}

/** RFC 2822 date in UTC as apt writes and reads it ("Sat, 30 Nov 2024 12:00:00 UTC"). */
export function releaseDate(d: Date): string {
  return d.toUTCString().replace(/GMT$/, 'UTC');
}

export function renderRelease(f: ReleaseFields): string {
  const validUntil = new Date(f.date.getTime() + f.validUntilDays * 86_400_000);
  const sums = [...f.files.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([rel, { sha256, size }]) => ` ${sha256} ${String(size).padStart(16)} ${rel}`);
  const p: Paragraph = [
    ['Origin', checkReleaseText(f.origin, 'Origin')],
    ['Label', checkReleaseText(f.label, 'Label')],
    ['Suite', f.codename],
    ['Codename', f.codename],
    ['Date', releaseDate(f.date)],
    ['Valid-Until', releaseDate(validUntil)],
    ['Architectures', [...f.architectures].sort().join(' ')],
    ['Components', 'main'],
    ['Description', `${f.label} ${f.codename}`],
    ['Acquire-By-Hash', 'yes'],
    ['SHA256', ['', ...sums].join('\n')],
  ];
  return `${formatParagraph(p)}\n`;
}

/** Sign Release both ways and rename Release, Release.gpg, InRelease into place — InRelease last. */
export async function writeSignedRelease(dir: string, releaseText: string, key: SigningKey): Promise<void> {
  const data = new TextEncoder().encode(releaseText);
  const [detached, inRelease] = await Promise.all([signDetachedArmored(data, key), clearsign(releaseText, key)]);
  const order: Array<[string, string]> = [['Release', releaseText], ['Release.gpg', detached], ['InRelease', inRelease]];
  const temps: Array<[string, string]> = [];
  for (const [name, text] of order) temps.push([await writeTemp(path.join(dir, name), text, { fsync: false }), path.join(dir, name)]);
  await syncFiles(temps.map(([tmp]) => tmp)); // all three durable, in one go, before the first rename
  for (const [tmp, target] of temps) renameSync(tmp, target);
  await syncDir(dir);
}
