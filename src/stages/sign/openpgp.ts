/**
 * OpenPGP signatures made with the organisation key: binary and armored detached signatures
 * (rpm headers, Release.gpg, repomd.xml.asc, _gpgorigin) and clearsigned text (InRelease).
 * Always SHA-256 — what apt, rpm 4.18 and RHEL 9's crypto policies accept — and each signature is
 * checked for version and hash before it leaves this module (fail closed, never emit a weak one).
 */
import type * as OpenPGP from 'openpgp';
import { openpgp } from '../../lib/openpgp.js';
import { Py2DistroError } from '../../lib/errors.js';
import type { SigningKey } from './key.js';

const SIGN_CONFIG: Partial<OpenPGP.Config> = { preferredHashAlgorithm: openpgp.enums.hash.sha256 };

/** A detached, binary OpenPGP signature over `data` (signature type 0x00, binary document). */
export async function signDetachedBinary(data: Uint8Array, key: SigningKey, date?: Date): Promise<Uint8Array> {
  const message = await openpgp.createMessage({ binary: data });
  const sig = await wrap(() =>
    openpgp.sign({ message, signingKeys: key.privateKey, detached: true, format: 'binary', date, config: SIGN_CONFIG }),
  );
  await assertStrong(await openpgp.readSignature({ binarySignature: sig as Uint8Array }));
  return sig as Uint8Array;
}

/** The same signature, ASCII-armored (Release.gpg, repomd.xml.asc). */
export async function signDetachedArmored(data: Uint8Array, key: SigningKey, date?: Date): Promise<string> {
  const message = await openpgp.createMessage({ binary: data });
  const sig = await wrap(() =>
    openpgp.sign({ message, signingKeys: key.privateKey, detached: true, format: 'armored', date, config: SIGN_CONFIG }),
  );
  await assertStrong(await openpgp.readSignature({ armoredSignature: sig as string }));
  return sig as string;
}

/** A clearsigned document (apt's InRelease). */
export async function clearsign(text: string, key: SigningKey, date?: Date): Promise<string> {
  const message = await openpgp.createCleartextMessage({ text });
  const signed = await wrap(() => openpgp.sign({ message, signingKeys: key.privateKey, date, config: SIGN_CONFIG }));
  const parsed = await openpgp.readCleartextMessage({ cleartextMessage: signed });
  // The typings omit CleartextMessage.signature, which the implementation has.
  await assertStrong((parsed as unknown as { signature: OpenPGP.Signature }).signature);
  return signed;
}

/** Verify a detached signature (binary or armored) over data with the org public key. */
export async function verifyDetached(data: Uint8Array, signature: Uint8Array | string, key: SigningKey): Promise<boolean> {
  try {
    const sig = typeof signature === 'string'
      ? await openpgp.readSignature({ armoredSignature: signature })
      : await openpgp.readSignature({ binarySignature: signature });
    const res = await openpgp.verify({
      message: await openpgp.createMessage({ binary: data }),
      signature: sig,
      // verifiers[0] is this key's public part (key.ts); toPublic() would clone the key on every call.
      verificationKeys: key.verifiers[0] ?? key.privateKey.toPublic(),
    });
    await res.signatures[0]?.verified;
    return res.signatures.length > 0;
  } catch {
    return false;
  }
}

/** Issuer key ID (lower-case hex) of a binary signature, or undefined when unreadable. */
export async function signatureIssuer(signature: Uint8Array): Promise<string | undefined> {
  try {
    const sig = await openpgp.readSignature({ binarySignature: signature });
    return sig.packets[0]?.issuerKeyID.toHex().toLowerCase();
  } catch {
    return undefined;
  }
}

async function wrap<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new Py2DistroError('E_SIGN', `OpenPGP signing failed: ${(err as Error).message}`, { cause: err });
  }
}

async function assertStrong(sig: OpenPGP.Signature): Promise<void> {
  const packet = sig.packets[0];
  const hash = packet?.hashAlgorithm ?? openpgp.enums.hash.md5;
  const strong = [openpgp.enums.hash.sha256, openpgp.enums.hash.sha384, openpgp.enums.hash.sha512].includes(hash);
  if (!packet || packet.version !== 4 || !strong) {
    throw new Py2DistroError('E_SIGN', `refusing to emit a v${packet?.version} signature with hash ${hash}`);
  }
}
