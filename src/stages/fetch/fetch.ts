/**
 * The fetch stage: resolve the requirement on the index (or take a local sdist), download it into
 * the content-addressed cache, check the index's sha256, verify its OpenPGP signature and PEP 740
 * provenance under the trust policy, and return the verified file with its provenance record.
 * Nothing unverified reaches the cache; the signature and provenance are kept beside the file.
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { commitToCache, lookupCached, peekCached, readSidecar, sha256File, tempPath, writeSidecar } from '../../lib/fs/cache.js';
import type { StageEnv } from '../../lib/env.js';
import { Py2DistroError } from '../../lib/errors.js';
import { silentLogger, type Logger } from '../../lib/log.js';
import { downloadFile, getText, type AnswerCache } from '../../lib/http.js';
import { publicUrl, registerUrlSecrets } from '../../lib/public-url.js';
import type { Provenance } from '../verify/index.js';
import { parseSdistFilename } from '../../python/filenames.js';
import { normalizeName, parseUserRequirement } from '../../python/requirement.js';
import { resolveRelease, type ResolvedRelease } from '../resolve/index.js';
import { applyTrustPolicy, keptTrustVerdict, type PolicyInput, type PolicyOutcome, type PublisherPin, type SignaturePolicy, type VerdictStore } from '../verify/index.js';
import { VERSION } from '../../lib/version.js';

export interface FetchOptions {
  indexUrl: string;
  keyrings: string[];
  /** Normalised project name → pinned primary-key fingerprints. */
  trust: Map<string, string[]>;
  signaturePolicy: SignaturePolicy;
  pre: boolean;
  allowDsa: boolean;
  /** The target's Python version, for requires-python. */
  pythonVersion?: string;
  /** Normalised project name → pinned PEP 740 Trusted Publishers (`--trust-publisher`). */
  publisherPins?: Map<string, PublisherPin[]>;
  /** `--sigstore-trusted-root FILE`. */
  trustedRootFile?: string;
  /** `--trust-lock FILE`. */
  trustLockFile?: string;
  /**
   * Index pages, signatures and provenance kept with their ETag and revalidated (sync). What comes
   * back from it is verified exactly as a fresh download is: the sdist's hash, signature and policy.
   */
  answers?: AnswerCache;
  /** Largest sdist accepted, in bytes (default {@link DEFAULT_MAX_DOWNLOAD_BYTES}). */
  maxDownloadBytes?: number;
  /**
   * Kept trust verdicts (stages/verify/verdicts.ts, sealed by sync). A file already in the cache
   * under the sha256 the index lists, whose verdict is kept for exactly these inputs, is returned
   * with `verdict: 'kept'` without being re-hashed or re-verified; passing verdicts are kept.
   */
  verdicts?: VerdictStore;
}

/** 512 MiB: above the largest sdists on PyPI; a download stops at the limit, before the disk fills. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024;

export interface FetchedSdist {
  name: string;
  version: string;
  filename: string;
  /** The verified file in the cache. */
  path: string;
  sha256: string;
  provenance: Provenance;
  /**
   * `kept`: the verdict came from `verdicts` and the cached file was not read (its sha256 is the
   * index's). Before its bytes are used, fetch it again without `verdicts`: that re-hashes and
   * re-verifies it for real. Absent: hashed and verified in this call.
   */
  verdict?: 'kept';
}

const MAX_SIGNATURE_BYTES = 1024 * 1024;
const MAX_PROVENANCE_BYTES = 4 * 1024 * 1024;
/** PEP 740 Integrity API media type. */
export const INTEGRITY_ACCEPT = 'application/vnd.pypi.integrity.v1+json';

interface Provenanced {
  bytes: Uint8Array;
  source: string;
}

