/**
 * The Sigstore trusted root (Fulcio CAs, Rekor and CT log keys, TSA chains)
 * that attestations are verified against.
 *
 * Why pinned: verification is offline, so the trust anchor must come from
 * somewhere already trusted. py2distro ships the public-good `trusted_root.json` target that `@sigstore/tuf` embeds
 * in its `seeds.json` (the TUF repository's initial state, distributed with
 * the npm package) and pins its SHA-256 here. If an upgrade of @sigstore/tuf
 * changes those bytes, loading fails closed until this constant is reviewed
 * and bumped (or the user points `--sigstore-trusted-root FILE` at a root, e.g. one
 * fetched by `refreshTrustedRoot`).
 *
 * Format: `dev.sigstore.trustroot.v1.TrustedRoot` in protobuf-JSON
 * (sigstore/protobuf-specs), media type
 * `application/vnd.dev.sigstore.trustedroot+json;version=0.1`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { TrustMaterial } from '@sigstore/verify';
import { writeFileAtomic } from '../../../lib/fs/atomic.js';
import { Py2DistroError } from '../../../lib/errors.js';

// The Sigstore libraries (CommonJS) are required when a root is first parsed, not at start-up:
// most runs verify no attestation, and a sync whose verdicts are known verifies nothing.
const requireHere = createRequire(import.meta.url);
const sigstoreSpecs = () => requireHere('@sigstore/protobuf-specs') as typeof import('@sigstore/protobuf-specs');
const sigstoreVerify = () => requireHere('@sigstore/verify') as typeof import('@sigstore/verify');

/** SHA-256 of the public-good trusted_root.json embedded in @sigstore/tuf 4.0.2 (and 5.0.1). */
export const PUBLIC_GOOD_TRUSTED_ROOT_SHA256 = '6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66';
export const PUBLIC_GOOD_TUF_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';
const TRUSTED_ROOT_TARGET = 'trusted_root.json';
const MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(?:\+json;version=0\.\d+|\.v0\.\d+\+json)$/;

export interface LoadedTrustedRoot {
  trustedRoot: TrustedRoot;
  /** Ready-to-use verification material derived from `trustedRoot`. */
  trustMaterial: TrustMaterial;
  /** Lowercase hex SHA-256 of the exact JSON bytes that were loaded. */
  sha256: string;
  /** Where it came from: a file path, or `@sigstore/tuf seeds.json`. */
  source: string;
}

function rootError(source: string, why: string, hint: string, cause?: unknown): Py2DistroError {
  return new Py2DistroError('E_TRUSTED_ROOT', `trusted root ${source}: ${why}`, { hint, cause });
}

/** Parse and sanity-check trusted-root JSON bytes. */
export function parseTrustedRoot(bytes: Uint8Array, source: string): LoadedTrustedRoot {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const hint = 'pass --sigstore-trusted-root FILE with a Sigstore trusted_root.json, or run `py2distro trust refresh`';
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw rootError(source, 'is not UTF-8 JSON', hint, cause);
  }
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (typeof mediaType !== 'string' || !MEDIA_TYPE.test(mediaType)) {
    throw rootError(source, `has mediaType ${JSON.stringify(mediaType)}, not a Sigstore trusted root`, hint);
  }
  try {
    const trustedRoot = sigstoreSpecs().TrustedRoot.fromJSON(json);
    if (trustedRoot.certificateAuthorities.length === 0 || trustedRoot.tlogs.length === 0) {
      throw new Error('no certificate authorities or no transparency logs');
    }
    return { trustedRoot, trustMaterial: sigstoreVerify().toTrustMaterial(trustedRoot), sha256, source };
  } catch (cause) {
    throw rootError(source, `is not a usable trusted root (${(cause as Error).message})`, hint, cause);
  }
}

/**
 * The public-good root from a @sigstore/tuf `seeds.json`, checked against a
 * pinned digest (fail closed). Exported so the pin check itself can be tested.
 */
export function loadTrustedRootFromSeeds(seedsPath: string, expectedSha256: string): LoadedTrustedRoot {
  const source = `${seedsPath} (${PUBLIC_GOOD_TUF_MIRROR} ${TRUSTED_ROOT_TARGET})`;
  const hint =
    'reinstall py2distro; if @sigstore/tuf was upgraded on purpose, review and update PUBLIC_GOOD_TRUSTED_ROOT_SHA256, or pass --sigstore-trusted-root FILE';
  let bytes: Buffer;
  try {
    const seeds = JSON.parse(readFileSync(seedsPath, 'utf8')) as Record<string, { targets?: Record<string, unknown> }>;
    const b64 = seeds[PUBLIC_GOOD_TUF_MIRROR]?.targets?.[TRUSTED_ROOT_TARGET];
    if (typeof b64 !== 'string') throw new Error(`no ${TRUSTED_ROOT_TARGET} target for ${PUBLIC_GOOD_TUF_MIRROR}`);
    bytes = Buffer.from(b64, 'base64');
  } catch (cause) {
    throw rootError(source, `cannot be read (${(cause as Error).message})`, hint, cause);
  }
  const digest = createHash('sha256').update(bytes).digest('hex');
  if (digest !== expectedSha256) {
    throw rootError(source, `has sha256 ${digest}, expected pinned ${expectedSha256}`, hint);
  }
  return parseTrustedRoot(bytes, source);
}

