/**
 * Keyring files as upstreams publish them: several armored public-key blocks concatenated in one
 * file (e.g. a project KEYS file), or binary transferable keys (`gpg --export`). openpgp.readKeys
 * on armored text reads only the first block and silently drops the rest, so blocks are split here
 * and read one by one. Several copies of one key (a stale one in the KEYS file, a fresh one with a
 * revocation or a new expiry in a second --keyring) are merged by fingerprint before anything is
 * judged, as gpg merges them on import: the first copy must not hide a later revocation.
 */
import { readFile } from 'node:fs/promises';
import type * as OpenPGP from 'openpgp';
import { Py2DistroError } from '../../lib/errors.js';
import { loadOpenpgp } from './openpgp-module.js';

export interface KeyringKey {
  key: OpenPGP.PublicKey;
  /** Primary key fingerprint, upper-case hex. */
  fingerprint: string;
  /** The keyring file it came from (for messages). */
  source: string;
}

const BLOCK = /-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----[\s\S]*?-----END PGP \1 KEY BLOCK-----/g;

/** Reads every key in one keyring file (armored with any number of blocks, or binary). */
export async function readKeyringFile(file: string): Promise<KeyringKey[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new Py2DistroError('E_KEYRING', `cannot read keyring ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`, { cause: err });
  }
  const text = bytes.toString('latin1');
  const pgp = await loadOpenpgp();
  const keys: OpenPGP.PublicKey[] = [];
  try {
    if (text.includes('-----BEGIN PGP')) {
      const blocks = text.match(BLOCK) ?? [];
      if (!blocks.length) throw new Error('no complete "PUBLIC KEY BLOCK" in the file');
      for (const block of blocks) {
        if (block.includes('PRIVATE KEY BLOCK')) {
          throw new Py2DistroError('E_KEYRING', `keyring ${file} contains a secret key`, {
            hint: 'A keyring for verification holds public keys only: export it with `gpg --armor --export FPR`.',
          });
        }
        keys.push(...(await pgp.readKeys({ armoredKeys: block })));
      }
    } else {
      keys.push(...(await pgp.readKeys({ binaryKeys: new Uint8Array(bytes) })));
    }
  } catch (err) {
    if (err instanceof Py2DistroError) throw err;
    throw new Py2DistroError('E_KEYRING', `keyring ${file} is not an OpenPGP public keyring: ${(err as Error).message}`, { cause: err });
  }
  if (!keys.length) throw new Py2DistroError('E_KEYRING', `keyring ${file} holds no keys`);
  // A binary `gpg --export-secret-keys` file parses as keys too: refuse it as the armored one is.
  if (keys.some((k) => k.isPrivate())) {
    throw new Py2DistroError('E_KEYRING', `keyring ${file} contains a secret key`, {
      hint: 'A keyring for verification holds public keys only: export it with `gpg --export FPR` (or --armor --export).',
    });
  }
  return keys.map((key) => ({ key, fingerprint: key.getFingerprint().toUpperCase(), source: file }));
}

/**
 * Every key of every file, one entry per fingerprint: the copies are merged (their revocations,
 * self-signatures, user IDs and subkeys united, openpgp.js `Key.update`), so revocation and
 * expiry are judged on everything known about the key, whichever copy came first.
 */
export async function loadKeyrings(files: readonly string[]): Promise<KeyringKey[]> {
  const seen = new Map<string, KeyringKey>();
  for (const file of files) {
    for (const k of await readKeyringFile(file)) {
      const first = seen.get(k.fingerprint);
      if (!first) {
        seen.set(k.fingerprint, k);
        continue;
      }
      try {
        const merged = (await first.key.update(k.key)) as OpenPGP.PublicKey;
        seen.set(k.fingerprint, { key: merged, fingerprint: k.fingerprint, source: first.source === k.source ? first.source : `${first.source} + ${k.source}` });
      } catch (err) {
        throw new Py2DistroError('E_KEYRING', `key ${k.fingerprint} in ${first.source} and ${k.source} cannot be merged: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  return [...seen.values()];
}

/**
 * The keyring key holding `keyIdHex` as its primary key or a subkey, if any. A 64-bit key ID can
 * be shared (deliberately, in a crafted key) by several keys of a big upstream KEYS file, so the
 * choice is: the key whose (sub)key fingerprint is the signature's issuer fingerprint, else a key
 * pinned for the package, else the first match.
 */
export function findKey(
  keys: readonly KeyringKey[],
  keyIdHex: string,
  prefer: { issuerFingerprint?: string; pinned?: readonly string[] } = {},
): { entry: KeyringKey; subkeyFingerprint: string } | undefined {
  const wanted = keyIdHex.toLowerCase();
  const matches: { entry: KeyringKey; subkeyFingerprint: string }[] = [];
  for (const entry of keys) {
    for (const k of entry.key.getKeys()) {
      if (k.getKeyID().toHex().toLowerCase() === wanted) matches.push({ entry, subkeyFingerprint: k.getFingerprint().toUpperCase() });
    }
  }
  return (
    matches.find((m) => prefer.issuerFingerprint && m.subkeyFingerprint === prefer.issuerFingerprint) ??
    matches.find((m) => prefer.pinned?.includes(m.entry.fingerprint)) ??
    matches[0]
  );
}

/** The primary user ID for messages ("Name <email>"), or ''. */
export async function primaryUserId(key: OpenPGP.PublicKey): Promise<string> {
  try {
    const { user } = await key.getPrimaryUser();
    return user.userID?.userID ?? '';
  } catch {
    return key.getUserIDs()[0] ?? '';
  }
}
