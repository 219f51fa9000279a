import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { openpgp } from '../../../../src/lib/openpgp.js';
import { loadSigningKey, parseSigningKey } from '../../../../src/stages/sign/key.js';
import { mask, silentLogger } from '../../../../src/lib/log.js';
import { Py2DistroError } from '../../../../src/lib/errors.js';
import { disposeGnupgHome } from '../../../helpers/keys.ts';

const env = { log: silentLogger };

async function gen(opts: Parameters<typeof openpgp.generateKey>[0]): Promise<string> {
  return (await openpgp.generateKey({ userIDs: [{ name: 'T', email: 't@example.com' }], ...opts, format: 'armored' } as never) as { privateKey: string }).privateKey;
}

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => err instanceof Py2DistroError && err.code === 'E_SIGN_KEY' && pattern.test(err.message));
}

test('accepts RSA 3072 and legacy Ed25519 v4 keys', async () => {
  const rsa = await parseSigningKey(await gen({ type: 'rsa', rsaBits: 3072 }), undefined);
  assert.equal(rsa.algorithm, 'rsa');
  assert.match(rsa.fingerprint, /^[0-9A-F]{40}$/);
  const ed = await parseSigningKey(await gen({ type: 'ecc', curve: 'ed25519Legacy' }), undefined);
  assert.equal(ed.algorithm, 'eddsa');
  assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(ed))).sort(), ['algorithm', 'fingerprint', 'userId']);
});

test('refuses RSA below 3072 bits, non-Ed25519 curves and RFC 9580 Ed25519', async () => {
  await refused(parseSigningKey(await gen({ type: 'rsa', rsaBits: 2048 }), undefined), /RSA 2048/);
  await refused(parseSigningKey(await gen({ type: 'ecc', curve: 'nistP256' }), undefined), /ecdsa/);
  await refused(parseSigningKey(await gen({ type: 'curve25519' } as never), undefined), /(algorithm \(27\)|v6 key)/);
});

test('refuses a key whose self-signature uses SHA-1 (gpg-made)', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'p2d-gpg-'));
  const g = (args: string[]) => execa('gpg', ['--batch', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { env: { GNUPGHOME: home } });
  await g(['--cert-digest-algo', 'SHA1', '--quick-gen-key', 'Weak <w@example.com>', 'rsa3072', 'sign', 'never']);
  const armored = (await g(['--armor', '--export-secret-keys'])).stdout;
  await refused(parseSigningKey(armored, undefined), /(sha1|no valid signing key)/);
  await disposeGnupgHome(home);
});

test('passphrase: required, checked, taken from the environment and masked', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-key-'));
  const file = path.join(dir, 'org.asc');
  const passphrase = 'correct horse battery staple';
  await writeFile(file, await gen({ type: 'ecc', curve: 'ed25519Legacy', passphrase }), { mode: 0o600 });
  await refused(loadSigningKey({ keyFile: file }, { ...env, vars: {} }), /passphrase/);
  await refused(loadSigningKey({ keyFile: file }, { ...env, vars: { PY2DISTRO_SIGN_PASSPHRASE: 'wrong one' } }), /wrong passphrase/);
  const key = await loadSigningKey({}, { ...env, vars: { PY2DISTRO_SIGN_KEY_FILE: file, PY2DISTRO_SIGN_PASSPHRASE: passphrase } });
  assert.equal(key.algorithm, 'eddsa');
  assert.equal(mask(`unlocking with ${passphrase}`), 'unlocking with ***');
  const passFile = path.join(dir, 'pass');
  await writeFile(passFile, `${passphrase}\n`);
  assert.equal((await loadSigningKey({ keyFile: file, passphraseFile: passFile }, { ...env, vars: {} })).fingerprint, key.fingerprint);
});

test('no key and a public key are refused with a hint', async () => {
  await refused(loadSigningKey({}, { ...env, vars: {} }), /no signing key/);
  const { publicKey } = await openpgp.generateKey({ type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'T' }] });
  await refused(parseSigningKey(publicKey, undefined), /not an armored OpenPGP secret key/);
});
