/**
 * The trust policy: what must vouch for a file before it is used.
 *
 * `--signature-policy`: `required` — the file needs a verified OpenPGP signature from a key pinned
 * for its project (`--trust`) OR a verified PEP 740 attestation from a publisher pinned for it
 * (`--trust-publisher`); `if-present` (default) — what exists must verify, none is a warning and
 * the file is recorded as unsigned; `off` — nothing is checked.
 *
 * A pin makes its project `required` whatever the global policy: a pin that one deleted `.asc`
 * (or one dropped provenance) defeats is no pin. An attestation that exists but does not verify,
 * or comes from another publisher than the pinned one, is always refused. With a trust lock, the
 * identities that vouched for the project must be the ones recorded the first time (trust-lock.ts).
 */
import { Py2DistroError } from '../../lib/errors.js';
import type { Logger } from '../../lib/log.js';
import type { AttestationCheck } from './attestation/check.js';
import { formatPublisherPin, trustPublisherFlag, type PublisherPin } from './attestation/publisher.js';
import { parseProvenance } from './attestation/shape.js';
import { loadTrustedRoot } from './attestation/trusted-root.js';
import { loadKeyrings } from './keyring.js';
import type { SignatureStatus } from './provenance.js';
import { verifyDetachedSignature } from './signature.js';
import { describeLocked, openTrustLock, type LockedIdentity, type TrustLock } from './trust-lock.js';
import { usableVerdict, verdictKey, type KeptVerdict, type VerdictStore } from './verdicts.js';

// The Sigstore verifier is loaded only for a file that comes with provenance.
type AttestationModule = typeof import('./attestation/check.js');
const attestationModule = (): Promise<AttestationModule> => import('./attestation/check.js');

/** `--signature-policy`: see the header. */
export type SignaturePolicy = 'required' | 'if-present' | 'off';

export interface PolicyInput {
  policy: SignaturePolicy;
  file: string;
  displayName: string;
  /** PEP 503-normalised project name: the key of every pin and of the trust lock. */
  project: string;
  /** The detached signature, or undefined when upstream published none. */
  signature?: Uint8Array;
  keyringFiles: readonly string[];
  trust: ReadonlyMap<string, readonly string[]>;
  allowDsa: boolean;
  /** sha256 of `file` (the attestation's subject digest must equal it). */
  sha256: string;
  /** PEP 740 provenance (Integrity API object) or a bare attestation, parsed JSON; undefined = none served. */
  provenance?: { json: unknown; source: string };
  publisherPins?: ReadonlyMap<string, readonly PublisherPin[]>;
  /** `--sigstore-trusted-root`; else the refreshed root in `cacheDir`, else the pinned embedded one. */
  trustedRootFile?: string;
  cacheDir?: string;
  /** `--trust-lock FILE`. */
  trustLockFile?: string;
  /** Where passing verdicts are kept (verdicts.ts); {@link keptTrustVerdict} reads them back. */
  verdicts?: VerdictStore;
}

export interface PolicyOutcome {
  status: SignatureStatus;
  signer?: string;
  signingKey?: string;
  userId?: string;
  /** Why a file counts as unsigned (none published, v3 only). */
  reason?: string;
  /** The verified attestation(s), when the index served provenance. */
  attestation?: AttestationCheck;
  /** A pinned identity vouches for the file (a pinned key's signature or a pinned publisher's attestation). */
  trusted: boolean;
  /** The policy that applied (a pin or a lock entry raises the global one). */
  effectivePolicy: SignaturePolicy;
  trustLock?: { file: string; recorded: boolean };
}

function effectivePolicy(input: PolicyInput, locked: LockedIdentity | undefined): SignaturePolicy {
  const pinned = (input.trust.get(input.project) ?? []).length || (input.publisherPins?.get(input.project) ?? []).length;
  return pinned ? 'required' : locked && input.policy === 'off' ? 'if-present' : input.policy;
}

const STATUSES = new Set(['verified', 'unsigned', 'not-checked']);
const POLICIES = new Set(['required', 'if-present', 'off']);
const optionalString = (v: unknown) => v === undefined || typeof v === 'string';

