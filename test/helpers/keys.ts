/**
 * OpenPGP keys and signatures for tests, made at test time. openpgp.js makes the good cases (Ed25519,
 * RSA, expired, revoked); gpg makes what openpgp.js refuses to (SHA-1 signatures, DSA keys), in a
 * throw-away GNUPGHOME; a v3 signature packet is assembled by hand because no current tool makes one.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as OpenPGP from 'openpgp';
import { openpgp } from '../../src/lib/openpgp.js';

export interface TestKey {
  name: string;
  email: string;
  /** Primary key fingerprint, upper-case hex (what `--trust NAME=FPR` takes). */
  fingerprint: string;
  keyId: string;
  publicArmored: string;
  privateArmored: string;
  privateKey: OpenPGP.PrivateKey;
}

export interface KeyOptions {
  name?: string;
  type?: 'ed25519' | 'rsa';
  /** Key created 3 days ago, valid for 1 day: expired now, valid when it signed. */
  expired?: boolean;
  /** Publish the key with a revocation signature (the private key can still sign). */
  revoked?: boolean;
}

const DAY = 86_400_000;

export async function generateKey(opts: KeyOptions = {}): Promise<TestKey> {
  const name = opts.name ?? 'Test Signer';
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@test.invalid`;
  const created = opts.expired ? new Date(Date.now() - 3 * DAY) : new Date(Date.now() - 60_000);
  const { privateKey } = await openpgp.generateKey({
    userIDs: [{ name, email }],
    format: 'object',
    date: created,
    keyExpirationTime: opts.expired ? 86_400 : 0,
    ...(opts.type === 'rsa' ? { type: 'rsa' as const, rsaBits: 2048 } : { type: 'ecc' as const, curve: 'ed25519Legacy' as const }),
  });
  let publicArmored = privateKey.toPublic().armor();
  if (opts.revoked) {
    const { publicKey } = await openpgp.revokeKey({ key: privateKey, reasonForRevocation: { flag: openpgp.enums.reasonForRevocation.keyCompromised }, format: 'armored' });
    publicArmored = publicKey;
  }
  return {
    name,
    email,
    fingerprint: privateKey.getFingerprint().toUpperCase(),
    keyId: privateKey.getKeyID().toHex().toUpperCase(),
    publicArmored,
    privateArmored: privateKey.armor(),
    privateKey,
  };
}

/** Armored detached signature over `data`, made the way upstreams make them. */
export async function signDetached(data: Buffer, key: TestKey): Promise<string> {
  // An expired key can only sign "in the past", while it was still valid.
  const date = new Date(Math.max(key.privateKey.getCreationTime().getTime() + 60_000, Date.now() - 3 * DAY + 3_600_000));
  const expired = (await key.privateKey.getExpirationTime()) !== Infinity;
  const message = await openpgp.createMessage({ binary: data });
  return (await openpgp.sign({ message, signingKeys: key.privateKey, detached: true, format: 'armored', ...(expired ? { date } : {}) })) as string;
}

/**
 * A keyring file like upstreams publish: several armored blocks concatenated ('armored'),
 * or binary transferable public keys ('binary').
 */
export async function writeKeyring(file: string, keys: { publicArmored: string }[], format: 'armored' | 'binary' = 'armored'): Promise<string> {
  if (format === 'armored') {
    await writeFile(file, keys.map((k) => k.publicArmored.trim() + '\n').join('\n'));
  } else {
    const parts = await Promise.all(keys.map(async (k) => (await openpgp.readKey({ armoredKey: k.publicArmored })).write()));
    await writeFile(file, Buffer.concat(parts.map((p) => Buffer.from(p))));
  }
  return file;
}

export interface GpgKey {
  home: string;
  fingerprint: string;
  publicArmored: string;
  /** Detached armored signature with the given digest (gpg's --digest-algo). */
  sign(data: Buffer, digest?: 'SHA1' | 'SHA256' | 'SHA512'): Promise<string>;
  cleanup(): Promise<void>;
}

/** Stop the gpg-agent a throw-away GNUPGHOME started, then remove the home (no daemon outlives a test). */
export async function disposeGnupgHome(home: string): Promise<void> {
  await execa('gpgconf', ['--homedir', home, '--kill', 'gpg-agent'], { reject: false });
  await rm(home, { recursive: true, force: true });
}

/** A key made by gpg in a temp GNUPGHOME (for DSA keys and SHA-1 signatures). */
export async function gpgKey(algo: 'dsa2048' | 'rsa3072' | 'ed25519' = 'rsa3072', name = 'Gpg Signer'): Promise<GpgKey> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'gnupg-'));
  const env = { GNUPGHOME: home };
  const gpg = (args: string[]) => execa('gpg', ['--batch', '--no-tty', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { env });
  await gpg(['--quick-gen-key', `${name} <${name.toLowerCase().replace(/\s+/g, '.')}@test.invalid>`, algo, 'sign', 'never']);
  const colons = (await gpg(['--list-keys', '--with-colons'])).stdout;
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(colons)![1];
  const publicArmored = (await gpg(['--armor', '--export', fingerprint])).stdout;
  return {
    home,
    fingerprint,
    publicArmored,
    async sign(data, digest = 'SHA256') {
      const input = path.join(home, 'data');
      await writeFile(input, data);
      await gpg(['--yes', '-u', fingerprint, '--digest-algo', digest, '--armor', '--detach-sign', '-o', `${input}.asc`, input]);
      return readFile(`${input}.asc`, 'utf8');
    },
    cleanup: () => disposeGnupgHome(home),
  };
}

/**
 * An armored v3 signature packet (RFC 4880 §5.2.2) claiming to be from `keyIdHex`. Its MPI is
 * random: verifiers must treat v3 signatures as unsigned before checking any cryptography.
 */
export function v3Signature(keyIdHex: string): string {
  const mpi = randomBytes(256);
  mpi[0] |= 0x80;
  const body = Buffer.concat([
    Buffer.from([3, 5, 0x00]), // version 3, hashed length 5, binary document
    Buffer.alloc(4, 0).fill(0), // creation time
    Buffer.from(keyIdHex.padStart(16, '0').slice(-16), 'hex'),
    Buffer.from([1, 8]), // RSA, SHA-256
    randomBytes(2), // left 16 bits of the hash
    Buffer.from([0x08, 0x00]), // MPI of 2048 bits
    mpi,
  ]);
  body.writeUInt32BE(Math.floor(Date.now() / 1000) - 3600, 3);
  const header = Buffer.from([0x80 | (2 << 2) | 1, body.length >> 8, body.length & 0xff]); // old format, 2-byte length
  return openpgp.armor(openpgp.enums.armor.signature, new Uint8Array(Buffer.concat([header, body])));
}
