/**
 * Native rpm header signing, judged by rpm itself: `rpmkeys -Kv` against a temporary rpmdb that
 * holds only the org key. rpm -K exits 0 on an unsigned package, so every check also asserts that
 * a "Header V4 … Signature … OK" line is *present*.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm, mkdtemp, readFile, writeFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parseSigningKey, type SigningKey } from '../../../../src/stages/sign/key.js';
import { readRpmInfo, rpmSigners, signRpm } from '../../../../src/stages/sign/rpm.js';
import { encodeHeader, readRpmLayout } from '../../../../src/distro/rpm/header.js';
import { Py2DistroError } from '../../../../src/lib/errors.js';
import { makeOrgKey, makeRpm } from '../../../helpers/packages.js';

let dir: string;
let rpm: string;
const keys: Record<'rsa' | 'ed25519', { key: SigningKey; publicFile: string }> = {} as never;

after(() => rm(dir, { recursive: true, force: true }));

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-rpmsign-'));
  rpm = await makeRpm(dir, { name: 'python3-signme', version: '1.0' });
  for (const kind of ['rsa', 'ed25519'] as const) {
    const k = await makeOrgKey(path.join(dir, 'keys'), kind);
    keys[kind] = { key: await parseSigningKey(k.armored, undefined), publicFile: k.publicFile };
  }
});

async function checksig(file: string, publicFiles: string[]): Promise<{ exitCode: number; out: string }> {
  const db = await mkdtemp(path.join(dir, 'rpmdb-'));
  for (const f of publicFiles) await execa('rpmkeys', ['--dbpath', db, '--import', f]);
  const r = await execa('rpmkeys', ['--dbpath', db, '-Kv', file], { reject: false, all: true });
  return { exitCode: r.exitCode ?? -1, out: String(r.all) };
}

for (const kind of ['rsa', 'ed25519'] as const) {
  test(`${kind}: rpmkeys shows a valid org signature, file size and payload offset unchanged`, async () => {
    const { key, publicFile } = keys[kind];
    const original = await readFile(rpm);
    const unsigned = await checksig(rpm, [publicFile]);
    assert.equal(unsigned.exitCode, 0, 'rpm -K passes unsigned packages — why presence must be asserted');
    assert.doesNotMatch(unsigned.out, /Signature/);

    const { bytes, status, sizeKept } = await signRpm(original, key);
    assert.equal(status, 'signed');
    assert.ok(sizeKept);
    assert.equal(bytes.length, original.length);
    assert.equal(readRpmLayout(bytes).mainStart, readRpmLayout(original).mainStart);
    const out = path.join(dir, `signed-${kind}.rpm`);
    await writeFile(out, bytes);
    const r = await checksig(out, [publicFile]);
    assert.equal(r.exitCode, 0, r.out);
    const algo = kind === 'rsa' ? 'RSA' : 'EdDSA';
    assert.match(r.out, new RegExp(`Header V4 ${algo}/SHA(256|512) Signature, key ID ${key.signingKeyId.slice(-8)}: OK`));
    assert.doesNotMatch(r.out, /NOKEY|BAD|NOTTRUSTED/);
    assert.deepEqual(await rpmSigners(bytes), [key.signingKeyId]);
    assert.equal(readRpmInfo(bytes).contentSha256, readRpmInfo(original).contentSha256);

    const other = kind === 'rsa' ? keys.ed25519.publicFile : keys.rsa.publicFile;
    assert.match((await checksig(out, [other])).out, /NOKEY/, 'a db without the org key must not accept it');
  });
}

test('re-signing: same key is a no-op, another key replaces the signature (one signature left)', async () => {
  const original = await readFile(rpm);
  const first = await signRpm(original, keys.rsa.key);
  const again = await signRpm(first.bytes, keys.rsa.key);
  assert.equal(again.status, 'already-signed');
  assert.ok(again.bytes.equals(first.bytes));
  const replaced = await signRpm(first.bytes, keys.ed25519.key);
  assert.equal(replaced.status, 'replaced');
  assert.equal(replaced.bytes.length, original.length);
  assert.deepEqual(await rpmSigners(replaced.bytes), [keys.ed25519.key.signingKeyId]);
  const out = path.join(dir, 'replaced.rpm');
  await writeFile(out, replaced.bytes);
  assert.match((await checksig(out, [keys.ed25519.publicFile])).out, /Header V4 EdDSA\/SHA512 Signature, key ID [0-9a-f]{8}: OK/);
});

test('the signature header is encoded exactly as rpm lays it out (re-encoding round-trips)', async () => {
  const { bytes } = await signRpm(await readFile(rpm), keys.rsa.key);
  const layout = readRpmLayout(bytes);
  const reencoded = encodeHeader(layout.signature.entries, 62);
  assert.ok(reencoded.equals(bytes.subarray(96, layout.signature.end)));
});

test('a tampered payload fails rpmkeys; a truncated file is E_PACKAGE_FORMAT', async () => {
  const { bytes } = await signRpm(await readFile(rpm), keys.rsa.key);
  const header = readRpmLayout(bytes).main;
  const bad = Buffer.from(bytes);
  bad[header.end - 20] ^= 0xff; // inside the signed main header
  const out = path.join(dir, 'tampered.rpm');
  await writeFile(out, bad);
  const r = await checksig(out, [keys.rsa.publicFile]);
  assert.notEqual(r.exitCode, 0, r.out);
  await assert.rejects(signRpm(bytes.subarray(0, 200), keys.rsa.key), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_PACKAGE_FORMAT');
  assert.ok((await stat(rpm)).size > 0);
});