export async function fetchSdist(requirement: string, opts: FetchOptions, env: StageEnv): Promise<FetchedSdist> {
  const req = parseUserRequirement(requirement);
  if (req.kind === 'local') return fetchLocal(req.path, opts, env);
  // Entitlement tokens in the index URL's path or query are masked like passwords from here on.
  registerUrlSecrets(opts.indexUrl);
  const rel = await resolveRelease(req, opts, env);
  env.log.debug(`${req.name}: chose ${rel.filename} (${rel.format} index)`);
  // A pin or a trust-lock entry checks the project even under `--signature-policy off`.
  const check = opts.signaturePolicy !== 'off' || Boolean(opts.trustLockFile) || isPinned(rel.name, opts);
  const signature = check ? await downloadSignature(rel, env, opts.answers) : undefined;

  // A verdict kept for this very sha256, signature, provenance and policy: nothing of the file is read.
  const present = opts.verdicts && rel.sha256 ? peekCached(env.cacheDir, rel.sha256, rel.filename) : undefined;
  if (present) {
    const provenanceJson = await cachedProvenance(present, rel, check, env);
    const kept = await keptTrustVerdict(policyInput(present, rel.filename, rel.name, rel.sha256!, signature, provenanceJson, opts, env), env.log);
    if (kept) {
      env.log.debug(`${rel.filename}: cached, verdict kept (not re-hashed)`);
      const result = fetched(rel, present, rel.sha256!, kept, opts.signaturePolicy);
      return { ...result, verdict: 'kept' };
    }
  }

  let file = rel.sha256 ? await lookupCached(env.cacheDir, rel.sha256, rel.filename) : undefined;
  let outcome: PolicyOutcome;
  let sha256: string;
  let provenanceJson: Provenanced | undefined;
  if (file) {
    env.log.debug(`${rel.filename}: cache hit ${file}`);
    sha256 = rel.sha256!;
    provenanceJson = await cachedProvenance(file, rel, check, env);
    outcome = await checkSignature(file, rel.filename, rel.name, sha256, signature, provenanceJson, opts, env);
  } else {
    const temp = await tempPath(env.cacheDir, rel.filename);
    try {
      const got = await downloadFile(rel.url, temp, { log: env.log, signal: env.signal, indexUrl: rel.indexUrl, maxBytes: opts.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES });
      if (!got) throw new Py2DistroError('E_DOWNLOAD', `${rel.filename}: the index lists it but ${rel.url} answers 404`);
      sha256 = got.sha256;
      if (rel.sha256 && rel.sha256 !== got.sha256) {
        throw new Py2DistroError('E_HASH_MISMATCH', `${rel.filename}: sha256 of the download is ${got.sha256}, but the index (${rel.indexUrl}) says ${rel.sha256}`, {
          details: { file: rel.filename, url: rel.url, expected: rel.sha256, actual: got.sha256 },
        });
      }
      provenanceJson = check ? await downloadProvenance(rel, env) : undefined;
      outcome = await checkSignature(temp, rel.filename, rel.name, sha256, signature, provenanceJson, opts, env);
      // No index hash: only a pinned key's signature or a pinned publisher's attestation can vouch for the bytes.
      if (!rel.sha256 && !outcome.trusted) {
        throw new Py2DistroError('E_HASH_MISSING', `${rel.filename}: the index (${rel.indexUrl}) gives no sha256 and the file has no trusted signature or attestation`, {
          details: { file: rel.filename, url: rel.url },
        });
      }
      file = await commitToCache(env.cacheDir, temp, sha256, rel.filename, { '.asc': signature, '.provenance': provenanceJson?.bytes });
    } finally {
      await rm(temp, { force: true });
    }
  }
  return fetched(rel, file, sha256, outcome, opts.signaturePolicy);
}

function fetched(rel: ResolvedRelease, file: string, sha256: string, outcome: PolicyOutcome, policy: SignaturePolicy): FetchedSdist {
  return {
    name: rel.name,
    version: rel.version,
    filename: rel.filename,
    path: file,
    sha256,
    provenance: provenance(rel.name, rel.version, rel.filename, sha256, outcome, policy, rel),
  };
}

/** The provenance kept beside a cached file (it serves offline rebuilds; it is verified as a fresh one), else downloaded and kept. */
async function cachedProvenance(file: string, rel: ResolvedRelease, check: boolean, env: StageEnv): Promise<Provenanced | undefined> {
  if (!check) return undefined;
  const kept = await readSidecar(file, '.provenance');
  if (kept) return { bytes: kept, source: `${file}.provenance` };
  const downloaded = await downloadProvenance(rel, env);
  if (downloaded) await writeSidecar(file, '.provenance', downloaded.bytes);
  return downloaded;
}

