/**
 * The trust lock (trust on first use): per project, the identities that vouched for it the first
 * time one was verified — the OpenPGP primary-key fingerprint and/or the PEP 740 publisher. A later
 * file of that project that is unsigned, or signed/attested by another identity, is refused until
 * the user accepts the change (`py2distro trust accept NAME`, or edits the file). This is how a
 * maintainer-account takeover or a downgrading mirror shows up in a nightly sync.
 *
 * The file is meant to be committed like a lock file: deterministic JSON (sorted keys, no times),
 * written atomically (a reader sees the old lock or the new one). Within one process all fetches
 * share one in-memory copy per path and writes are serialised; two processes writing the same
 * lock at once are not coordinated (the last write wins; neither loses a check).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Py2DistroError } from '../../lib/errors.js';
import { writeFileAtomic } from '../../lib/fs/atomic.js';
import { canonicalJson } from '../../lib/json.js';

/** What vouched for a project: each kind is optional, at least one is present. */
export interface LockedIdentity {
  /** OpenPGP primary-key fingerprint (upper-case hex). */
  openpgp?: string;
  /** PEP 740 publisher, e.g. `github:OWNER/REPO:WORKFLOW`. */
  publisher?: string;
  /** The file this was first recorded from (for messages). */
  recordedFrom: string;
}

interface LockFile {
  schema: 1;
  projects: Record<string, LockedIdentity>;
}

export interface TrustLock {
  file: string;
  get(project: string): LockedIdentity | undefined;
  /** Records (or extends) a project's entry and writes the file. */
  record(project: string, identity: LockedIdentity): Promise<void>;
  /** Forgets a project's entry (`trust accept`); returns what was recorded. */
  forget(project: string): Promise<LockedIdentity | undefined>;
}

const FINGERPRINT = /^[0-9A-F]{40}$|^[0-9A-F]{64}$/;
const open = new Map<string, Promise<TrustLock>>();

/** The lock at `file` (absent file = empty lock), shared by every caller in this process. */
export function openTrustLock(file: string): Promise<TrustLock> {
  const abs = path.resolve(file);
  let p = open.get(abs);
  if (!p) {
    p = load(abs);
    open.set(abs, p);
    p.catch(() => open.delete(abs));
  }
  return p;
}

function lockError(file: string, why: string): Py2DistroError {
  return new Py2DistroError('E_TRUST_LOCK', `trust lock ${file}: ${why}`, { details: { file } });
}

function validate(data: unknown, file: string): LockFile {
  const d = data as Partial<LockFile> | null;
  if (!d || typeof d !== 'object' || d.schema !== 1 || !d.projects || typeof d.projects !== 'object' || Array.isArray(d.projects)) {
    throw lockError(file, 'is not a py2distro trust lock (expected {"schema": 1, "projects": {...}})');
  }
  for (const [name, entry] of Object.entries(d.projects)) {
    const e = entry as Partial<LockedIdentity> | null;
    const ok =
      e && typeof e === 'object' && typeof e.recordedFrom === 'string' &&
      (e.openpgp === undefined || (typeof e.openpgp === 'string' && FINGERPRINT.test(e.openpgp))) &&
      (e.publisher === undefined || (typeof e.publisher === 'string' && e.publisher.length > 0)) &&
      (e.openpgp !== undefined || e.publisher !== undefined);
    if (!ok) throw lockError(file, `entry ${JSON.stringify(name)} must have "recordedFrom" and an "openpgp" fingerprint and/or a "publisher"`);
  }
  return d as LockFile;
}

async function load(file: string): Promise<TrustLock> {
  let data: LockFile = { schema: 1, projects: {} };
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw lockError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  if (text !== undefined) {
    try {
      data = validate(JSON.parse(text), file);
    } catch (err) {
      if (err instanceof Py2DistroError) throw err;
      throw lockError(file, `is not valid JSON (${(err as Error).message})`);
    }
  }
  let writing: Promise<void> = Promise.resolve();
  const save = () => {
    const text = `${canonicalJson(data, 2)}\n`;
    writing = writing.then(() => writeFileAtomic(file, text));
    return writing;
  };
  return {
    file,
    get: (project) => data.projects[project],
    async record(project, identity) {
      const old = data.projects[project];
      data.projects[project] = { ...old, ...identity, recordedFrom: old?.recordedFrom ?? identity.recordedFrom };
      await save();
    },
    async forget(project) {
      const old = data.projects[project];
      if (old) {
        delete data.projects[project];
        await save();
      }
      return old;
    },
  };
}

/** Identities as one line each, for messages: `openpgp:FPR`, `github:…`. */
export function describeLocked(identity: Partial<LockedIdentity>): string {
  const parts = [identity.publisher, identity.openpgp && `openpgp:${identity.openpgp}`].filter(Boolean);
  return parts.length ? parts.join(' + ') : 'nothing (unsigned, no attestation)';
}
