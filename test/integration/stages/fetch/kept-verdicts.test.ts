/**
 * fetchSdist with kept trust verdicts (stages/verify/verdicts.ts) on a real index: the second fetch
 * of a cached sdist reads none of its bytes; every input that decided the verdict — the policy,
 * the pins, --allow-dsa, the keyring files and their content, the trust lock and its entry, the
 * index's sha256, the signature's bytes, the Sigstore root and publisher pin — misses the kept
 * verdict when it changes, and the real check then decides (refusing what it refuses); a store
 * entry sealed with another secret or edited is ignored; a verdict past its key's expiry is not used.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openpgp } from '../../../../src/lib/openpgp.ts';
import { sha256File } from '../../../../src/lib/fs/cache.ts';
import { createSealedStore } from '../../../../src/lib/fs/sealed-store.ts';
import { silentLogger } from '../../../../src/lib/log.ts';
import { fetchSdist, type FetchOptions } from '../../../../src/stages/fetch/index.ts';
import { openTrustLock, parsePublisherPin, type VerdictStore } from '../../../../src/stages/verify/index.ts';
import { startIndexServer, type IndexServer } from '../../../helpers/index-server.ts';
import { generateKey, signDetached, writeKeyring, type TestKey } from '../../../helpers/keys.ts';
import { PEP740_DIR, pep740Skip } from '../../../helpers/pep740.ts';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.ts';

let dir: string;
let index: IndexServer;
let upstream: TestKey;
let other: TestKey;
let keyring: string;
let cacheDir: string;
const PROJECT = 'kept-pkg';

const sealed = (secret: number): VerdictStore => {
  const store = createSealedStore(path.join(dir, 'verdicts'), Buffer.alloc(32, secret));
  return { get: (k) => store.get('trust-verdict', k), put: (k, v) => store.put('trust-verdict', k, v) };
};

function options(over: Partial<FetchOptions> = {}): FetchOptions {
  return {
    indexUrl: index.url, keyrings: [keyring], trust: new Map([[PROJECT, [upstream.fingerprint]]]), signaturePolicy: 'required',
    pre: false, allowDsa: false, trustLockFile: path.join(dir, 'trust-lock.json'), verdicts: sealed(1), ...over,
  };
}

const fetch = (over: Partial<FetchOptions> = {}, project = PROJECT) => fetchSdist(project, options(over), { log: silentLogger, workDir: dir, cacheDir });
const downloads = () => index.requests.filter((p) => p.endsWith('.tar.gz')).length;

async function publish(extra = ''): Promise<Buffer> {
  const spec = purePythonProject(PROJECT, '1.0');
  if (extra) spec.files['NOTES.txt'] = extra;
  const content = await readFile(await makeSdist(spec, await mkdtemp(path.join(dir, 'sdist-'))));
  index.addFile(PROJECT, { filename: `${PROJECT.replace('-', '_')}-1.0.tar.gz`, content, signature: await signDetached(content, upstream) });
  return content;
}

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-kept-verdicts-'));
  cacheDir = path.join(dir, 'cache');
  index = await startIndexServer({ mode: 'json' });
  upstream = await generateKey({ name: 'Kept Upstream' });
  other = await generateKey({ name: 'Other Key' });
  keyring = await writeKeyring(path.join(dir, 'keys.asc'), [upstream]);
  await publish();
});

after(async () => {
  await index?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('kept verdict: the second fetch reads no byte of the cached sdist; without verdicts it is hashed and verified for real', async () => {
  const first = await fetch();
  assert.equal(first.verdict, undefined, 'verified for real the first time');
  assert.equal(first.provenance.signature.status, 'verified');
  // That fetch recorded the signer in the trust lock, so its verdict was not kept (a verdict is
  // kept under the lock entry it was judged with): the next one judges for real and keeps.
  assert.equal((await fetch()).verdict, undefined);
  const second = await fetch();
  assert.equal(second.verdict, 'kept');
  assert.deepEqual({ ...second.provenance, verifiedAt: '' }, { ...first.provenance, verifiedAt: '' }, 'the same record');
  // Corrupted in place: the kept path does not notice (it reads nothing) …
  await writeFile(first.path, 'corrupted');
  const before = downloads();
  assert.equal((await fetch()).verdict, 'kept');
  assert.equal(downloads(), before);
  // … and whoever uses the bytes fetches without verdicts: re-hashed, found corrupt, downloaded again.
  const real = await fetch({ verdicts: undefined });
  assert.equal(real.verdict, undefined);
  assert.equal(downloads(), before + 1);
  assert.equal(await sha256File(real.path), first.sha256);
});

describe('kept verdict: a changed input misses, and the real check decides', () => {
  const kept = async (over: Partial<FetchOptions> = {}) => (await fetch(over)).verdict === 'kept';

  test('policy, --allow-dsa, keyring files (list and content), pins', async () => {
    assert.ok(await kept(), 'baseline');
    assert.equal(await kept({ signaturePolicy: 'if-present' }), false, 'another --signature-policy');
    assert.ok(await kept({ signaturePolicy: 'if-present' }), 'then kept under it');
    assert.equal(await kept({ allowDsa: true }), false, '--allow-dsa');
    const extra = await writeKeyring(path.join(dir, 'extra.asc'), [other]);
    assert.equal(await kept({ keyrings: [keyring, extra] }), false, 'one more keyring file');
    assert.equal(await kept({ keyrings: [extra, keyring] }), false, 'the same files in another order');
    assert.equal(await kept({ trust: new Map([[PROJECT, [upstream.fingerprint, other.fingerprint]]]) }), false, 'another key pinned beside');
    await assert.rejects(fetch({ trust: new Map([[PROJECT, [other.fingerprint]]]) }), { code: 'E_SIGNATURE_WRONG_KEY' });
    // The keyring file rewritten with the key revoked (same path, same fingerprint): refused.
    const original = await readFile(keyring, 'utf8');
    const { publicKey } = await openpgp.revokeKey({ key: upstream.privateKey, reasonForRevocation: { flag: openpgp.enums.reasonForRevocation.keyCompromised }, format: 'armored' });
    await writeFile(keyring, publicKey);
    await assert.rejects(fetch(), { code: 'E_SIGNATURE_KEY_REVOKED' });
    await writeFile(keyring, original);
    assert.ok(await kept(), 'the original keyring content: the verdict holds again');
  });

  test('the trust lock: another file, its entry recorded now, an entry changed since', async () => {
    const lockFile = path.join(dir, 'other-lock.json');
    const first = await fetch({ trustLockFile: lockFile });
    assert.equal(first.verdict, undefined, 'another lock file');
    assert.equal(first.provenance.signature.status, 'verified');
    // Recorded on that fetch, so not kept: the next one judges with the entry, and keeps that.
    assert.equal((await fetch({ trustLockFile: lockFile })).verdict, undefined);
    assert.equal((await fetch({ trustLockFile: lockFile })).verdict, 'kept');
    const lock = await openTrustLock(lockFile);
    await lock.forget(PROJECT);
    await lock.record(PROJECT, { openpgp: other.fingerprint, recordedFrom: 'test' });
    await assert.rejects(fetch({ trustLockFile: lockFile }), { code: 'E_TRUST_LOCK_CHANGED' });
    // Forgotten (as `trust accept` does): judged for real and recorded again, not kept.
    await lock.forget(PROJECT);
    const again = await fetch({ trustLockFile: lockFile });
    assert.equal(again.verdict, undefined);
    assert.equal(lock.get(PROJECT)?.openpgp, upstream.fingerprint);
  });

  test('the index: new bytes under the same file name, or the same bytes signed again', async () => {
    assert.ok(await kept());
    const resigned = await readFile(path.join(await cachedPath()));
    index.addFile(PROJECT, { filename: `${PROJECT.replace('-', '_')}-1.0.tar.gz`, content: resigned, signature: await signDetached(resigned, upstream) });
    assert.equal(await kept(), false, 'another signature over the same bytes');
    assert.ok(await kept());
    const before = downloads();
    await publish('other bytes');
    const changed = await fetch();
    assert.equal(changed.verdict, undefined, 'another sha256 on the index');
    assert.equal(downloads(), before + 1);
  });
});

async function cachedPath(): Promise<string> {
  return (await fetch({ verdicts: undefined })).path;
}

test('kept verdict: a store entry sealed with another secret, or edited under its seal, is ignored and the file verified for real', async () => {
  await fetch();
  const file = (await fetch({ verdicts: undefined })).path;
  assert.equal((await fetch()).verdict, 'kept');
  await writeFile(file, 'corrupted');
  const before = downloads();
  assert.equal((await fetch({ verdicts: sealed(2) })).verdict, undefined, 'another secret: absent');
  assert.equal(downloads(), before + 1, 'the corrupted file was caught by the real check');
  // Edited values (the claim of another signer), seals left as they were.
  const root = path.join(dir, 'verdicts', 'trust-verdict');
  for (const f of (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())) {
    const p = path.join(f.parentPath, f.name);
    const entry = JSON.parse(await readFile(p, 'utf8'));
    const value = JSON.parse(entry.value);
    value.outcome.signer = other.fingerprint;
    await writeFile(p, JSON.stringify({ ...entry, value: JSON.stringify(value) }));
  }
  const edited = await fetch();
  assert.equal(edited.verdict, undefined);
  assert.equal(edited.provenance.signature.signer, upstream.fingerprint);
});

test('kept verdict: a verdict records when its key expires, and is not used after it', async () => {
  const created = new Date(Date.now() - 60_000);
  const { privateKey } = await openpgp.generateKey({ userIDs: [{ name: 'Expiring' }], format: 'object', date: created, keyExpirationTime: 2 * 86_400, type: 'ecc', curve: 'ed25519Legacy' });
  const expiring: TestKey = { name: 'Expiring', email: '', fingerprint: privateKey.getFingerprint().toUpperCase(), keyId: '', publicArmored: privateKey.toPublic().armor(), privateArmored: '', privateKey };
  const project = 'expiring-pkg';
  const content = await readFile(await makeSdist(purePythonProject(project, '1.0'), await mkdtemp(path.join(dir, 'sdist-'))));
  index.addFile(project, { filename: 'expiring_pkg-1.0.tar.gz', content, signature: await signDetached(content, expiring) });
  const puts = new Map<string, unknown>();
  const store: VerdictStore = { get: async (k) => puts.get(k), put: async (k, v) => void puts.set(k, v) };
  const over = { keyrings: [await writeKeyring(path.join(dir, 'expiring.asc'), [expiring])], trust: new Map([[project, [expiring.fingerprint]]]), verdicts: store, trustLockFile: undefined };
  assert.equal((await fetch(over, project)).verdict, undefined);
  const [[key, value]] = [...puts] as [string, { validUntil?: string }][];
  assert.equal(value!.validUntil, new Date(created.getTime() + 2 * 86_400_000).toISOString().replace(/\.\d+Z$/, '.000Z'));
  assert.equal((await fetch(over, project)).verdict, 'kept');
  puts.set(key!, { ...value, validUntil: new Date(Date.now() - 1000).toISOString() });
  assert.equal((await fetch(over, project)).verdict, undefined, 'past its validity: judged for real');
});

describe('kept verdict: PEP 740 — the Sigstore root and the publisher pin are inputs', { skip: pep740Skip }, () => {
  test('another trusted root or another pinned publisher misses, and the real check refuses', async () => {
    const SDIST = 'pypi_attestations-0.0.19.tar.gz';
    const project = 'pypi-attestations';
    const attested = await startIndexServer({ mode: 'json' });
    try {
      attested.addFile(project, {
        filename: SDIST, content: await readFile(path.join(PEP740_DIR, SDIST)), provenance: await readFile(path.join(PEP740_DIR, `${SDIST}.provenance`), 'utf8'),
      });
      const pins = (pin: string) => new Map([[project, [parsePublisherPin(pin)]]]);
      const over: Partial<FetchOptions> = { indexUrl: attested.url, trust: new Map(), keyrings: [], publisherPins: pins('github:trailofbits/pypi-attestations:release.yml'), trustLockFile: undefined };
      const first = await fetch(over, project);
      assert.equal(first.verdict, undefined);
      assert.equal(first.provenance.attestation?.status, 'verified');
      assert.equal((await fetch(over, project)).verdict, 'kept');
      await assert.rejects(fetch({ ...over, trustedRootFile: path.join(PEP740_DIR, 'trusted_root.staging.json') }, project), { code: 'E_ATTESTATION_INVALID' });
      await assert.rejects(fetch({ ...over, publisherPins: pins('github:trailofbits/pypi-attestations:other.yml') }, project), { code: 'E_PUBLISHER_MISMATCH' });
      assert.equal((await fetch(over, project)).verdict, 'kept', 'the original inputs: kept again');
    } finally {
      await attested.close();
    }
  });
});