/**
 * Asks, ahead of {@link fetchSdist} and with no effect but reads, what it will ask: the project
 * page, the chosen file's signature (both shared through `answers.session`) and, for a file in the
 * cache, its kept verdict (warming the verdict store). Downloads, verifies and records nothing;
 * what it would warn about is left to the fetch (said at debug level here). Returns the chosen
 * file, or undefined for a local sdist; a failure is the fetch's to report, so it rejects silently.
 */
export async function prefetchSdist(requirement: string, opts: FetchOptions, env: StageEnv): Promise<{ filename: string; sha256?: string } | undefined> {
  const req = parseUserRequirement(requirement);
  if (req.kind === 'local') return undefined;
  registerUrlSecrets(opts.indexUrl);
  const quiet: StageEnv = { ...env, log: warningsAsDebug(env.log) };
  const rel = await resolveRelease(req, opts, quiet);
  const check = opts.signaturePolicy !== 'off' || Boolean(opts.trustLockFile) || isPinned(rel.name, opts);
  const signature = check ? await downloadSignature(rel, quiet, opts.answers) : undefined;
  const present = opts.verdicts && rel.sha256 ? peekCached(env.cacheDir, rel.sha256, rel.filename) : undefined;
  if (present) {
    const kept = check ? await readSidecar(present, '.provenance') : undefined;
    const prov = kept ? { bytes: kept, source: `${present}.provenance` } : undefined;
    await keptTrustVerdict(policyInput(present, rel.filename, rel.name, rel.sha256!, signature, prov, opts, env), silentLogger);
  }
  return { filename: rel.filename, ...(rel.sha256 ? { sha256: rel.sha256 } : {}) };
}

function warningsAsDebug(log: Logger): Logger {
  return { error: log.debug, warn: log.debug, info: log.debug, debug: log.debug, child: (p) => warningsAsDebug(log.child(p)) };
}

function isPinned(project: string, opts: FetchOptions): boolean {
  const name = normalizeName(project);
  return Boolean(opts.trust.get(name)?.length || opts.publisherPins?.get(name)?.length);
}

/** PEP 740: GET the Integrity API URL the index listed; 404 means none (the policy decides what that costs). */
async function downloadProvenance(rel: ResolvedRelease, env: StageEnv): Promise<Provenanced | undefined> {
  if (!rel.provenanceUrl) return undefined;
  const res = await getText(rel.provenanceUrl, { accept: INTEGRITY_ACCEPT, indexUrl: rel.indexUrl, log: env.log, signal: env.signal, maxBytes: MAX_PROVENANCE_BYTES, errorCode: 'E_DOWNLOAD' });
  if (!res) {
    env.log.warn(`${rel.filename}: the index lists a provenance, but ${rel.provenanceUrl} is missing`);
    return undefined;
  }
  return { bytes: new Uint8Array(res.bytes), source: rel.provenanceUrl };
}

function parseJson(p: Provenanced, filename: string): unknown {
  try {
    return JSON.parse(Buffer.from(p.bytes).toString('utf8'));
  } catch (err) {
    throw new Py2DistroError('E_ATTESTATION_INVALID', `${filename}: the provenance at ${p.source} is not JSON`, { cause: err, details: { file: filename } });
  }
}

async function downloadSignature(rel: ResolvedRelease, env: StageEnv, answers?: AnswerCache): Promise<Uint8Array | undefined> {
  // Probe `<file>.asc` even when the index does not advertise it: static mirrors rarely do.
  const res = await getText(rel.signatureUrl, { indexUrl: rel.indexUrl, log: env.log, signal: env.signal, maxBytes: MAX_SIGNATURE_BYTES, errorCode: 'E_DOWNLOAD', answers });
  if (!res && rel.signatureAdvertised) env.log.warn(`${rel.filename}: the index advertises a signature, but ${rel.signatureUrl} is missing`);
  return res ? new Uint8Array(res.bytes) : undefined;
}

