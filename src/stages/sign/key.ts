/**
 * The organisation's signing key. Loaded once per run from an armored secret-key file
 * (`--sign-key`, config `sign-key`, or PY2DISTRO_SIGN_KEY_FILE); its passphrase comes only from
 * PY2DISTRO_SIGN_PASSPHRASE or a passphrase file (config `sign-passphrase-file`), never from a
 * flag, and is registered as a secret so the logger masks it. All signing happens in this
 * process; the key never goes near a container.
 *
 * Accepted keys are what every judge of our output verifies today: v4 keys, RSA >= 3072 bits or
 * Ed25519 in its legacy EdDSA form (algorithm 22 — rpm 4.18's parser and bookworm's gpgv do not
 * know the RFC 9580 algorithm 27), with SHA-256 or stronger self-signatures.
 */
import { readFile, stat } from 'node:fs/promises';
import type * as OpenPGP from 'openpgp';
import { openpgp } from '../../lib/openpgp.js';
import { Py2DistroError } from '../../lib/errors.js';
import { addSecret, type Logger } from '../../lib/log.js';

export interface SigningKey {
  /** Decrypted secret key. Never serialised: toJSON() shows the fingerprint only. */
  readonly privateKey: OpenPGP.PrivateKey;
  /** Primary-key fingerprint, upper-case hex. */
  readonly fingerprint: string;
  /** Key ID (16 hex digits, lower-case) of the (sub)key that makes signatures. */
  readonly signingKeyId: string;
  readonly algorithm: 'rsa' | 'eddsa';
  readonly userId: string;
  readonly publicArmored: string;
  readonly publicBinary: Uint8Array;
  /**
   * The trust anchors for state read back from a repository: this key first, then the previous org
   * keys the user configured explicitly (`--previous-key`, config `previous-keys`) while keys
   * rotate. Keys exported into a repository (key.asc) are never trust anchors.
   */
  readonly verifiers: readonly OpenPGP.PublicKey[];
  toJSON(): { fingerprint: string; algorithm: string; userId: string };
}

export interface SigningKeyOptions {
  keyFile?: string;
  passphraseFile?: string;
  /** Armored public keys of earlier org keys whose signatures on published state are still accepted. */
  previousKeyFiles?: string[];
}

export interface SigningKeyEnv {
  log: Logger;
  /** Environment variables; process.env by default. */
  vars?: Record<string, string | undefined>;
}

// Hash algorithms of at least 256 bits (RFC 4880 IDs: SHA256, SHA384, SHA512; RFC 9580: SHA3-256/512).
const STRONG_HASHES = new Set<number>([
  openpgp.enums.hash.sha256, openpgp.enums.hash.sha384, openpgp.enums.hash.sha512, 12, 14,
]);

function keyError(message: string, hint?: string, cause?: unknown): Py2DistroError {
  return new Py2DistroError('E_SIGN_KEY', message, { hint, cause });
}

export async function loadSigningKey(opts: SigningKeyOptions, env: SigningKeyEnv): Promise<SigningKey> {
  const vars = env.vars ?? process.env;
  const keyFile = opts.keyFile ?? vars.PY2DISTRO_SIGN_KEY_FILE;
  if (!keyFile) {
    throw keyError('no signing key given', 'Pass --sign-key FILE, set `sign-key` in py2distro.yaml, or set PY2DISTRO_SIGN_KEY_FILE.');
  }
  let passphrase = vars.PY2DISTRO_SIGN_PASSPHRASE;
  if (passphrase === undefined && opts.passphraseFile) {
    try {
      // The first line only: editors add a trailing newline that is not part of the passphrase.
      passphrase = (await readFile(opts.passphraseFile, 'utf8')).split(/\r?\n/)[0];
    } catch (err) {
      throw keyError(`cannot read the passphrase file ${opts.passphraseFile}`, undefined, err);
    }
  }
  addSecret(passphrase);
  let armored: string;
  try {
    const st = await stat(keyFile);
    // Like ssh: a secret key readable by others is worth a warning, not a refusal.
    if ((st.mode & 0o077) !== 0) env.log.warn(`signing key ${keyFile} is readable by group/others (chmod 600 it)`);
    armored = await readFile(keyFile, 'utf8');
  } catch (err) {
    throw keyError(`cannot read the signing key ${keyFile}`, undefined, err);
  }
  const previous: string[] = [];
  for (const file of opts.previousKeyFiles ?? []) {
    try {
      previous.push(await readFile(file, 'utf8'));
    } catch (err) {
      throw keyError(`cannot read the previous key ${file}`, 'Pass the armored public key of the org key that signed the repository before the rotation.', err);
    }
  }
  return parseSigningKey(armored, passphrase, keyFile, previous);
}

