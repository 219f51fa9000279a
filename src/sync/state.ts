/**
 * What sync remembers between runs: per target and project, the build key, version, revision and
 * files of what is currently published. It is updated only after the repository accepted the new
 * packages, and written atomically (temp file, fsync, rename) so that a crash leaves either the old
 * or the new state — never one that claims packages the repository does not have.
 */
import { open, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Py2DistroError } from '../errors.js';

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
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fh.writeFile(JSON.stringify(state, null, 2) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, file);
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
 * One sync at a time per state directory: an exclusive lock file holding the pid. A lock whose
 * process is gone is stale and taken over.
 */
export async function acquireSyncLock(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'sync.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      return async () => {
        await unlink(file).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new Py2DistroError('E_REPO_LOCKED', `another py2distro sync (pid ${pid}) is running on ${dir}`);
      }
      await unlink(file).catch(() => undefined);
    }
  }
  throw new Py2DistroError('E_REPO_LOCKED', `cannot take the sync lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
