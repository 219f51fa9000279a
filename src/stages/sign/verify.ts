/**
 * Checking state read back from a repository against the org's trust anchors (SigningKey.verifiers:
 * the signing key given by the user, then explicitly configured previous keys). Nothing found in
 * the repository — its key.asc included — decides what is trusted: the storage a repository is
 * served from is less trusted than the key, so a signature is the only proof that bytes on disk
 * are what py2distro published.
 */
import type * as OpenPGP from 'openpgp';
import { openpgp } from '../../lib/openpgp.js';
import type { SigningKey } from './key.js';

/** Fingerprint (upper-case hex) of the trusted primary key holding `keyID`, if any. */
function trustedHolder(key: SigningKey, keyID: OpenPGP.KeyID): string | undefined {
  for (const k of key.verifiers) {
    if (k.getKeys(keyID).length) return k.getFingerprint().toUpperCase();
  }
  return undefined;
}

type VerificationResult = Awaited<ReturnType<typeof openpgp.verify>>['signatures'][number];

async function firstTrusted(key: SigningKey, sigs: VerificationResult[]): Promise<string | undefined> {
  for (const s of sigs) {
    try {
      await s.verified;
    } catch {
      continue;
    }
    const holder = trustedHolder(key, s.keyID);
    if (holder) return holder;
  }
  return undefined;
}

/** The trusted signer of an armored detached signature over `data`, or undefined when none verifies. */
export async function trustedDetachedSigner(data: Uint8Array, armoredSignature: string, key: SigningKey): Promise<string | undefined> {
  try {
    const res = await openpgp.verify({
      message: await openpgp.createMessage({ binary: data }),
      signature: await openpgp.readSignature({ armoredSignature }),
      verificationKeys: [...key.verifiers],
    });
    return await firstTrusted(key, res.signatures);
  } catch {
    return undefined;
  }
}

/** The signed text of a clearsigned document and its trusted signer, or undefined when none verifies. */
export async function trustedClearsigned(armored: string, key: SigningKey): Promise<{ text: string; signer: string } | undefined> {
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: armored });
    const res = await openpgp.verify({ message, verificationKeys: [...key.verifiers] });
    const signer = await firstTrusted(key, res.signatures);
    return signer ? { text: message.getText(), signer } : undefined;
  } catch {
    return undefined;
  }
}
