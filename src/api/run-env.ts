/**
 * What a run (api/) receives from its caller besides its own options: the logger, the abort signal,
 * the download cache and how progress is shown. The CLI builds one from its flags; library users
 * and tests build their own. Runs make and remove their own scratch directories.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StageEnv } from '../lib/env.js';
import type { Logger } from '../lib/log.js';

export interface RunEnv {
  log: Logger;
  signal?: AbortSignal;
  cacheDir: string;
  /** Progress: silent with json (stdout is the result), verbose adds debug lines. */
  json?: boolean;
  verbose?: boolean;
}

/** Runs `body` with a fresh scratch directory under the system temp dir, removed afterwards unless `keep`. */
export async function withWorkDir<T>(env: RunEnv, prefix: string, body: (stage: StageEnv) => Promise<T>, keep = false): Promise<T> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), `py2distro-${prefix}-`));
  try {
    return await body({ log: env.log, signal: env.signal, workDir, cacheDir: env.cacheDir });
  } finally {
    if (keep) env.log.info(`work directory kept: ${workDir}`);
    else await rm(workDir, { recursive: true, force: true });
  }
}
