/**
 * The pool's directories (pool/main/<prefix>/<source>/<codename>/): each created once, parents
 * before children, independent ones side by side on libuv's threads (a new repository of 2,000
 * packages makes 4,000 of them; mkdir is the kernel's work, one after the other it was most of the
 * publish). Every existing component is checked first (a real directory, never a symlink:
 * ../trust.ts); an existing leaf only has its stale temporaries removed. Runs under the lock.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { removeStaleTemps } from '../../../lib/fs/atomic.js';
import { assertRealDirs } from '../trust.js';

export class PoolDirs {
  private readonly made = new Map<string, Promise<void>>();
  private readonly checked = new Set<string>();

  constructor(private readonly repoDir: string) {}

  /** Start making `rel` (relative to <repo>/deb/, e.g. pool/main/f/foo/bookworm); resolves when it exists. */
  ensure(rel: string): Promise<void> {
    let p = this.made.get(rel);
    if (!p) {
      p = this.create(rel);
      p.catch(() => undefined); // awaited by publishApt; never an unhandled rejection meanwhile
      this.made.set(rel, p);
    }
    return p;
  }

  private async create(rel: string): Promise<void> {
    const parent = path.posix.dirname(rel);
    if (parent !== '.' && parent !== 'pool') await this.ensure(parent);
    await assertRealDirs(this.repoDir, `deb/${rel}`, this.checked);
    const full = path.join(this.repoDir, 'deb', rel);
    if (this.checked.has(full)) {
      if (rel.split('/').length === 5) await removeStaleTemps(full, { recursive: false });
      return;
    }
    try {
      await mkdir(full, { recursive: parent === '.' || parent === 'pool' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      await assertRealDirs(this.repoDir, `deb/${rel}`, this.checked); // appeared meanwhile: check it too
    }
  }
}
