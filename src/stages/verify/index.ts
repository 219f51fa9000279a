/**
 * Stage verify — the door. A file and what vouches for it in, a verdict out: detached OpenPGP
 * signatures against keys pinned per project, under the signature policy; the provenance record
 * that says what was verified.
 */
export { applySignaturePolicy, type PolicyInput, type PolicyOutcome, type SignaturePolicy } from './policy.js';
export { verifyDetachedSignature, type SignatureCheck, type VerifyInput } from './signature.js';
export { loadKeyrings, readKeyringFile, type KeyringKey } from './keyring.js';
export type { Provenance, SignatureStatus } from './provenance.js';
