/**
 * Detached-signature verification with openpgp v6, with the refusals apt and gpgv make and
 * openpgp.js does not make by default: keys expired *now* or revoked, SHA-1/MD5 signatures,
 * DSA keys (unless allowed). Trust is per package: a key that is in the keyring but not pinned
 * for this package is not trusted for it. The file is streamed, never held in memory.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type * as OpenPGP from 'openpgp';
import { Py2DistroError } from '../../lib/errors.js';
import { findKey, primaryUserId, type KeyringKey } from './keyring.js';
import { loadOpenpgp } from './openpgp-module.js';

export type SignatureCheck =
  /**
   * `validUntil`: the first moment the verdict stops holding — the primary key's, the signing
   * subkey's or the signature's own expiry (ISO 8601); absent when none expires.
   */
  | { status: 'verified'; signer: string; signingKey: string; userId: string; validUntil?: string }
  /** v3 signatures are not verified at all (RFC 9580 deprecates them; gpg ignores them too). */
  | { status: 'unsigned'; reason: string };

export interface VerifyInput {
  /** The file whose detached signature is checked (streamed). */
  file: string;
  /** Name shown in messages (the sdist's filename). */
  displayName: string;
  /** PEP 503-normalised project name: the key for trust pins. */
  project: string;
  signature: Uint8Array;
  keys: readonly KeyringKey[];
  trust: ReadonlyMap<string, readonly string[]>;
  allowDsa: boolean;
  /** Keyring files given (for messages). */
  keyringFiles: readonly string[];
}

function weakHashes(pgp: typeof OpenPGP): Map<number, string> {
  return new Map<number, string>([
    [pgp.enums.hash.md5, 'MD5'],
    [pgp.enums.hash.sha1, 'SHA-1'],
    [pgp.enums.hash.ripemd, 'RIPEMD-160'],
  ]);
}

/** Tag and version of each packet (RFC 9580 §4.2), read before openpgp.js, which drops v3 silently. */
export function signaturePacketVersions(bytes: Uint8Array): number[] {
  const versions: number[] = [];
  let i = 0;
  while (i < bytes.length) {
    const ctb = bytes[i++];
    if (!(ctb & 0x80)) throw new Error(`not an OpenPGP packet at byte ${i - 1}`);
    let tag: number;
    let len: number;
    if (ctb & 0x40) {
      tag = ctb & 0x3f;
      const l1 = bytes[i++];
      if (l1 < 192) len = l1;
      else if (l1 < 224) len = ((l1 - 192) << 8) + bytes[i++] + 192;
      else if (l1 === 255) len = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3], (i += 4);
      else throw new Error('partial-length packet in a signature');
    } else {
      tag = (ctb >> 2) & 0x0f;
      const type = ctb & 3;
      if (type === 0) len = bytes[i++];
      else if (type === 1) len = (bytes[i] << 8) | bytes[i + 1], (i += 2);
      else if (type === 2) len = (bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3], (i += 4);
      else len = bytes.length - i;
    }
    if (len < 0 || i + len > bytes.length) throw new Error('truncated packet');
    if (tag === 2) versions.push(bytes[i]);
    i += len;
  }
  return versions;
}

/** Armored or binary signature → binary packets. */
export async function signatureBytes(sig: Uint8Array | string): Promise<Uint8Array> {
  const text = typeof sig === 'string' ? sig : Buffer.from(sig).toString('latin1');
  if (text.includes('-----BEGIN PGP SIGNATURE-----')) return (await (await loadOpenpgp()).unarmor(text)).data as Uint8Array;
  return typeof sig === 'string' ? new Uint8Array(Buffer.from(sig, 'latin1')) : sig;
}

function trustFlag(project: string, fingerprint: string): string {
  return `--trust ${project}=${fingerprint}`;
}

