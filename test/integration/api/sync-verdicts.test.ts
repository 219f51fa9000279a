/**
 * Kept trust verdicts in a real sync (src/stages/verify/verdicts.ts through sync's caches): a no-op
 * sync neither re-hashes nor re-verifies an unchanged cached sdist, but any change of what decided
 * the verdict — the trust lock's entry, the keyring's content, a pin — is judged for real and
 * refused as without caches; a package that is built has its sdist hashed and verified for real
 * (a cached sdist corrupted since is caught and fetched again); a changed release is picked up.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openpgp } from '../../../src/lib/openpgp.ts';
import { sha256File } from '../../../src/lib/fs/cache.ts';
import { runCli } from '../../helpers/cli.ts';
import { createSyncSet, type SyncSet } from '../../helpers/sync-harness.ts';

let set: SyncSet;
const names = ['vleaf', 'vtop'];

const cli = async () => {
  const r = await runCli(['--config', set.configFile, '--cache-dir', set.cacheDir, 'sync', '--json'], { cwd: set.dir });
  const out = JSON.parse(r.stdout);
  // A failed run prints the error, which carries the report.
  return { r, report: out.errors?.[0]?.report ?? out };
};
const cachedSdist = (name: string) => set.latest(name).cached;
const fileUrl = (name: string) => `/files/${name}/${encodeURIComponent(set.latest(name).filename)}`;
const downloads = () => set.index.answers.filter((a) => a.path.startsWith('/files/') && a.path.endsWith('.tar.gz')).map((a) => a.path);

before(async () => {
  set = await createSyncSet('p2d-sync-verdicts-', names);
  await set.publish('vleaf', '1.0', []);
  await set.publish('vtop', '1.0', ['vleaf']);
  assert.deepEqual((await set.syncInProcess()).built, ['vleaf=1.0', 'vtop=1.0']);
  // The CLI (dist/) keeps its own verdicts (its code digest differs from src/ under tsx): one real run first.
  const first = await cli();
  assert.equal(first.r.exitCode, 0, first.r.stderr);
});

after(async () => {
  await set?.close();
});

test('sync verdicts: a second no-op sync reads no byte of the cached sdists, starts no container, builds nothing', async () => {
  // Corrupt the cached sdists in place: a no-op that re-hashed them would fetch them again.
  for (const n of names) await writeFile(cachedSdist(n), 'not the signed bytes');
  set.index.answers.length = 0;
  const { r, report } = await cli();
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  assert.equal(report.containersStarted, 0);
  assert.equal(report.summary.built, 0);
  assert.equal(report.summary.skipped, 2);
  assert.deepEqual(downloads(), [], 'no sdist was downloaded: the kept verdicts were used');
  assert.ok(report.targets[0].packages.every((p: { signature: { status: string; signer: string } }) => p.signature.status === 'verified' && p.signature.signer === set.upstream.fingerprint));
});

test('sync verdicts: a package that is built has its sdist hashed and verified for real (the corrupted cache entry is fetched again)', async () => {
  set.index.answers.length = 0;
  // Another maintainer changes every build key: both packages are rebuilt.
  const { built } = await set.syncInProcess({ maintainer: 'Rebuild Test <rebuild@test.invalid>' });
  assert.deepEqual(built, ['vleaf=1.0', 'vtop=1.0']);
  assert.deepEqual(downloads().sort(), names.map(fileUrl).sort());
  for (const n of names) assert.equal(await sha256File(cachedSdist(n)), set.latest(n).sha256);
  // Back to the CLI's options (the state's build keys are the CLI's again) for the tests below.
  assert.deepEqual((await set.syncInProcess()).built, ['vleaf=1.0', 'vtop=1.0']);
});

test('sync verdicts: a changed trust-lock entry is refused, not skipped (the verdict was bound to the entry)', async () => {
  const lockFile = path.join(set.stateDir, 'trust-lock.json');
  const original = await readFile(lockFile, 'utf8');
  const lock = JSON.parse(original);
  assert.equal(lock.projects.vleaf.openpgp, set.upstream.fingerprint);
  lock.projects.vleaf.openpgp = 'A'.repeat(40);
  await writeFile(lockFile, JSON.stringify(lock));
  try {
    const { r, report } = await cli();
    assert.equal(r.exitCode, 1, r.stderr);
    const vleaf = report.targets[0].packages.find((p: { name: string }) => p.name === 'vleaf');
    assert.equal(vleaf.status, 'failed');
    assert.equal(vleaf.code, 'E_TRUST_LOCK_CHANGED');
  } finally {
    await writeFile(lockFile, original);
  }
  assert.equal((await cli()).r.exitCode, 0, 'the original lock: a no-op again');
});

test('sync verdicts: a keyring that now holds the key revoked is judged for real: every package refused', async () => {
  const original = await readFile(set.keyring, 'utf8');
  const { publicKey } = await openpgp.revokeKey({
    key: set.upstream.privateKey, reasonForRevocation: { flag: openpgp.enums.reasonForRevocation.keyCompromised }, format: 'armored',
  });
  await writeFile(set.keyring, publicKey);
  try {
    const { r, report } = await cli();
    assert.equal(r.exitCode, 1, r.stderr);
    // Each sdist is signed by the revoked key: each is refused on its own.
    assert.deepEqual(report.targets[0].packages.map((p: { name: string; code?: string }) => `${p.name}:${p.code}`).sort(), ['vleaf:E_SIGNATURE_KEY_REVOKED', 'vtop:E_SIGNATURE_KEY_REVOKED']);
  } finally {
    await writeFile(set.keyring, original);
  }
});

test('sync verdicts: a pin to another key is judged for real (E_SIGNATURE_WRONG_KEY)', async () => {
  const original = await readFile(set.configFile, 'utf8');
  await writeFile(set.configFile, original.replace(`  vtop: ${set.upstream.fingerprint}`, `  vtop: ${'B'.repeat(40)}`));
  try {
    const { r, report } = await cli();
    assert.equal(r.exitCode, 1, r.stderr);
    assert.equal(report.targets[0].packages.find((p: { name: string }) => p.name === 'vtop').code, 'E_SIGNATURE_WRONG_KEY');
  } finally {
    await writeFile(set.configFile, original);
  }
});

test('sync verdicts: new bytes under the same file name (the index lists another sha256) are fetched, verified and built', async () => {
  await set.publish('vleaf', '1.0', [], { 'NOTES.txt': 'rebuilt upstream' });
  set.index.answers.length = 0;
  const { built, report } = await set.syncInProcess();
  assert.deepEqual(built, ['vleaf=1.0', 'vtop=1.0']);
  assert.deepEqual(downloads(), [fileUrl('vleaf')]);
  assert.equal(report.targets[0]!.packages.find((p) => p.name === 'vleaf')!.reason, 'sdist changed');
  assert.deepEqual((await set.syncInProcess()).built, [], 'and the next sync is a no-op again');
});
