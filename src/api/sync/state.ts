/**
 * What sync remembers between runs: per target and project, the build key, version, revision and
 * files of what is currently published. It is updated only after the repository accepted the new
 * packages, and written atomically (temp file, fsync, rename) so that a crash leaves either the old
 * or the new state — never one that claims packages the repository does not have.
 */
import { readFile } from 'node:fs/promises';
import { Py2DistroError } from '../../lib/errors.js';
import { writeFileAtomic } from '../../lib/fs/atomic.js';
import { acquireLock } from '../../lib/fs/lock.js';

export interface PackageState {
  name: string;
  /** Upstream (PEP 440) version. */
  version: string;
  /** Packaging revision: 1, bumped when the same upstream version is rebuilt with other inputs. */
  revision: number;
  /** The distro package version that was published (e.g. `1.2-1`, `1.2-1.rpmtest`). */
  packageVersion?: string;
  key: string;
  sdistSha256: string;
  /** Published files of this build, relative to the repository directory. */
  files: string[];
  builtAt: string;
}

export interface SyncState {
  schema: 1;
  /** target name → normalised project name → state. */
  targets: Record<string, Record<string, PackageState>>;
}

export function emptyState(): SyncState {
  return { schema: 1, targets: {} };
}

export async function loadState(file: string): Promise<SyncState> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw err;
  }
  try {
    const data = JSON.parse(text) as SyncState;
    if (data.schema !== 1 || typeof data.targets !== 'object') throw new Error('unknown schema');
    return data;
  } catch (cause) {
    throw new Py2DistroError('E_REPO_CORRUPT', `sync state ${file} is unreadable`, {
      cause,
      hint: 'Remove the state file to rebuild everything on the next sync (published packages are kept).',
    });
  }
}

export async function saveState(file: string, state: SyncState): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(state, null, 2) + '\n');
}

/**
 * The revision for a build with `key` of `version`: unchanged when the key is, 1 for a new upstream
 * version, else one more than before — the repository never accepts other content under a
 * version it has already published.
 */
export function revisionFor(previous: PackageState | undefined, version: string, key: string): number {
  if (!previous || previous.version !== version) return 1;
  return previous.key === key ? previous.revision : previous.revision + 1;
}

/**
 * One sync at a time per state directory: the same O_EXCL lock as publishing (stale owners taken
 * over race-safely), under its own name so that the publishes a sync makes can still lock the repo.
 */
export async function acquireSyncLock(dir: string): Promise<() => Promise<void>> {
  const lock = await acquireLock(dir, {
    name: 'sync.lock',
    activity: 'synced',
    hint: 'Another py2distro sync is running on this state directory. Wait for it; a lock whose process is gone is taken over.',
  });
  return () => lock.release();
}
