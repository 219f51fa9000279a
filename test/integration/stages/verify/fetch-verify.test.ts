/**
 * `py2distro fetch` against a real index on 127.0.0.1: every verification refusal exits 3 with a
 * message naming the file, the key and the fix, and leaves nothing in --out or the cache.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../helpers/cli.ts';
import { startIndexServer, type IndexFile, type IndexServer } from '../../../helpers/index-server.ts';
import { generateKey, gpgKey, signDetached, v3Signature, writeKeyring, type GpgKey, type TestKey } from '../../../helpers/keys.ts';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.ts';

let dir: string;
let content: Buffer;
let filename: string;
let upstream: TestKey;
let other: TestKey;
let keyring: string;
const servers: IndexServer[] = [];
const gpgKeys: GpgKey[] = [];

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fetch-verify-'));
  const sdist = await makeSdist(purePythonProject('hello-pkg', '1.0.0'), dir);
  content = await readFile(sdist);
  filename = path.basename(sdist);
  upstream = await generateKey({ name: 'Upstream Release' });
  other = await generateKey({ name: 'Someone Else', type: 'rsa' });
  // Two armored blocks in one file, the signer second: a reader of only the first block fails.
  keyring = await writeKeyring(path.join(dir, 'upstream-keys.asc'), [other, upstream]);
});

after(async () => {
  for (const s of servers) await s.close();
  for (const g of gpgKeys) await g.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function serve(file: Partial<IndexFile>, mode: 'json' | 'html' = 'json'): Promise<IndexServer> {
  const index = await startIndexServer({ mode });
  servers.push(index);
  index.addFile('hello-pkg', { filename, content, ...file });
  return index;
}

async function fetch(index: IndexServer, extra: string[], name = 'attempt') {
  const out = path.join(dir, name, 'out');
  const cache = path.join(dir, name, 'cache');
  const r = await runCli(['fetch', 'hello-pkg', '--index-url', index.url, '--cache-dir', cache, '--out', out, ...extra], { env: { NETRC: '/nonexistent' } });
  const cached = existsSync(path.join(cache, 'sha256')) ? readdirSync(path.join(cache, 'sha256')) : [];
  return { ...r, out, outFiles: existsSync(out) ? readdirSync(out) : [], cached };
}

const pin = () => ['--keyring', keyring, '--trust', `hello-pkg=${upstream.fingerprint}`];

function assertRefused(r: Awaited<ReturnType<typeof fetch>>, code: string, ...mentions: string[]) {
  assert.equal(r.exitCode, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`\\[${code}\\]`));
  for (const m of mentions) assert.ok(r.stderr.includes(m), `expected ${JSON.stringify(m)} in:\n${r.stderr}`);
  assert.deepEqual(r.outFiles, [], 'nothing may be left in --out');
  assert.deepEqual(r.cached, [], 'nothing may be kept in the cache');
}

describe('fetch: verified downloads', () => {
  test('a signature from the pinned key in a multi-key keyring verifies; JSON and HTML indexes agree', async () => {
    const sig = await signDetached(content, upstream);
    const results = [];
    for (const mode of ['json', 'html'] as const) {
      const r = await fetch(await serve({ signature: sig }, mode), [...pin(), '--json'], `ok-${mode}`);
      assert.equal(r.exitCode, 0, r.stderr);
      const summary = JSON.parse(r.stdout);
      assert.deepEqual(r.outFiles.sort(), [filename, `${filename}.provenance.json`]);
      const prov = JSON.parse(await readFile(path.join(r.out, `${filename}.provenance.json`), 'utf8'));
      assert.equal(prov.signature.status, 'verified');
      assert.equal(prov.signature.signer, upstream.fingerprint);
      assert.equal(prov.sha256, summary.files[0].sha256);
      results.push({ filename: summary.files[0].filename, sha256: summary.files[0].sha256, version: summary.files[0].version, signer: summary.files[0].signature.signer });
    }
    assert.deepEqual(results[0], results[1]);
  });

  test('a binary keyring works too', async () => {
    const binary = await writeKeyring(path.join(dir, 'keys.gpg'), [other, upstream], 'binary');
    const r = await fetch(await serve({ signature: await signDetached(content, upstream) }), ['--keyring', binary, '--trust', `hello-pkg=${upstream.fingerprint}`], 'binary');
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`signed by ${upstream.fingerprint}`));
  });

  test('the attack: sdist modified after signing, index hash recomputed → bad signature, exit 3', async () => {
    const sig = await signDetached(content, upstream);
    const tampered = Buffer.concat([content, Buffer.from('\0evil')]);
    const index = await startIndexServer({ mode: 'json', projects: { 'hello-pkg': [{ filename, content: tampered, signature: sig }] } });
    servers.push(index);
    assertRefused(await fetch(index, pin(), 'attack'), 'E_SIGNATURE_BAD', filename, upstream.fingerprint);
  });

  test('signer not in the keyring → the exact --trust to add', async () => {
    const stranger = await generateKey({ name: 'Stranger' });
    const r = await fetch(await serve({ signature: await signDetached(content, stranger) }), ['--keyring', keyring], 'unknown');
    assertRefused(r, 'E_SIGNATURE_UNKNOWN_KEY', filename, stranger.fingerprint, `--trust hello-pkg=${stranger.fingerprint}`);
  });

  test('signer in the keyring but not pinned for this package → untrusted', async () => {
    const r = await fetch(await serve({ signature: await signDetached(content, other) }), ['--keyring', keyring, '--trust', `other-pkg=${other.fingerprint}`], 'unpinned');
    assertRefused(r, 'E_SIGNATURE_UNTRUSTED', filename, other.fingerprint, `--trust hello-pkg=${other.fingerprint}`);
  });

  test('signed by another key than the pinned one → wrong key', async () => {
    const r = await fetch(await serve({ signature: await signDetached(content, other) }), pin(), 'wrong-pin');
    assertRefused(r, 'E_SIGNATURE_WRONG_KEY', filename, other.fingerprint, upstream.fingerprint);
  });

  test('unsigned under "required" → exit 3; a pin makes it required; unpinned under "if-present" → a warning, recorded as unsigned', async () => {
    const index = await serve({});
    assertRefused(await fetch(index, [...pin(), '--signature-policy', 'required'], 'unsigned-required'), 'E_SIGNATURE_MISSING', filename, 'required');
    // A pin is not defeated by deleting the .asc: the pinned project is required whatever the policy.
    for (const policy of ['if-present', 'off']) {
      assertRefused(await fetch(index, [...pin(), '--signature-policy', policy], `unsigned-pinned-${policy}`), 'E_SIGNATURE_MISSING', filename, upstream.fingerprint, '--trust pin');
    }
    const r = await fetch(index, ['--keyring', keyring], 'unsigned-if-present');
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /no signature was published; recorded as unsigned/);
    assert.match(r.stdout, /unsigned/);
  });

  test('index hash mismatch → exit 3 naming both hashes', async () => {
    const r = await fetch(await serve({ sha256Override: 'ab'.repeat(32) }), pin(), 'hash');
    assertRefused(r, 'E_HASH_MISMATCH', filename, 'ab'.repeat(32));
  });

  test('no hash on the index and no trusted signature → exit 3', async () => {
    assertRefused(await fetch(await serve({ omitHash: true }), ['--keyring', keyring], 'nohash'), 'E_HASH_MISSING', filename);
  });

  test('key expired now (valid when it signed) → refused like gpgv', async () => {
    const expired = await generateKey({ name: 'Expired', expired: true });
    const kr = await writeKeyring(path.join(dir, 'expired.asc'), [expired]);
    const r = await fetch(await serve({ signature: await signDetached(content, expired) }), ['--keyring', kr, '--trust', `hello-pkg=${expired.fingerprint}`], 'expired');
    assertRefused(r, 'E_SIGNATURE_KEY_EXPIRED', filename, expired.fingerprint);
  });

  test('revoked key → refused', async () => {
    const revoked = await generateKey({ name: 'Revoked', revoked: true });
    const kr = await writeKeyring(path.join(dir, 'revoked.asc'), [revoked]);
    const r = await fetch(await serve({ signature: await signDetached(content, revoked) }), ['--keyring', kr, '--trust', `hello-pkg=${revoked.fingerprint}`], 'revoked');
    assertRefused(r, 'E_SIGNATURE_KEY_REVOKED', filename, revoked.fingerprint);
  });

  test('SHA-1 signature (made by gpg) → refused', async () => {
    const g = await gpgKey('rsa3072', 'Sha One');
    gpgKeys.push(g);
    const kr = await writeKeyring(path.join(dir, 'sha1.asc'), [g]);
    const r = await fetch(await serve({ signature: await g.sign(content, 'SHA1') }), ['--keyring', kr, '--trust', `hello-pkg=${g.fingerprint}`], 'sha1');
    assertRefused(r, 'E_SIGNATURE_WEAK', filename, 'SHA-1');
  });

  test('DSA key (made by gpg) → refused unless --allow-dsa', async () => {
    const g = await gpgKey('dsa2048', 'Dsa Signer');
    gpgKeys.push(g);
    const kr = await writeKeyring(path.join(dir, 'dsa.asc'), [g]);
    const index = await serve({ signature: await g.sign(content) });
    const flags = ['--keyring', kr, '--trust', `hello-pkg=${g.fingerprint}`];
    assertRefused(await fetch(index, flags, 'dsa'), 'E_SIGNATURE_WEAK', filename, g.fingerprint, '--allow-dsa');
    const ok = await fetch(index, [...flags, '--allow-dsa'], 'dsa-allowed');
    assert.equal(ok.exitCode, 0, ok.stderr);
    assert.match(ok.stdout, new RegExp(`signed by ${g.fingerprint}`));
  });

  test('a v3 signature counts as no signature', async () => {
    const index = await serve({ signature: v3Signature(upstream.keyId) });
    assertRefused(await fetch(index, [...pin(), '--signature-policy', 'required'], 'v3'), 'E_SIGNATURE_MISSING', filename, 'v3');
    // Replacing the .asc of a pinned project by a v3 packet is a downgrade, refused under the default policy too.
    assertRefused(await fetch(index, pin(), 'v3-if-present'), 'E_SIGNATURE_MISSING', filename, 'v3', upstream.fingerprint);
  });
});
