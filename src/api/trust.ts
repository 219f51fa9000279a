/**
 * The trust runs: `trust refresh` updates the Sigstore trusted root through Sigstore's TUF
 * repository (online; signed metadata from the root.json shipped in @sigstore/tuf, not TLS alone),
 * and `trust accept NAME` forgets a project's recorded identity in a trust lock, so that the next
 * verified file records the new one.
 */
import { Py2DistroError } from '../lib/errors.js';
import { normalizeName } from '../python/requirement.js';
import { describeLocked, openTrustLock, refreshTrustedRoot, type LockedIdentity } from '../stages/verify/index.js';

export async function runTrustRefresh(env: { cacheDir: string }): Promise<{ path: string; sha256: string }> {
  return refreshTrustedRoot(env.cacheDir);
}

export interface TrustAcceptResult {
  project: string;
  lock: string;
  /** What the lock held before (undefined: nothing was recorded for the project). */
  forgotten?: LockedIdentity;
  description: string;
}

export async function runTrustAccept(opts: { project: string; lockFile?: string }): Promise<TrustAcceptResult> {
  if (!opts.lockFile) {
    throw new Py2DistroError('E_USAGE', 'trust accept needs the trust lock: --trust-lock FILE, `trust-lock:` in py2distro.yaml, or --state-dir of the sync');
  }
  const project = normalizeName(opts.project);
  const lock = await openTrustLock(opts.lockFile);
  const forgotten = await lock.forget(project);
  return {
    project,
    lock: lock.file,
    ...(forgotten ? { forgotten } : {}),
    description: forgotten
      ? `${project}: forgot ${describeLocked(forgotten)} in ${lock.file}; the next verified file records its identity`
      : `${project}: nothing recorded in ${lock.file}`,
  };
}
