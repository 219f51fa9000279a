/**
 * The verify run: a local file, its detached signature and/or PEP 740 provenance, and the pins that
 * apply to its project, checked with the same refusals as fetch (hash, signer, expiry, revocation,
 * weak algorithms, attestation, publisher, trust lock).
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
import { applyTrustPolicy, type PolicyOutcome } from '../stages/verify/index.js';

export interface VerifyRunOptions {
  file: string;
  /** Detached signature; default `<file>.asc` when it exists. */
  signatureFile?: string;
  /** Project whose pins apply; default from the sdist filename. */
  project?: string;
  /** Also require this sha256. */
  sha256?: string;
  /** PEP 740 provenance object or single attestation (JSON); default `<file>.provenance` when it exists. */
  provenanceFile?: string;
  fetch: Pick<FetchOptions, 'signaturePolicy' | 'keyrings' | 'trust' | 'allowDsa' | 'publisherPins' | 'trustedRootFile' | 'trustLockFile'>;
}

export interface VerifyRunResult {
  file: string;
  sha256: string;
  project: string;
  signature: PolicyOutcome & { file?: string };
  provenanceFile?: string;
}

async function readJson(file: string, display: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Py2DistroError('E_ATTESTATION_INVALID', `${display}: not a JSON provenance or attestation (${(err as Error).message})`, { cause: err, details: { file: display } });
  }
}

export async function runVerify(opts: VerifyRunOptions, env: { log: Logger; cacheDir?: string }): Promise<VerifyRunResult> {
  const file = path.resolve(opts.file);
  if (!existsSync(file)) throw new Py2DistroError('E_USAGE', `${opts.file}: no such file`);
  const displayName = path.basename(file);
  const name = opts.project ?? parseSdistFilename(displayName)?.name;
  if (!name) throw new Py2DistroError('E_USAGE', `${displayName}: cannot tell the project from the filename`, { hint: 'Pass --name PROJECT (the name used in --trust).' });
  const sigFile = opts.signatureFile ? path.resolve(opts.signatureFile) : `${file}.asc`;
  if (opts.signatureFile && !existsSync(sigFile)) throw new Py2DistroError('E_USAGE', `${opts.signatureFile}: no such file`);
  const signature = existsSync(sigFile) ? new Uint8Array(await readFile(sigFile)) : undefined;
  const provFile = opts.provenanceFile ? path.resolve(opts.provenanceFile) : `${file}.provenance`;
  if (opts.provenanceFile && !existsSync(provFile)) throw new Py2DistroError('E_USAGE', `${opts.provenanceFile}: no such file`);
  const provenance = existsSync(provFile) ? { json: await readJson(provFile, path.basename(provFile)), source: provFile } : undefined;

  const sha256 = await sha256File(file);
  if (opts.sha256 && opts.sha256.toLowerCase() !== sha256) {
    throw new Py2DistroError('E_HASH_MISMATCH', `${displayName}: sha256 is ${sha256}, expected ${opts.sha256.toLowerCase()}`, { details: { file: displayName } });
  }
  const project = normalizeName(name);
  const outcome = await applyTrustPolicy(
    {
      policy: opts.fetch.signaturePolicy, file, displayName, project, signature, sha256, ...(provenance ? { provenance } : {}),
      keyringFiles: opts.fetch.keyrings, trust: opts.fetch.trust, allowDsa: opts.fetch.allowDsa,
      publisherPins: opts.fetch.publisherPins, trustedRootFile: opts.fetch.trustedRootFile, cacheDir: env.cacheDir, trustLockFile: opts.fetch.trustLockFile,
    },
    env.log,
  );
  return { file, sha256, project, signature: { ...outcome, ...(signature ? { file: sigFile } : {}) }, ...(provenance ? { provenanceFile: provFile } : {}) };
}
