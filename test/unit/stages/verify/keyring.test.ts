import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { openpgp } from '../../../../src/lib/openpgp.js';
import { findKey, readKeyringFile, type KeyringKey } from '../../../../src/stages/verify/keyring.ts';
import { signaturePacketVersions, signatureBytes, verifyDetachedSignature } from '../../../../src/stages/verify/signature.ts';
import { chooseRenderer } from '../../../../src/api/steps.ts';
import { generateKey, signDetached, v3Signature, writeKeyring, type TestKey } from '../../../helpers/keys.ts';

let dir: string;
let a: TestKey;
let b: TestKey;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'keyring-'));
  a = await generateKey({ name: 'Alpha' });
  b = await generateKey({ name: 'Beta', type: 'rsa' });
});

test('multi-block armored keyrings: every block is read (openpgp.readKeys alone reads one)', async () => {
  const file = await writeKeyring(path.join(dir, 'two.asc'), [a, b]);
  const naive = await openpgp.readKeys({ armoredKeys: await (await import('node:fs/promises')).readFile(file, 'utf8') });
  assert.equal(naive.length, 1, 'the quirk this module exists for');
  const keys = await readKeyringFile(file);
  assert.deepEqual(keys.map((k) => k.fingerprint), [a.fingerprint, b.fingerprint]);
  const bin = await readKeyringFile(await writeKeyring(path.join(dir, 'two.gpg'), [a, b], 'binary'));
  assert.deepEqual(bin.map((k) => k.fingerprint), [a.fingerprint, b.fingerprint]);
});

test('secret keys in a keyring are refused', async () => {
  const file = path.join(dir, 'secret.asc');
  await writeFile(file, a.privateArmored);
  await assert.rejects(readKeyringFile(file), /contains a secret key/);
});

test('v3 signatures are recognised before openpgp.js sees them', async () => {
  assert.deepEqual(signaturePacketVersions(await signatureBytes(v3Signature(a.keyId))), [3]);
  assert.deepEqual(signaturePacketVersions(await signatureBytes(await signDetached(Buffer.from('x'), a))), [4]);
  const file = path.join(dir, 'data');
  await writeFile(file, 'x');
  const r = await verifyDetachedSignature({
    file, displayName: 'data', project: 'p', signature: await signatureBytes(v3Signature(a.keyId)),
    keys: [], trust: new Map(), allowDsa: false, keyringFiles: [],
  });
  assert.equal(r.status, 'unsigned');
});

test('garbage signatures are a format error (exit 3)', async () => {
  const file = path.join(dir, 'data');
  await writeFile(file, 'x');
  await assert.rejects(
    verifyDetachedSignature({ file, displayName: 'data', project: 'p', signature: new Uint8Array([1, 2, 3]), keys: [], trust: new Map(), allowDsa: false, keyringFiles: [] }),
    (e: { code?: string; exitCode?: number }) => e.code === 'E_SIGNATURE_FORMAT' && e.exitCode === 3,
  );
});

test('progress renderer: silent with --json, plain lines under CI or without a TTY, live otherwise', () => {
  assert.equal(chooseRenderer({ json: true }, {}, true), 'silent');
  assert.equal(chooseRenderer({ json: false }, { CI: 'true' }, true), 'simple');
  assert.equal(chooseRenderer({ json: false }, {}, false), 'simple');
  assert.equal(chooseRenderer({ json: false }, {}, true), 'default');
});

test('findKey: with a shared 64-bit key ID, the issuer fingerprint, then the pinned key, wins', () => {
  // Stand-ins with only what findKey reads: two keys whose subkeys share the key ID 0xAAAA….
  const fake = (primary: string, subFpr: string) => ({
    fingerprint: primary,
    source: 'KEYS',
    key: { getKeys: () => [{ getKeyID: () => ({ toHex: () => 'aaaaaaaaaaaaaaaa' }), getFingerprint: () => subFpr.toLowerCase() }] },
  }) as unknown as KeyringKey;
  const attacker = fake('1'.repeat(40), 'B'.repeat(24) + 'AAAAAAAAAAAAAAAA');
  const upstream = fake('2'.repeat(40), 'C'.repeat(24) + 'AAAAAAAAAAAAAAAA');
  const keys = [attacker, upstream];
  assert.equal(findKey(keys, 'AAAAAAAAAAAAAAAA')?.entry, attacker, 'without hints: the first match');
  assert.equal(findKey(keys, 'AAAAAAAAAAAAAAAA', { pinned: [upstream.fingerprint] })?.entry, upstream);
  assert.equal(findKey(keys, 'AAAAAAAAAAAAAAAA', { issuerFingerprint: 'C'.repeat(24) + 'AAAAAAAAAAAAAAAA', pinned: [attacker.fingerprint] })?.entry, upstream);
  assert.equal(findKey(keys, 'BBBBBBBBBBBBBBBB'), undefined);
});

test('a binary secret keyring is refused like an armored one', async () => {
  const file = path.join(dir, 'secret.gpg');
  await writeFile(file, a.privateKey.write());
  await assert.rejects(readKeyringFile(file), (e: { code?: string; message: string }) => e.code === 'E_KEYRING' && /contains a secret key/.test(e.message));
});

test('copies of one key are merged by fingerprint: a revocation in a later copy or a second keyring is honoured', async () => {
  const { loadKeyrings } = await import('../../../../src/stages/verify/keyring.ts');
  const { publicKey: revokedArmored } = await openpgp.revokeKey({ key: a.privateKey, format: 'armored' });
  const stale = await writeKeyring(path.join(dir, 'stale.asc'), [a]);
  const fresh = await writeKeyring(path.join(dir, 'fresh.asc'), [{ publicArmored: revokedArmored }]);
  const both = await writeKeyring(path.join(dir, 'both.asc'), [a, { publicArmored: revokedArmored }]);
  const file = path.join(dir, 'data-rev');
  await writeFile(file, 'payload');
  const signature = await signatureBytes(await signDetached(Buffer.from('payload'), a));
  for (const files of [[stale, fresh], [both], [fresh, stale]]) {
    const keys = await loadKeyrings(files);
    assert.equal(keys.length, 1, 'one entry per fingerprint');
    assert.equal(await keys[0]!.key.isRevoked(), true, files.join(' + '));
    await assert.rejects(
      verifyDetachedSignature({ file, displayName: 'data-rev', project: 'p', signature, keys, trust: new Map([['p', [a.fingerprint]]]), allowDsa: false, keyringFiles: files }),
      (e: { code?: string }) => e.code === 'E_SIGNATURE_KEY_REVOKED',
    );
  }
});
