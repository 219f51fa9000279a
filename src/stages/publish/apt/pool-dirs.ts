/**
 * The pool's directories (pool/<codename>/main/<prefix>/, see ../trust.ts): a few dozen per
 * codename however many packages, each created once, parents first. A component that exists is
 * checked once (a real directory, never a symlink: a planted pool/bookworm → /etc would make a
 * write land outside the repository); one this run created needs no check. Synchronous: each is
 * one syscall under the repository lock, where a thread-pool round trip would cost more.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { checkRealDirs } from '../trust.js';

export class PoolDirs {
  private readonly ready = new Set<string>();
  private readonly checked = new Set<string>();

  constructor(private readonly repoDir: string) {}

  /** Make `rel` (relative to <repo>/deb/, e.g. pool/bookworm/main/p) and its parents. */
  ensure(rel: string): void {
    if (this.ready.has(rel)) return;
    const parent = path.posix.dirname(rel);
    if (parent !== '.') this.ensure(parent);
    const full = path.join(this.repoDir, 'deb', rel);
    if (parent === '.') {
      checkRealDirs(this.repoDir, 'deb', this.checked);
      mkdirSync(path.dirname(full), { recursive: true }); // deb/ itself, for a first publish
    }
    try {
      mkdirSync(full);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      checkRealDirs(this.repoDir, `deb/${rel}`, this.checked);
    }
    this.ready.add(rel);
  }
}
