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

test('sealed store packs: flush writes the entries a run used as one sealed file; the next store reads it whole', async () => {
  const secret = Buffer.alloc(32, 3);
  const root = path.join(dir, 'packed');
  const run1 = createSealedStore(root, secret, { pack: 'sync' });
  await run1.put('render', 'k1', { digest: 'one' });
  await run1.put('render', 'k2', { digest: 'two' });
  await run1.flush();
  const packFile = (await entries(path.join(root, 'packs')))[0]!;
  // The next run uses k1 only: read from the pack even with the entry's own file gone.
  for (const f of await entries(path.join(root, 'render'))) await rm(f);
  const run2 = createSealedStore(root, secret, { pack: 'sync' });
  assert.deepEqual(await run2.get('render', 'k1'), { digest: 'one' });
  const before = (await stat(packFile)).mtimeMs;
  await run2.flush();
  assert.ok((await readFile(packFile, 'utf8')).includes('k1'));
  assert.ok(!(await readFile(packFile, 'utf8')).includes('k2'), 'an entry no run asked for leaves the pack');
  // A run that uses exactly what the pack holds does not rewrite it.
  const run3 = createSealedStore(root, secret, { pack: 'sync' });
  assert.deepEqual(await run3.get('render', 'k1'), { digest: 'one' });
  const mtime = (await stat(packFile)).mtimeMs;
  await run3.flush();
  assert.equal((await stat(packFile)).mtimeMs, mtime);
  assert.ok(mtime >= before);
});

test('sealed store packs: an edited pack, one of another secret or garbage is ignored (the entries\' own files are read)', async () => {
  const secret = Buffer.alloc(32, 4);
  const root = path.join(dir, 'packed-tamper');
  const run1 = createSealedStore(root, secret, { pack: 'sync' });
  await run1.put('render', 'k1', { digest: 'good' });
  await run1.flush();
  const packFile = (await entries(path.join(root, 'packs')))[0]!;
  const pack = JSON.parse(await readFile(packFile, 'utf8'));
  await writeFile(packFile, JSON.stringify({ ...pack, body: pack.body.replace('good', 'evil') }));
  assert.deepEqual(await createSealedStore(root, secret, { pack: 'sync' }).get('render', 'k1'), { digest: 'good' }, 'from the entry file');
  // Without the entry file, an edited pack gives nothing at all.
  for (const f of await entries(path.join(root, 'render'))) await rm(f);
  assert.equal(await createSealedStore(root, secret, { pack: 'sync' }).get('render', 'k1'), undefined);
  // A pack sealed with another secret under our pack's name: ignored.
  const foreign = createSealedStore(path.join(dir, 'foreign'), Buffer.alloc(32, 5), { pack: 'sync' });
  await foreign.put('render', 'k1', { digest: 'forged' });
  await foreign.flush();
  const foreignPack = JSON.parse(await readFile((await entries(path.join(dir, 'foreign', 'packs')))[0]!, 'utf8'));
  await writeFile(packFile, JSON.stringify(foreignPack));
  assert.equal(await createSealedStore(root, secret, { pack: 'sync' }).get('render', 'k1'), undefined);
  await writeFile(packFile, '{"schema": "py2distro-sealed-pack/1", "body": "[[');
  assert.equal(await createSealedStore(root, secret, { pack: 'sync' }).get('render', 'k1'), undefined);
});

test('sealed store memo: an entry is read once per store; a put is seen by the next get', async () => {
  const secret = Buffer.alloc(32, 6);
  const root = path.join(dir, 'memo');
  await createSealedStore(root, secret).put('render', 'k1', { digest: 'first' });
  const store = createSealedStore(root, secret, { memo: true });
  assert.deepEqual(await store.get('render', 'k1'), { digest: 'first' });
  for (const f of await entries(root)) await rm(f);
  assert.deepEqual(await store.get('render', 'k1'), { digest: 'first' }, 'answered from memory');
  const copy = (await store.get<{ digest: string }>('render', 'k1'))!;
  copy.digest = 'mutated';
  assert.deepEqual(await store.get('render', 'k1'), { digest: 'first' }, 'each get is its own copy');
  await store.put('render', 'k1', { digest: 'second' });
  assert.deepEqual(await store.get('render', 'k1'), { digest: 'second' });
});