/** Checks one detached signature; throws a catalogue error for every refusal. */
export async function verifyDetachedSignature(input: VerifyInput): Promise<SignatureCheck> {
  const { displayName: file, project } = input;
  const formatError = (why: string, cause?: unknown) =>
    new Py2DistroError('E_SIGNATURE_FORMAT', `${file}: the signature is not a valid OpenPGP detached signature (${why})`, { cause, details: { file } });
  let bytes: Uint8Array;
  let versions: number[];
  try {
    bytes = await signatureBytes(input.signature);
    versions = signaturePacketVersions(bytes);
  } catch (err) {
    throw formatError((err as Error).message, err);
  }
  if (!versions.length) throw formatError('no signature packet');
  if (versions.every((v) => v === 3)) return { status: 'unsigned', reason: 'only a v3 signature, which is not accepted' };

  const pgp = await loadOpenpgp();
  let signature: OpenPGP.Signature;
  try {
    signature = await pgp.readSignature({ binarySignature: bytes });
  } catch (err) {
    throw formatError((err as Error).message, err);
  }
  const pins = (input.trust.get(project) ?? []).map((p) => p.toUpperCase());
  const keyrings = input.keyringFiles.length ? input.keyringFiles.join(', ') : '(no --keyring given)';
  const refusals: Py2DistroError[] = [];
  const candidates: { entry: KeyringKey; keyId: string; subkeyFingerprint: string; expires: number }[] = [];

  for (const packet of signature.packets) {
    if (packet.version === 3) continue;
    const keyId = packet.issuerKeyID.toHex().toUpperCase();
    const issuerFpr = packet.issuerFingerprint ? Buffer.from(packet.issuerFingerprint).toString('hex').toUpperCase() : undefined;
    const who = issuerFpr ?? `key ID ${keyId}`;
    const details = { file, keyId, fingerprint: issuerFpr, project };
    const weak = weakHashes(pgp).get(packet.hashAlgorithm ?? 0);
    if (weak) {
      refusals.push(new Py2DistroError('E_SIGNATURE_WEAK', `${file}: signature by ${who} uses ${weak}, which is refused`, {
        hint: 'Ask upstream to re-sign with SHA-256 or stronger (gpg --digest-algo SHA512); SHA-1/MD5 signatures are refused as apt and gpgv refuse them.',
        details,
      }));
      continue;
    }
    const found = findKey(input.keys, keyId, { issuerFingerprint: issuerFpr, pinned: pins });
    const primary = found?.entry.fingerprint ?? (issuerFpr && !found ? issuerFpr : undefined);
    if (pins.length && !(primary && pins.includes(primary)) && !(found && pins.includes(found.subkeyFingerprint))) {
      refusals.push(new Py2DistroError('E_SIGNATURE_WRONG_KEY', `${file}: signed by ${primary ?? who}, but ${project} is pinned to ${pins.join(', ')}`, {
        hint: `If upstream really rotated its key, verify the new key out of band, then replace the pin with ${trustFlag(project, primary ?? '<FINGERPRINT>')}.`,
        details,
      }));
      continue;
    }
    if (!found) {
      const fpr = issuerFpr ?? `<fingerprint of key ${keyId}>`;
      refusals.push(new Py2DistroError('E_SIGNATURE_UNKNOWN_KEY', `${file}: signed by ${who}, which is not in the keyring (${keyrings})`, {
        hint: `Get upstream's public key ${issuerFpr ?? keyId}, check its fingerprint out of band, add it to a --keyring file, and pin it: ${trustFlag(project, fpr)}`,
        details,
      }));
      continue;
    }
    if (!pins.length) {
      refusals.push(new Py2DistroError('E_SIGNATURE_UNTRUSTED', `${file}: signed by ${found.entry.fingerprint} (${await primaryUserId(found.entry.key)}, from ${found.entry.source}), which is not pinned for ${project}`, {
        hint: `If this is upstream's key, trust it for this package: ${trustFlag(project, found.entry.fingerprint)}`,
        details: { ...details, fingerprint: found.entry.fingerprint },
      }));
      continue;
    }
    const judged = await keyRefusal(found.entry, keyId, file, input.allowDsa);
    if (judged instanceof Py2DistroError) refusals.push(judged);
    else candidates.push({ entry: found.entry, keyId, subkeyFingerprint: found.subkeyFingerprint, expires: Math.min(judged.keyExpires, signatureExpiry(packet)) });
  }
  if (!candidates.length) throw refusals[0] ?? formatError('no usable signature packet');

  const verified = await cryptoVerify(pgp, input.file, signature, candidates.map((c) => c.entry.key), input.allowDsa);
  for (const c of candidates) {
    const outcome = verified.get(c.keyId);
    if (outcome === true) {
      return {
        status: 'verified', signer: c.entry.fingerprint, signingKey: c.subkeyFingerprint, userId: await primaryUserId(c.entry.key),
        ...(Number.isFinite(c.expires) ? { validUntil: new Date(c.expires).toISOString() } : {}),
      };
    }
    refusals.unshift(new Py2DistroError('E_SIGNATURE_BAD', `${file}: BAD signature from ${c.entry.fingerprint} — the file does not match what was signed`, {
      cause: outcome instanceof Error ? outcome : undefined,
      details: { file, fingerprint: c.entry.fingerprint, project, reason: outcome instanceof Error ? outcome.message : 'invalid' },
    }));
  }
  throw refusals[0];
}