/** The shape of a kept outcome (it was read back from disk), and the consistency a pass must have. */
function isKeptOutcome(value: unknown): value is Omit<PolicyOutcome, 'trustLock'> {
  const o = value as Partial<PolicyOutcome> | null;
  if (!o || typeof o !== 'object' || !STATUSES.has(o.status!) || !POLICIES.has(o.effectivePolicy!) || typeof o.trusted !== 'boolean') return false;
  if (![o.signer, o.signingKey, o.userId, o.reason].every(optionalString) || (o.status === 'verified' && typeof o.signer !== 'string')) return false;
  const a = o.attestation;
  if (a !== undefined && (!a || typeof a !== 'object' || typeof a.publisher !== 'string' || !['verified', 'unpinned'].includes(a.status))) return false;
  // Trusted means exactly this, whatever the store says.
  return o.trusted === (o.status === 'verified' || a?.status === 'verified');
}

/** The warnings a passing verdict carries, said again when it is reused. */
function warnAbout(outcome: Omit<PolicyOutcome, 'trustLock'>, input: PolicyInput, log: Logger): void {
  if (outcome.effectivePolicy === 'off') return;
  const { displayName: file, project } = input;
  const attestation = outcome.attestation;
  if (attestation?.status === 'unpinned') {
    log.warn(`${file}: attested by ${attestation.publisher}, which is not pinned for ${project}` + (attestation.pinnable ? `; to require it: ${trustPublisherFlag(project, attestation.publisher)}` : ''));
  } else if (!outcome.trusted) {
    log.warn(`${file}: ${outcome.reason}; recorded as unsigned`);
  }
}

async function lockOf(input: PolicyInput): Promise<{ lock?: TrustLock; locked?: LockedIdentity }> {
  const lock = input.trustLockFile ? await openTrustLock(input.trustLockFile) : undefined;
  return { lock, locked: lock?.get(input.project) };
}

/**
 * The verdict kept for exactly these inputs (verdicts.ts), still valid now; undefined otherwise.
 * Reads no byte of the file: the caller must not build from it before {@link applyTrustPolicy}.
 */
export async function keptTrustVerdict(input: PolicyInput, log: Logger): Promise<PolicyOutcome | undefined> {
  if (!input.verdicts) return undefined;
  const { lock, locked } = await lockOf(input);
  const key = verdictKey(input, lock && { file: lock.file, entry: locked });
  if (!key) return undefined;
  const kept = usableVerdict(await input.verdicts.get(key), isKeptOutcome);
  // The effective policy is recomputed from the inputs, never taken from the store.
  if (!kept || kept.outcome.effectivePolicy !== effectivePolicy(input, locked)) return undefined;
  log.debug(`${input.displayName}: trust verdict kept from ${kept.verifiedAt} (sha256 ${input.sha256})`);
  warnAbout(kept.outcome, input, log);
  // As applyTrustPolicy answers: a lock is mentioned whenever it was consulted (not under `off`).
  return { ...kept.outcome, ...(lock && kept.outcome.effectivePolicy !== 'off' ? { trustLock: { file: lock.file, recorded: false } } : {}) };
}

