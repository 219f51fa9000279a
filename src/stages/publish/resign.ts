/**
 * `repo resign`: refresh Date and Valid-Until of every apt codename (meant for a timer, so
 * Valid-Until never lapses) and re-sign InRelease, Release.gpg and each yum repomd.xml.asc — also
 * how a rotated org key takes over. Resigning vouches for nothing new: only state whose signature
 * verifies with a trust anchor (the signing key, or a configured previous key) is signed again,
 * every index it names is checked against its sha256, and the apt Release is rendered afresh from
 * the verified values — the key never signs bytes found on disk that are not py2distro's format.
 * Everything is verified before anything is signed: one bad codename or target and nothing is.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { StageEnv } from '../../lib/env.js';
import type { SigningKey } from '../sign/index.js';
import { DEFAULT_VALID_UNTIL_DAYS, releaseDate, renderRelease, writeSignedRelease } from './apt/release.js';
import { distDir, readPublishedApt, type PublishedApt } from './apt/state.js';
import { CODENAME } from './trust.js';
import { field } from '../../distro/deb/deb822.js';
import { acquireLock } from '../../lib/fs/lock.js';
import { readYumState } from './yum-state.js';
import { resignYum, RPM_TARGET } from './yum.js';
import { assertRealDirs, repoCorrupt } from './trust.js';

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
    // 1. Verify everything.
    const apt: PublishedApt[] = [];
    for (const codename of await subdirs(dir, 'deb/dists', CODENAME)) {
      const state = await readPublishedApt(debRoot, codename, key);
      if (!state.release) throw repoCorrupt(`${distDir(debRoot, codename)} has no InRelease`);
      for (const index of new Set(state.indexes.values())) index.packages.all(); // every paragraph, strictly: a timer job can afford it
      apt.push(state);
    }
    const targets = await subdirs(dir, 'rpm', RPM_TARGET);
    for (const target of targets) await readYumState(dir, target, key);
    // 2. Sign.
    const now = opts.now ?? new Date();
    for (const state of apt) {
      const release = state.release!.paragraph;
      const oldDate = Date.parse(field(release, 'Date') ?? '');
      const oldValid = Date.parse(field(release, 'Valid-Until') ?? '');
      const days = opts.validUntilDays ?? (oldDate && oldValid ? Math.max(1, Math.round((oldValid - oldDate) / 86_400_000)) : DEFAULT_VALID_UNTIL_DAYS);
      const text = renderRelease({
        origin: state.origin!, label: state.label!, codename: state.codename, architectures: state.architectures,
        files: state.release!.sha256, date: now, validUntilDays: days,
      });
      await writeSignedRelease(distDir(debRoot, state.codename), text, key);
      const validUntil = releaseDate(new Date(now.getTime() + days * 86_400_000));
      result.codenames.push({ codename: state.codename, validUntil });
      env.log.info(`apt ${state.codename}: re-signed${state.signer !== key.fingerprint ? ` (was signed by ${state.signer})` : ''}, valid until ${validUntil}`);
    }
    for (const target of targets) {
      if (await resignYum(dir, target, key)) result.rpmTargets.push(target);
    }
    return result;
  } finally {
    await lock.release();
  }
}

/** The directories below `rel`, each a real directory with a name py2distro would write. */
async function subdirs(root: string, rel: string, grammar: RegExp): Promise<string[]> {
  await assertRealDirs(root, rel);
  const entries = await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => []);
  const names: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.') || (rel === 'rpm' && /^key\.(asc|gpg)$/.test(e.name))) continue;
    if (!e.isDirectory() || !grammar.test(e.name)) throw repoCorrupt(`${path.join(root, rel, e.name)} is not a directory py2distro writes`);
    names.push(e.name);
  }
  return names.sort();
}
