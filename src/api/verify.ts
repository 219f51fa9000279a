/**
 * The verify run: a local file, its detached signature and the pins that apply to its project,
 * checked with the same refusals as fetch (hash, signer, expiry, revocation, weak algorithms).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Py2DistroError } from '../lib/errors.js';
import { sha256File } from '../lib/fs/cache.js';
import type { Logger } from '../lib/log.js';
import { parseSdistFilename } from '../python/filenames.js';
import { normalizeName } from '../python/requirement.js';
import type { FetchOptions } from '../stages/fetch/index.js';
import { applySignaturePolicy, type PolicyOutcome } from '../stages/verify/index.js';

export interface VerifyRunOptions {
  file: string;
  /** Detached signature; default `<file>.asc` when it exists. */
  signatureFile?: string;
  /** Project whose pins apply; default from the sdist filename. */
  project?: string;
  /** Also require this sha256. */
  sha256?: string;
  fetch: Pick<FetchOptions, 'signaturePolicy' | 'keyrings' | 'trust' | 'allowDsa'>;
}

export interface VerifyRunResult {
  file: string;
  sha256: string;
  project: string;
  signature: PolicyOutcome & { file?: string };
}

export async function runVerify(opts: VerifyRunOptions, env: { log: Logger }): Promise<VerifyRunResult> {
  const file = path.resolve(opts.file);
  if (!existsSync(file)) throw new Py2DistroError('E_USAGE', `${opts.file}: no such file`);
  const displayName = path.basename(file);
  const name = opts.project ?? parseSdistFilename(displayName)?.name;
  if (!name) throw new Py2DistroError('E_USAGE', `${displayName}: cannot tell the project from the filename`, { hint: 'Pass --name PROJECT (the name used in --trust).' });
  const sigFile = opts.signatureFile ? path.resolve(opts.signatureFile) : `${file}.asc`;
  if (opts.signatureFile && !existsSync(sigFile)) throw new Py2DistroError('E_USAGE', `${opts.signatureFile}: no such file`);
  const signature = existsSync(sigFile) ? new Uint8Array(await readFile(sigFile)) : undefined;

  const sha256 = await sha256File(file);
  if (opts.sha256 && opts.sha256.toLowerCase() !== sha256) {
    throw new Py2DistroError('E_HASH_MISMATCH', `${displayName}: sha256 is ${sha256}, expected ${opts.sha256.toLowerCase()}`, { details: { file: displayName } });
  }
  const project = normalizeName(name);
  const outcome = await applySignaturePolicy(
    { policy: opts.fetch.signaturePolicy, file, displayName, project, signature, keyringFiles: opts.fetch.keyrings, trust: opts.fetch.trust, allowDsa: opts.fetch.allowDsa },
    env.log,
  );
  return { file, sha256, project, signature: { ...outcome, ...(signature ? { file: sigFile } : {}) } };
}