/** Path of the installed @sigstore/tuf package's seeds.json. */
export function embeddedSeedsPath(): string {
  return createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json');
}

/** Where `py2distro trust refresh` keeps the root it fetched through TUF. */
export function refreshedRootPath(cacheDir: string): string {
  return path.join(cacheDir, 'sigstore', TRUSTED_ROOT_TARGET);
}

/** The root file {@link loadTrustedRoot} would read, or undefined for the pinned embedded one. */
function chosenRootFile(file?: string, cacheDir?: string): string | undefined {
  return file ?? (cacheDir && existsSync(refreshedRootPath(cacheDir)) ? refreshedRootPath(cacheDir) : undefined);
}

/**
 * Which root {@link loadTrustedRoot} would verify against, without parsing it: the pinned digest of
 * the embedded one, or the path and sha256 of the file's bytes now (a kept verdict is bound to it).
 */
export function trustedRootIdentity(file?: string, cacheDir?: string): string {
  const chosen = chosenRootFile(file, cacheDir);
  if (chosen === undefined) return `embedded:${PUBLIC_GOOD_TRUSTED_ROOT_SHA256}`;
  let bytes: Buffer;
  try {
    bytes = readFileSync(chosen);
  } catch {
    return `unreadable:${path.resolve(chosen)}`;
  }
  return `file:${path.resolve(chosen)}:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Load the trusted root: `file` when given (the user chose it: no pin; its digest is recorded),
 * else the one `trust refresh` fetched into the cache, else the pinned public-good root shipped in
 * @sigstore/tuf. Parsed once per process and path.
 */
export function loadTrustedRoot(file?: string, cacheDir?: string): LoadedTrustedRoot {
  const chosen = chosenRootFile(file, cacheDir);
  const key = chosen ?? '(embedded)';
  let root = loaded.get(key);
  if (!root) {
    root = chosen === undefined ? loadEmbedded() : loadRootFile(chosen);
    loaded.set(key, root);
  }
  return root;
}

const loaded = new Map<string, LoadedTrustedRoot>();

function loadEmbedded(): LoadedTrustedRoot {
  let seeds: string;
  try {
    seeds = embeddedSeedsPath();
  } catch (cause) {
    throw rootError('@sigstore/tuf seeds.json', 'is not installed', 'reinstall py2distro (npm ci)', cause);
  }
  return loadTrustedRootFromSeeds(seeds, PUBLIC_GOOD_TRUSTED_ROOT_SHA256);
}

function loadRootFile(file: string): LoadedTrustedRoot {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw rootError(file, `cannot be read (${(cause as Error).message})`, 'check the --sigstore-trusted-root path', cause);
  }
  return parseTrustedRoot(bytes, file);
}

/**
 * ONLINE: update the trusted root through Sigstore's TUF repository, for
 * `py2distro trust refresh`. TUF verification starts from the root.json that
 * @sigstore/tuf embeds and walks the signed root/timestamp/snapshot/targets
 * chain, so the downloaded trusted_root.json is authenticated by Sigstore's
 * TUF keys, not by TLS alone. Writes `<cacheDir>/sigstore/trusted_root.json`
 * atomically; `loadTrustedRoot` uses it from then on.
 *
 * NOT exercised by the offline test suite (it needs network access).
 */
export async function refreshTrustedRoot(
  cacheDir: string,
  options: { mirrorURL?: string; timeoutMs?: number } = {},
): Promise<{ path: string; sha256: string }> {
  const mirrorURL = options.mirrorURL ?? PUBLIC_GOOD_TUF_MIRROR;
  let text: string;
  try {
    const { initTUF } = await import('@sigstore/tuf');
    const tuf = await initTUF({ cachePath: path.join(cacheDir, 'sigstore', 'tuf'), mirrorURL, timeout: options.timeoutMs ?? 10_000 });
    text = await tuf.getTarget(TRUSTED_ROOT_TARGET);
  } catch (cause) {
    // A network failure, not a configuration problem: exit 1, and the current root stays in use.
    throw new Py2DistroError('E_DOWNLOAD', `Sigstore TUF update from ${mirrorURL} failed: ${(cause as Error).message}`, {
      hint: 'Check network access to the Sigstore TUF mirror; until then the current trusted root stays in use.',
      cause,
    });
  }
  const bytes = Buffer.from(text, 'utf8');
  const root = parseTrustedRoot(bytes, `${mirrorURL}/${TRUSTED_ROOT_TARGET}`);
  const out = refreshedRootPath(cacheDir);
  await writeFileAtomic(out, bytes);
  loaded.delete(out);
  return { path: out, sha256: root.sha256 };
}