/** Parse, decrypt and vet an armored secret key (exported for tests and the programmatic API). */
export async function parseSigningKey(armored: string, passphrase: string | undefined, source = 'the key', previousArmored: string[] = []): Promise<SigningKey> {
  let key: OpenPGP.PrivateKey;
  try {
    key = await openpgp.readPrivateKey({ armoredKey: armored });
  } catch (err) {
    throw keyError(`${source} is not an armored OpenPGP secret key`, 'Export it with `gpg --armor --export-secret-keys FPR > org-key.asc`.', err);
  }
  if (!key.isDecrypted()) {
    if (passphrase === undefined) {
      throw keyError(`${source} is protected by a passphrase`, 'Set PY2DISTRO_SIGN_PASSPHRASE or `sign-passphrase-file` in py2distro.yaml (never a command-line flag).');
    }
    try {
      key = await openpgp.decryptKey({ privateKey: key, passphrase });
    } catch (err) {
      throw keyError(`cannot unlock ${source}: wrong passphrase`, 'Check PY2DISTRO_SIGN_PASSPHRASE or the passphrase file.', err);
    }
  }
  await vetKey(key, source);
  const signing = await key.getSigningKey();
  const algorithm = signing.getAlgorithmInfo().algorithm === 'eddsaLegacy' ? 'eddsa' : 'rsa';
  const fingerprint = key.getFingerprint().toUpperCase();
  const userId = key.getUserIDs()[0] ?? '';
  const pub = key.toPublic();
  const verifiers: OpenPGP.PublicKey[] = [pub];
  for (const [i, text] of previousArmored.entries()) {
    try {
      // A file may hold several keys (an exported keyring); a secret key contributes its public part only.
      for (const k of await openpgp.readKeys({ armoredKeys: text })) verifiers.push(k.toPublic());
    } catch (err) {
      throw keyError(`previous key #${i + 1} is not an armored OpenPGP key`, 'Export it with `gpg --armor --export FPR > previous-key.asc`.', err);
    }
  }
  return {
    privateKey: key,
    fingerprint,
    signingKeyId: signing.getKeyID().toHex().toLowerCase(),
    algorithm,
    userId,
    publicArmored: pub.armor(),
    publicBinary: pub.write(),
    verifiers,
    toJSON: () => ({ fingerprint, algorithm, userId }),
  };
}

/** Refuse anything apt (gpgv/sqv), rpm 4.18 or RHEL 9 crypto policies would refuse. */
async function vetKey(key: OpenPGP.PrivateKey, source: string): Promise<void> {
  if (key.keyPacket.version !== 4) {
    throw keyError(`${source} is a v${key.keyPacket.version} key`, 'Use a v4 key: rpm 4.18 and bookworm\'s gpgv cannot verify v5/v6 signatures.');
  }
  let signing: OpenPGP.PrivateKey | OpenPGP.Subkey;
  try {
    await key.verifyPrimaryKey();
    signing = await key.getSigningKey();
  } catch (err) {
    throw keyError(`${source} has no valid signing key now (expired, revoked or unusable)`, 'Extend the key\'s expiry (gpg --quick-set-expire) or use another key.', err);
  }
  checkAlgorithm(key.getAlgorithmInfo(), `${source} (primary key)`);
  if (signing !== key) checkAlgorithm(signing.getAlgorithmInfo(), `${source} (signing subkey)`);
  const primaryUser = await key.getPrimaryUser();
  checkHash(primaryUser.selfCertification.hashAlgorithm, `${source}'s user ID self-signature`);
  if (signing !== key) {
    const binding = await (signing as OpenPGP.Subkey).verify();
    checkHash(binding.hashAlgorithm, `${source}'s subkey binding signature`);
  }
}

function checkAlgorithm(info: OpenPGP.AlgorithmInfo, what: string): void {
  const { algorithm, bits, curve } = info;
  if (algorithm === 'rsaEncryptSign' || algorithm === 'rsaSign') {
    if ((bits ?? 0) < 3072) throw keyError(`${what} is RSA ${bits}`, 'RSA keys must have at least 3072 bits (gpg --quick-gen-key NAME rsa3072 sign).');
    return;
  }
  if (algorithm === 'eddsaLegacy' && curve === 'ed25519Legacy') return;
  if (algorithm === 'ed25519') {
    throw keyError(`${what} uses the RFC 9580 Ed25519 algorithm (27)`, 'rpm 4.18 and bookworm\'s gpgv only verify legacy EdDSA; generate with `gpg --quick-gen-key NAME ed25519 sign` (GnuPG 2.2/2.4).');
  }
  throw keyError(`${what} uses ${algorithm}${curve ? `/${curve}` : ''}`, 'Use an RSA (>= 3072 bits) or Ed25519 key; DSA, ElGamal and other curves are refused by apt or rpm.');
}

function checkHash(hash: number | null, what: string): void {
  if (hash === null || !STRONG_HASHES.has(hash)) {
    const name = hash === null ? 'unknown' : openpgp.enums.read(openpgp.enums.hash, hash);
    throw keyError(`${what} uses ${name}`, 'Re-certify the key with SHA-256 or stronger (gpg --cert-digest-algo SHA256 --quick-set-expire FPR 2y).');
  }
}
