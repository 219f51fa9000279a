/**
 * The kept-verdict key (stages/verify/verdicts.ts): equal inputs give the same key, and a change of
 * any one input that decides a verdict gives another; a kept verdict is used only while it holds.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { parsePublisherPin, PUBLIC_GOOD_TRUSTED_ROOT_SHA256, usableVerdict, verdictKey } from '../../../../src/stages/verify/index.ts';
import type { VerdictInputs } from '../../../../src/stages/verify/verdicts.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-verdict-key-'));
after(() => rm(dir, { recursive: true, force: true }));
const keyring = path.join(dir, 'keys.asc');
await writeFile(keyring, 'key material v1');
const root = path.join(dir, 'root.json');
await writeFile(root, '{"root": 1}');

const FPR = 'A'.repeat(40);
const base = (): VerdictInputs => ({
  policy: 'required', project: 'pkg', displayName: 'pkg-1.0.tar.gz', sha256: 'a'.repeat(64), signature: new Uint8Array([1, 2, 3]),
  keyringFiles: [keyring], trust: new Map([['pkg', [FPR]]]), allowDsa: false,
});
const lock = { file: path.join(dir, 'lock.json'), entry: { openpgp: FPR, recordedFrom: 'pkg-0.9.tar.gz' } };

test('verdict key: stable for equal inputs, another key for any one changed input', async () => {
  const k = verdictKey(base(), lock)!;
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(verdictKey(base(), { ...lock, entry: { ...lock.entry } }), k, 'equal inputs, equal key');
  const changed: [string, string | undefined][] = [
    ['policy', verdictKey({ ...base(), policy: 'if-present' }, lock)],
    ['project', verdictKey({ ...base(), project: 'other', trust: new Map([['other', [FPR]]]) }, lock)],
    ['file name', verdictKey({ ...base(), displayName: 'pkg-1.0.zip' }, lock)],
    ['sha256', verdictKey({ ...base(), sha256: 'b'.repeat(64) }, lock)],
    ['signature bytes', verdictKey({ ...base(), signature: new Uint8Array([1, 2, 4]) }, lock)],
    ['no signature', verdictKey({ ...base(), signature: undefined }, lock)],
    ['provenance', verdictKey({ ...base(), provenance: { json: { attestation_bundles: [] }, source: 'x' } }, lock)],
    ['keyring list', verdictKey({ ...base(), keyringFiles: [keyring, keyring] }, lock)],
    ['key pin', verdictKey({ ...base(), trust: new Map([['pkg', ['B'.repeat(40)]]]) }, lock)],
    ['publisher pin', verdictKey({ ...base(), publisherPins: new Map([['pkg', [parsePublisherPin('github:o/r:release.yml')]]]) }, lock)],
    ['--allow-dsa', verdictKey({ ...base(), allowDsa: true }, lock)],
    ['no trust lock', verdictKey(base(), undefined)],
    ['another lock file', verdictKey(base(), { ...lock, file: path.join(dir, 'other.json') })],
    ['no lock entry', verdictKey(base(), { ...lock, entry: undefined })],
    ['another lock entry', verdictKey(base(), { ...lock, entry: { ...lock.entry, openpgp: 'C'.repeat(40) } })],
    ['lock entry extended', verdictKey(base(), { ...lock, entry: { ...lock.entry, publisher: 'github:o/r:release.yml' } })],
  ];
  const seen = new Set([k]);
  for (const [what, key] of changed) {
    assert.ok(key && !seen.has(key), `${what}: another key`);
    seen.add(key);
  }
  // A pin of another project does not concern this one.
  assert.equal(verdictKey({ ...base(), trust: new Map([['pkg', [FPR]], ['other', ['D'.repeat(40)]]]) }, lock), k);
});

test('verdict key: the keyring files by content, the trusted root (only with provenance) by content', async () => {
  const k = verdictKey(base(), lock);
  await writeFile(keyring, 'key material v2 (a revocation added)');
  const k2 = verdictKey(base(), lock);
  assert.notEqual(k2, k, 'keyring content');
  await writeFile(keyring, 'key material v1');
  assert.equal(verdictKey(base(), lock), k, 'the same content again: the same key');
  assert.equal(verdictKey({ ...base(), keyringFiles: [path.join(dir, 'missing.asc')] }, lock), undefined, 'an unreadable keyring: no key (the real check reports it)');

  const withProvenance: VerdictInputs = { ...base(), provenance: { json: { v: 1 }, source: 'https://index/provenance' } };
  const embedded = verdictKey(withProvenance, lock);
  assert.equal(verdictKey({ ...withProvenance, provenance: { json: { v: 1 }, source: '/cache/file.provenance' } }, lock), embedded, 'where it was read from is not an input');
  const fromFile = verdictKey({ ...withProvenance, trustedRootFile: root }, lock);
  assert.notEqual(fromFile, embedded, 'another root');
  await writeFile(root, '{"root": 2}');
  assert.notEqual(verdictKey({ ...withProvenance, trustedRootFile: root }, lock), fromFile, 'the root file edited');
  // Without provenance the root decides nothing.
  assert.equal(verdictKey({ ...base(), trustedRootFile: root }, lock), k);
  assert.match(PUBLIC_GOOD_TRUSTED_ROOT_SHA256, /^[0-9a-f]{64}$/);
});

test('usable verdict: well-formed per the caller, verifiedAt present, and before validUntil', () => {
  const isOutcome = (o: unknown): o is { ok: true } => (o as { ok?: unknown })?.ok === true;
  const now = new Date('2026-06-01T00:00:00Z');
  const v = { outcome: { ok: true }, verifiedAt: '2026-05-01T00:00:00.000Z' };
  assert.deepEqual(usableVerdict(v, isOutcome, now), v);
  assert.deepEqual(usableVerdict({ ...v, validUntil: '2026-07-01T00:00:00.000Z' }, isOutcome, now)?.outcome, { ok: true });
  assert.equal(usableVerdict({ ...v, validUntil: '2026-05-31T23:59:59.000Z' }, isOutcome, now), undefined, 'expired');
  assert.equal(usableVerdict({ ...v, validUntil: 'tomorrow' }, isOutcome, now), undefined, 'unreadable expiry');
  assert.equal(usableVerdict({ ...v, validUntil: 4102444800000 }, isOutcome, now), undefined, 'not a string');
  assert.equal(usableVerdict({ ...v, outcome: { ok: 'yes' } }, isOutcome, now), undefined, 'outcome of another shape');
  assert.equal(usableVerdict({ outcome: { ok: true } }, isOutcome, now), undefined, 'no verifiedAt');
  for (const junk of [null, 1, 'x', [], {}]) assert.equal(usableVerdict(junk, isOutcome, now), undefined);
});

test('verdict key: a keyring rewritten at once with content of the same size is seen (no stale digest)', async () => {
  const file = path.join(dir, 'same-size.asc');
  await writeFile(file, 'AAAA');
  const a = verdictKey({ ...base(), keyringFiles: [file] }, lock);
  await writeFile(file, 'BBBB');
  assert.notEqual(verdictKey({ ...base(), keyringFiles: [file] }, lock), a);
});
