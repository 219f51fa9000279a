/**
 * The small environment every stage receives instead of a listr task: a logger, an abort signal,
 * a work directory for scratch files and the download cache directory.
 */
import type { Logger } from './log.js';

export interface StageEnv {
  log: Logger;
  signal?: AbortSignal;
  /** Scratch space owned by this run; callers remove it. */
  workDir: string;
  cacheDir: string;
}