function policyInput(
  file: string, filename: string, project: string, sha256: string, signature: Uint8Array | undefined, prov: Provenanced | undefined, opts: FetchOptions, env: StageEnv,
): PolicyInput {
  return {
    policy: opts.signaturePolicy, file, displayName: filename, project: normalizeName(project), signature, sha256,
    keyringFiles: opts.keyrings, trust: opts.trust, allowDsa: opts.allowDsa,
    ...(prov ? { provenance: { json: parseJson(prov, filename), source: prov.source } } : {}),
    publisherPins: opts.publisherPins, trustedRootFile: opts.trustedRootFile, cacheDir: env.cacheDir, trustLockFile: opts.trustLockFile,
    verdicts: opts.verdicts,
  };
}

function checkSignature(
  file: string, filename: string, project: string, sha256: string, signature: Uint8Array | undefined, prov: Provenanced | undefined, opts: FetchOptions, env: StageEnv,
) {
  return applyTrustPolicy(policyInput(file, filename, project, sha256, signature, prov, opts, env), env.log);
}

async function fetchLocal(file: string, opts: FetchOptions, env: StageEnv): Promise<FetchedSdist> {
  const filename = path.basename(file);
  const parsed = parseSdistFilename(filename);
  if (!parsed) throw new Py2DistroError('E_REQUIREMENT', `${filename}: not an sdist filename (expected name-version.tar.gz)`);
  const name = normalizeName(parsed.name);
  const check = opts.signaturePolicy !== 'off' || Boolean(opts.trustLockFile) || isPinned(name, opts);
  const sigFile = existsSync(`${file}.asc`) ? `${file}.asc` : undefined;
  const signature = check && sigFile ? new Uint8Array(await readFile(sigFile)) : undefined;
  const provFile = existsSync(`${file}.provenance`) ? `${file}.provenance` : undefined;
  const prov = check && provFile ? { bytes: new Uint8Array(await readFile(provFile)), source: provFile } : undefined;
  const temp = await tempPath(env.cacheDir, filename);
  try {
    // Copy first, then hash and verify the copy: the bytes checked are the bytes kept.
    await copyFile(file, temp);
    const sha256 = await sha256File(temp);
    const outcome = await checkSignature(temp, filename, name, sha256, signature, prov, opts, env);
    const cached = (await lookupCached(env.cacheDir, sha256, filename)) ?? (await commitToCache(env.cacheDir, temp, sha256, filename, { '.asc': signature, '.provenance': prov?.bytes }));
    return { name, version: parsed.version, filename, path: cached, sha256, provenance: provenance(name, parsed.version, filename, sha256, outcome, opts.signaturePolicy) };
  } finally {
    await rm(temp, { force: true });
  }
}

function provenance(project: string, version: string, filename: string, sha256: string, outcome: PolicyOutcome, policy: SignaturePolicy, rel?: ResolvedRelease): Provenance {
  return {
    schema: 1,
    project,
    version,
    filename,
    sha256,
    // Shipped inside every package: no userinfo, query or token-shaped path segment (lib/public-url.ts).
    ...(rel ? { indexUrl: publicUrl(rel.indexUrl), fileUrl: publicUrl(rel.url, { keepLast: filename }) } : {}),
    signature: {
      status: outcome.status,
      ...(outcome.signer ? { signer: outcome.signer } : {}),
      ...(outcome.signingKey && outcome.signingKey !== outcome.signer ? { signingKey: outcome.signingKey } : {}),
      ...(rel && outcome.status === 'verified' ? { signatureUrl: publicUrl(rel.signatureUrl, { keepLast: `${filename}.asc` }) } : {}),
      policy: outcome.effectivePolicy ?? policy,
    },
    ...(outcome.attestation ? { attestation: { ...outcome.attestation, ...(rel?.provenanceUrl ? { provenanceUrl: publicUrl(rel.provenanceUrl) } : {}) } } : {}),
    trusted: outcome.trusted,
    verifiedAt: new Date().toISOString(),
    tool: `py2distro ${VERSION}`,
  };
}

