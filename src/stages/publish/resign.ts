/**
 * `repo resign`: refresh Date and Valid-Until of every apt codename (meant for a timer, so
 * Valid-Until never lapses) and re-sign InRelease, Release.gpg and each yum repomd.xml.asc — also
 * how a rotated org key takes over. Index files are not rebuilt; each one the Release names is
 * checked against its sha256 first, so a damaged repository is never freshly vouched for.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { StageEnv } from '../../lib/env.js';
import { Py2DistroError } from '../../lib/errors.js';
import type { SigningKey } from '../sign/index.js';
import { DEFAULT_VALID_UNTIL_DAYS, releaseDate, writeSignedRelease } from './apt/release.js';
import { distDir, inReleaseText, parseRelease, readPublishedApt } from './apt/state.js';
import { field, formatParagraph } from '../../distro/deb/deb822.js';
import { acquireLock } from '../../lib/fs/lock.js';
import { resignYum } from './yum.js';

export interface ResignOptions {
  validUntilDays?: number;
  now?: Date;
  lockWaitMs?: number;
}

export interface ResignResult {
  codenames: Array<{ codename: string; validUntil: string }>;
  rpmTargets: string[];
}

export async function resignRepo(repoDir: string, key: SigningKey, opts: ResignOptions, env: StageEnv): Promise<ResignResult> {
  const dir = path.resolve(repoDir);
  const lock = await acquireLock(dir, { waitMs: opts.lockWaitMs, signal: env.signal, activity: 'published' });
  try {
    const result: ResignResult = { codenames: [], rpmTargets: [] };
    const debRoot = path.join(dir, 'deb');
    for (const codename of await subdirs(path.join(debRoot, 'dists'))) {
      const dist = distDir(debRoot, codename);
      const text = await inReleaseText(await readFile(path.join(dist, 'InRelease'), 'utf8').catch((err) => {
        throw new Py2DistroError('E_REPO_CORRUPT', `${dist} has no InRelease`, { cause: err });
      }));
      await readPublishedApt(debRoot, codename); // throws E_REPO_CORRUPT when an index does not match
      const release = parseRelease(text).paragraph;
      const oldDate = Date.parse(field(release, 'Date') ?? '');
      const oldValid = Date.parse(field(release, 'Valid-Until') ?? '');
      const days = opts.validUntilDays ?? (oldDate && oldValid ? Math.max(1, Math.round((oldValid - oldDate) / 86_400_000)) : DEFAULT_VALID_UNTIL_DAYS);
      const now = opts.now ?? new Date();
      const validUntil = releaseDate(new Date(now.getTime() + days * 86_400_000));
      const updated = release.map(([n, v]): [string, string] =>
        n === 'Date' ? [n, releaseDate(now)] : n === 'Valid-Until' ? [n, validUntil] : [n, v]);
      await writeSignedRelease(dist, `${formatParagraph(updated)}\n`, key);
      result.codenames.push({ codename, validUntil });
      env.log.info(`apt ${codename}: re-signed, valid until ${validUntil}`);
    }
    for (const target of await subdirs(path.join(dir, 'rpm'))) {
      if (await resignYum(path.join(dir, 'rpm', target), key)) result.rpmTargets.push(target);
    }
    return result;
  } finally {
    await lock.release();
  }
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}