/** When a signature packet expires (RFC 9580 §5.2.3.18: seconds after its creation), in ms; Infinity if never. */
function signatureExpiry(packet: OpenPGP.SignaturePacket): number {
  const seconds = packet.signatureExpirationTime;
  if (packet.signatureNeverExpires || !seconds || !packet.created) return Infinity;
  return packet.created.getTime() + seconds * 1000;
}

/**
 * The refusals that depend on the key itself, judged *now* as gpgv does; when there is none, the
 * time (ms) the primary key or the signing subkey expires (Infinity: never).
 */
async function keyRefusal(entry: KeyringKey, keyId: string, file: string, allowDsa: boolean): Promise<Py2DistroError | { keyExpires: number }> {
  const now = new Date();
  const fpr = entry.fingerprint;
  const details = { file, fingerprint: fpr, keyId };
  const signing = entry.key.getKeys().find((k) => k.getKeyID().toHex().toUpperCase() === keyId) ?? entry.key;
  const revoked = (await entry.key.isRevoked(undefined, undefined, now)) || (signing !== entry.key && (await (signing as OpenPGP.Subkey).isRevoked(undefined as unknown as OpenPGP.SignaturePacket, undefined as unknown as OpenPGP.PublicKeyPacket, now)));
  if (revoked) return new Py2DistroError('E_SIGNATURE_KEY_REVOKED', `${file}: signed by ${fpr}, which its owner has revoked`, { details });
  const primaryExpiry = await entry.key.getExpirationTime().catch(() => null);
  const subExpiry = signing === entry.key ? Infinity : await (signing as OpenPGP.Subkey).getExpirationTime(now).catch(() => null);
  let keyExpires = Infinity;
  for (const exp of [primaryExpiry, subExpiry]) {
    if (exp instanceof Date) keyExpires = Math.min(keyExpires, exp.getTime());
    if (exp === null || (exp instanceof Date && exp.getTime() <= now.getTime())) {
      const when = exp instanceof Date ? exp.toISOString().slice(0, 10) : 'unknown date';
      return new Py2DistroError('E_SIGNATURE_KEY_EXPIRED', `${file}: signed by ${fpr}, which expired on ${when}`, { details });
    }
  }
  const algo = signing.getAlgorithmInfo().algorithm;
  if (!allowDsa && (algo === 'dsa' || entry.key.getAlgorithmInfo().algorithm === 'dsa')) {
    return new Py2DistroError('E_SIGNATURE_WEAK', `${file}: signed by ${fpr}, a DSA key, which is refused`, {
      hint: 'DSA keys are refused by default (gpg and apt deprecate them). If you accept the risk for this package, pass --allow-dsa.',
      details,
    });
  }
  return { keyExpires };
}

/**
 * openpgp.js streaming detached verify: the `data` stream must be read to its end before the
 * `verified` promises settle (otherwise they never do), so it is drained here chunk by chunk.
 */
async function cryptoVerify(
  pgp: typeof OpenPGP, file: string, signature: OpenPGP.Signature, keys: OpenPGP.PublicKey[], allowDsa: boolean,
): Promise<Map<string, true | Error>> {
  const config = allowDsa
    ? { rejectPublicKeyAlgorithms: new Set([...pgp.config.rejectPublicKeyAlgorithms].filter((a) => a !== pgp.enums.publicKey.dsa)) }
    : {};
  const stream = Readable.toWeb(createReadStream(file, { highWaterMark: 1 << 20 })) as ReadableStream<Uint8Array>;
  const message = await pgp.createMessage({ binary: stream });
  const result = await pgp.verify({ message, signature, verificationKeys: keys, format: 'binary', config });
  const reader = (result.data as ReadableStream<Uint8Array>).getReader();
  while (!(await reader.read()).done) {
    /* drain: the hash is computed as the data flows through */
  }
  const out = new Map<string, true | Error>();
  for (const s of result.signatures) {
    const id = s.keyID.toHex().toUpperCase();
    try {
      await s.verified;
      out.set(id, true);
    } catch (err) {
      if (!out.has(id)) out.set(id, err as Error);
    }
  }
  return out;
}
