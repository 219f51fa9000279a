/**
 * Stage verify — the door. A file and what vouches for it in, a verdict out: detached OpenPGP
 * signatures against keys pinned per project and PEP 740 attestations against pinned Trusted
 * Publishers, under the signature policy and the trust lock; the provenance record that says what
 * was verified.
 */
export { applyTrustPolicy, keptTrustVerdict, type PolicyInput, type PolicyOutcome, type SignaturePolicy } from './policy.js';
export { usableVerdict, verdictKey, type KeptVerdict, type VerdictStore } from './verdicts.js';
export { verifyDetachedSignature, type SignatureCheck, type VerifyInput } from './signature.js';
export { loadKeyrings, readKeyringFile, type KeyringKey } from './keyring.js';
export type { Provenance, SignatureStatus } from './provenance.js';
export { parsePublisherPin, formatPublisherPin, type PublisherPin } from './attestation/publisher.js';
export { loadTrustedRoot, refreshTrustedRoot, refreshedRootPath, PUBLIC_GOOD_TRUSTED_ROOT_SHA256, type LoadedTrustedRoot } from './attestation/trusted-root.js';
export type { AttestationCheck } from './attestation/check.js';
export { openTrustLock, describeLocked, type TrustLock, type LockedIdentity } from './trust-lock.js';
export { checkBuiltMatchesVerified } from './binding.js';
