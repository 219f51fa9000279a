/**
 * Kept trust verdicts: "the file with this sha256 passed the trust policy, given exactly these
 * inputs". A sync where nothing changed asks the same question of the same files every night; with
 * a {@link VerdictStore} the answer of the last run is reused instead of re-hashing the sdist and
 * re-verifying its signature and attestations.
 *
 * The key binds the verdict to everything that decided it, so that any change misses:
 *   - the file: project, file name, the sha256 the index lists, the detached signature's bytes, the
 *     provenance (PEP 740) JSON;
 *   - the policy: `--signature-policy`, the keys and publishers pinned for the project, --allow-dsa,
 *     the content of every keyring file (in order: revocations and new expiries live there), the
 *     Sigstore trusted root used (when there is provenance) and the project's trust-lock entry;
 *   - the judge: py2distro's version, a digest of this stage's own code and the versions of
 *     openpgp and @sigstore/verify.
 * Time is an input too: OpenPGP judges key expiry *now*, so a verdict carries the first moment it
 * stops holding (key, subkey or signature expiry) and is not reused after it.
 *
 * Only passes are kept, and only those that did not write the trust lock (a lock entry recorded now
 * must be recorded again if the lock is reset). The store must be sealed by its owner
 * (lib/fs/sealed-store.ts): a verdict read back from disk is input, and its shape is checked here.
 * A kept verdict vouches for no bytes on disk: whoever builds from the file verifies it for real
 * (stages/fetch: `verdict: 'kept'`).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../../lib/json.js';
import { VERSION } from '../../lib/version.js';
import type { PublisherPin } from './attestation/publisher.js';
import { trustedRootIdentity } from './attestation/trusted-root.js';
import type { LockedIdentity } from './trust-lock.js';

/** Where verdicts are kept (sync: its sealed store). Values are untrusted until checked. */
export interface VerdictStore {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
}

/** What is kept: the policy's outcome (policy.ts checks its shape) and when it holds. */
export interface KeptVerdict<Outcome> {
  outcome: Outcome;
  /** ISO 8601 time the verification ran. */
  verifiedAt: string;
  /** ISO 8601: from then on the verdict no longer holds (an expiry); absent: no expiry. */
  validUntil?: string;
}

/** The policy's inputs that decide a verdict (policy.ts `PolicyInput` has them all). */
export interface VerdictInputs {
  policy: string;
  project: string;
  displayName: string;
  sha256: string;
  signature?: Uint8Array;
  provenance?: { json: unknown; source: string };
  keyringFiles: readonly string[];
  trust: ReadonlyMap<string, readonly string[]>;
  publisherPins?: ReadonlyMap<string, readonly PublisherPin[]>;
  allowDsa: boolean;
  trustedRootFile?: string;
  cacheDir?: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
let judgeDigest: string | undefined;

/** sha256 over this stage's code (src/ under tsx, dist/ once built) and the libraries that verify. */
function judge(): string {
  if (judgeDigest) return judgeDigest;
  const hash = createHash('sha256').update(`py2distro ${VERSION}\0`);
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${rel}${name}/`);
      else if (/\.(js|ts)$/.test(name)) hash.update(`${rel}${name}\0`).update(readFileSync(full)).update('\0');
    }
  };
  walk(HERE, '');
  const require = createRequire(import.meta.url);
  for (const lib of ['openpgp', '@sigstore/verify']) {
    let version = 'unknown';
    try {
      const main = require.resolve(lib);
      // The package.json above the entry point (exports maps may hide `lib/package.json`).
      for (let d = path.dirname(main); d !== path.dirname(d); d = path.dirname(d)) {
        const pj = path.join(d, 'package.json');
        const parsed = (() => { try { return JSON.parse(readFileSync(pj, 'utf8')) as { name?: string; version?: string }; } catch { return undefined; } })();
        if (parsed?.name === lib) {
          version = parsed.version ?? 'unknown';
          break;
        }
      }
    } catch {
      // not resolvable: "unknown" (the key still changes with the code digest)
    }
    hash.update(`${lib}@${version}\0`);
  }
  judgeDigest = hash.digest('hex');
  return judgeDigest;
}

// Keyring digests, re-read only when the file's identity or times change (one stat per use). As
// git's "racily clean" rule: a file changed in the last seconds may change again within the
// timestamp granularity, so its stamp proves nothing yet and it is hashed again.
const fileDigests = new Map<string, { stamp: string; digest: string }>();
const RACY_MS = 2000;

function fileDigest(file: string): string {
  const st = statSync(file, { bigint: true });
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  const known = fileDigests.get(file);
  const changedMs = Number((st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs) / 1_000_000n);
  if (known?.stamp === stamp && Date.now() - changedMs > RACY_MS) return known.digest;
  const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
  fileDigests.set(file, { stamp, digest });
  return digest;
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * The key of a verdict, or undefined when an input cannot be read (then the policy runs for real
 * and reports the problem as it always does).
 */
export function verdictKey(input: VerdictInputs, lock: { file: string; entry: LockedIdentity | undefined } | undefined): string | undefined {
  let keyrings: [string, string][];
  try {
    keyrings = input.keyringFiles.map((f) => [path.resolve(f), fileDigest(f)]);
  } catch {
    return undefined;
  }
  const inputs = {
    judge: judge(),
    policy: input.policy,
    project: input.project,
    file: input.displayName,
    sha256: input.sha256,
    signature: input.signature ? sha256(input.signature) : null,
    // Its content (where it was read from, the index or the copy kept beside the file, only names it in messages).
    provenance: input.provenance ? sha256(canonicalJson(input.provenance.json)) : null,
    keyrings,
    keyPins: [...(input.trust.get(input.project) ?? [])],
    publisherPins: [...(input.publisherPins?.get(input.project) ?? [])],
    allowDsa: input.allowDsa,
    // The root only decides when there is provenance to verify.
    trustedRoot: input.provenance ? trustedRootIdentity(input.trustedRootFile, input.cacheDir) : null,
    trustLock: lock ? { file: path.resolve(lock.file), entry: lock.entry ?? null } : null,
  };
  return sha256(`py2distro-verdict/1\n${canonicalJson(inputs)}`);
}

/** A kept verdict whose outcome passes `isOutcome` and that still holds at `now`, else undefined. */
export function usableVerdict<Outcome>(value: unknown, isOutcome: (o: unknown) => o is Outcome, now = new Date()): KeptVerdict<Outcome> | undefined {
  const v = value as Partial<KeptVerdict<unknown>> | null;
  if (!v || typeof v !== 'object' || typeof v.verifiedAt !== 'string' || !isOutcome(v.outcome)) return undefined;
  if (v.validUntil !== undefined) {
    const until = typeof v.validUntil === 'string' ? Date.parse(v.validUntil) : NaN;
    if (!Number.isFinite(until) || until <= now.getTime()) return undefined;
  }
  return v as KeptVerdict<Outcome>;
}