export async function applyTrustPolicy(input: PolicyInput, log: Logger): Promise<PolicyOutcome> {
  const { displayName: file, project } = input;
  const keyPins = input.trust.get(project) ?? [];
  const publisherPins = input.publisherPins?.get(project) ?? [];
  const { lock, locked } = await lockOf(input);
  // Computed before anything is recorded: the verdict is kept under the inputs it was judged on.
  const key = input.verdicts ? verdictKey(input, lock && { file: lock.file, entry: locked }) : undefined;
  const verifiedAt = new Date().toISOString();
  const keep = async (outcome: Omit<PolicyOutcome, 'trustLock'>, validUntil?: string) => {
    if (key) await input.verdicts!.put(key, { outcome, verifiedAt, ...(validUntil ? { validUntil } : {}) } satisfies KeptVerdict<typeof outcome>);
  };
  const policy = effectivePolicy(input, locked);
  if (policy === 'off') {
    const off: PolicyOutcome = { status: 'not-checked', trusted: false, effectivePolicy: policy };
    await keep(off);
    return off;
  }

  let outcome: Omit<PolicyOutcome, 'trusted' | 'effectivePolicy'> = { status: 'unsigned', reason: 'no signature was published' };
  let validUntil: string | undefined;
  if (input.signature) {
    const keys = await loadKeyrings(input.keyringFiles);
    const checked = await verifyDetachedSignature({ ...input, signature: input.signature, keys });
    if (checked.status === 'verified') {
      const { validUntil: until, ...verified } = checked;
      outcome = verified;
      validUntil = until;
    } else {
      outcome = checked;
    }
  }
  const att = input.provenance ? await attestationModule() : undefined;
  const attestation = att ? judgeProvenance(att, input, publisherPins) : undefined;
  const trusted = outcome.status === 'verified' || attestation?.status === 'verified';

  if (!trusted && policy === 'required') throw missingTrust(att, input, outcome.reason ?? '', keyPins, publisherPins, attestation);
  const result: PolicyOutcome = { ...outcome, ...(attestation ? { attestation } : {}), trusted, effectivePolicy: policy };
  warnAbout(result, input, log);
  if (!lock) {
    await keep(result, validUntil);
    return result;
  }

  const now: Omit<LockedIdentity, 'recordedFrom'> = {
    ...(outcome.status === 'verified' && outcome.signer ? { openpgp: outcome.signer } : {}),
    ...(attestation ? { publisher: attestation.publisher } : {}),
  };
  if (locked) {
    const changed = (locked.openpgp !== undefined && locked.openpgp !== now.openpgp) || (locked.publisher !== undefined && locked.publisher !== now.publisher);
    if (changed) {
      throw new Py2DistroError('E_TRUST_LOCK_CHANGED', `${file}: the trust lock ${lock.file} records ${project} as vouched for by ${describeLocked(locked)} (first seen in ${locked.recordedFrom}), but this file is vouched for by ${describeLocked(now)}`, {
        hint: `Do not use this file unless the change is genuine (a new key or publisher announced by upstream, checked out of band); then run: py2distro trust accept ${project} --trust-lock ${lock.file}`,
        details: { file, project, lock: lock.file, recorded: locked, now },
      });
    }
    const extends_ = (now.openpgp && !locked.openpgp) || (now.publisher && !locked.publisher);
    if (!extends_) {
      await keep(result, validUntil);
      return { ...result, trustLock: { file: lock.file, recorded: false } };
    }
  } else if (!now.openpgp && !now.publisher) {
    await keep(result, validUntil);
    return { ...result, trustLock: { file: lock.file, recorded: false } };
  }
  // Recorded now: not kept, so that the next run (with the lock as it is then) judges for real.
  await lock.record(project, { ...now, recordedFrom: file });
  log.info(`${file}: recorded ${describeLocked(now)} for ${project} in the trust lock ${lock.file}`);
  return { ...result, trustLock: { file: lock.file, recorded: true } };
}

function judgeProvenance(att: AttestationModule, input: PolicyInput, pins: readonly PublisherPin[]): AttestationCheck {
  const attestations = parseProvenance(input.provenance!.json, input.provenance!.source);
  return att.checkAttestations({
    attestations, filename: input.displayName, sha256: input.sha256, project: input.project, pins,
    trustedRoot: loadTrustedRoot(input.trustedRootFile, input.cacheDir),
  });
}

/** Nothing pinned vouches for the file under `required`: say what is missing and the fix. */
function missingTrust(
  att: AttestationModule | undefined, input: PolicyInput, reason: string, keyPins: readonly string[], publisherPins: readonly PublisherPin[], attestation: AttestationCheck | undefined,
): Py2DistroError {
  const { displayName: file, project } = input;
  const why = input.policy === 'required' ? 'the signature policy is "required"' : `${project} is pinned`;
  if (att && attestation && !keyPins.length) return att.unknownPublisherError(attestation, file, project);
  if (publisherPins.length) {
    const pinned = publisherPins.map(formatPublisherPin).join(', ');
    return new Py2DistroError('E_ATTESTATION_MISSING', `${file}: ${project} is pinned to the publisher ${pinned}, but the index served no attestation for this file (and ${reason})`, {
      hint: `An index or mirror that drops the provenance of a pinned project is refused. Fetch from an index that serves PEP 740 provenance (PyPI does); if upstream really stopped attesting, remove the --trust-publisher pin for ${project}.`,
      details: { file, project, pinned },
    });
  }
  const alt = attestation ? ` It is attested by ${attestation.publisher}${attestation.pinnable ? `; to accept that instead: ${trustPublisherFlag(project, attestation.publisher)}` : ''}.` : '';
  return new Py2DistroError('E_SIGNATURE_MISSING', `${file}: ${reason}, and ${why}${keyPins.length ? ` (to ${keyPins.join(', ')})` : ''}.${alt}`, {
    hint: keyPins.length
      ? `A pinned project needs a valid signature from its pinned key: a deleted or v3-only .asc is refused. If upstream stopped signing, remove the --trust pin for ${project}.`
      : undefined,
    details: { file, project, reason },
  });
}
