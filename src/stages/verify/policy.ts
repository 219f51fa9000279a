/**
 * The signature policy (`--signature-policy`): `required` — no valid trusted signature is exit 3;
 * `if-present` (default) — a signature that exists must verify against a key pinned for the
 * package, none is a warning and the file is recorded as unsigned; `off` — not checked.
 */
import { Py2DistroError } from '../../lib/errors.js';
import { loadKeyrings } from './keyring.js';
import type { Logger } from '../../lib/log.js';
import type { SignatureStatus } from './provenance.js';
import { verifyDetachedSignature } from './signature.js';

/** `--signature-policy`: see the header. */
export type SignaturePolicy = 'required' | 'if-present' | 'off';

export interface PolicyInput {
  policy: SignaturePolicy;
  file: string;
  displayName: string;
  project: string;
  /** The detached signature, or undefined when upstream published none. */
  signature?: Uint8Array;
  keyringFiles: readonly string[];
  trust: ReadonlyMap<string, readonly string[]>;
  allowDsa: boolean;
}

export interface PolicyOutcome {
  status: SignatureStatus;
  signer?: string;
  signingKey?: string;
  userId?: string;
  /** Why a file counts as unsigned (none published, v3 only). */
  reason?: string;
}

export async function applySignaturePolicy(input: PolicyInput, log: Logger): Promise<PolicyOutcome> {
  if (input.policy === 'off') return { status: 'not-checked' };
  let reason = 'no signature was published';
  if (input.signature) {
    const keys = await loadKeyrings(input.keyringFiles);
    const check = await verifyDetachedSignature({ ...input, signature: input.signature, keys });
    if (check.status === 'verified') return check;
    reason = check.reason;
  }
  if (input.policy === 'required') {
    throw new Py2DistroError('E_SIGNATURE_MISSING', `${input.displayName}: ${reason}, and the signature policy is "required"`, {
      details: { file: input.displayName, project: input.project, reason },
    });
  }
  log.warn(`${input.displayName}: ${reason}; recorded as unsigned`);
  return { status: 'unsigned', reason };
}
