/** The sealed store: what it kept reads back; anything it did not seal with this secret reads as absent. */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createSealedStore, loadOrCreateSecret } from '../../../../src/lib/fs/sealed-store.ts';

const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-sealed-'));
after(() => rm(dir, { recursive: true, force: true }));

async function entries(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

test('sealed store: round trip; the secret is created once, mode 0600', async () => {
  const secretFile = path.join(dir, 'state', 'seal.key');
  const secret = await loadOrCreateSecret(secretFile);
  assert.deepEqual(await loadOrCreateSecret(secretFile), secret);
  assert.equal((await stat(secretFile)).mode & 0o777, 0o600);
  const store = createSealedStore(path.join(dir, 'a'), secret);
  await store.put('render', 'k1', { digest: 'x', n: 1 });
  assert.deepEqual(await store.get('render', 'k1'), { digest: 'x', n: 1 });
  assert.equal(await store.get('render', 'k2'), undefined);
  assert.equal(await store.get('inspected', 'k1'), undefined, 'kinds are separate');
});

test('sealed store: a changed value, a moved entry, a foreign secret or garbage reads as absent', async () => {
  const secret = await loadOrCreateSecret(path.join(dir, 'state2', 'seal.key'));
  const root = path.join(dir, 'b');
  const store = createSealedStore(root, secret);
  await store.put('render', 'k1', { digest: 'good' });
  await store.put('render', 'k2', { digest: 'other' });
  const [f1, f2] = await entries(root);
  const e1 = JSON.parse(await readFile(f1!, 'utf8'));
  // Changed value, seal kept.
  await writeFile(f1!, JSON.stringify({ ...e1, value: e1.value.replace(/good|other/, 'evil') }));
  // Another entry's (validly sealed) content copied over: filed under the wrong key.
  await writeFile(f2!, JSON.stringify(e1));
  assert.equal(await store.get('render', 'k1'), undefined);
  assert.equal(await store.get('render', 'k2'), undefined);
  // Sealed with another secret.
  const other = createSealedStore(root, Buffer.alloc(32, 7));
  await other.put('render', 'k3', { digest: 'forged' });
  assert.equal(await store.get('render', 'k3'), undefined);
  // Not JSON.
  await store.put('render', 'k4', { digest: 'fine' });
  for (const f of await entries(root)) if ((await readFile(f, 'utf8')).includes('fine')) await writeFile(f, '{not json');
  assert.equal(await store.get('render', 'k4'), undefined);
});
