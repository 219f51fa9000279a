import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { blockedNodes, dependentsOf, planBuildOrder } from '../../../../src/api/sync/plan.js';
import { buildKey, canonicalJson, digestFiles, digestTree } from '../../../../src/api/sync/buildkey.js';
import { acquireSyncLock, loadState, revisionFor, saveState, emptyState } from '../../../../src/api/sync/state.js';
import type { ClosureNode } from '../../../../src/api/sync/closure.js';

test('plan: dependencies come in earlier waves; independent packages share a wave', () => {
  const plan = planBuildOrder([
    { name: 'top', deps: ['mid', 'leaf2'] }, { name: 'mid', deps: ['leaf1'] }, { name: 'leaf1', deps: [] }, { name: 'leaf2', deps: ['outside'] },
  ]);
  assert.deepEqual(plan.waves, [['leaf1', 'leaf2'], ['mid'], ['top']]);
  assert.deepEqual(plan.brokenEdges, []);
});

test('plan: a cycle is broken at one, named edge, deterministically', () => {
  const nodes = [{ name: 'a', deps: ['b'] }, { name: 'b', deps: ['c'] }, { name: 'c', deps: ['a'] }, { name: 'd', deps: ['a'] }];
  const plan = planBuildOrder(nodes);
  assert.deepEqual(plan.brokenEdges, [['c', 'a']]);
  assert.deepEqual(plan.waves, [['c'], ['b'], ['a'], ['d']]);
  assert.deepEqual(planBuildOrder([...nodes].reverse()), plan);
});

test('dependents and blocked propagation are transitive', () => {
  const nodes = [{ name: 'a', deps: [] }, { name: 'b', deps: ['a'] }, { name: 'c', deps: ['b'] }, { name: 'x', deps: [] }];
  assert.deepEqual([...dependentsOf(nodes, new Set(['a']))].sort(), ['b', 'c']);
  const closureNodes = nodes.map((n) => ({ ...n, blocked: n.name === 'a' ? { code: 'E_DEPENDENCY', message: 'a is missing' } : undefined })) as unknown as ClosureNode[];
  const blocked = blockedNodes(closureNodes);
  assert.deepEqual([...blocked.keys()].sort(), ['a', 'b', 'c']);
  assert.match(blocked.get('c')!, /needs b, which cannot be built: needs a/);
});

test('build keys: canonical, sensitive to every input', () => {
  assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: null }] }), '{"a":[{"d":2,"e":null}],"b":1}');
  const base = { sdistSha256: 's', packagingDigest: 'p', imageId: 'i', toolVersion: '0.1.0', target: 't', options: { a: 1, b: 2 }, dependencyVersions: { x: '1-1' } };
  const k = buildKey(base);
  assert.equal(buildKey({ ...base, options: { b: 2, a: 1 } }), k);
  for (const change of [{ sdistSha256: 's2' }, { packagingDigest: 'p2' }, { imageId: 'i2' }, { toolVersion: '0.2.0' }, { dependencyVersions: { x: '2-1' } }, { options: { a: 2, b: 2 } }]) {
    assert.notEqual(buildKey({ ...base, ...change }), k, JSON.stringify(change));
  }
});

test('tree digests follow content and names, not timestamps', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'digest-'));
  await mkdir(path.join(dir, 'debian'));
  await writeFile(path.join(dir, 'debian/control'), 'Source: x\n');
  await writeFile(path.join(dir, 'debian/rules'), 'dh $@\n');
  const d1 = await digestTree(dir);
  await writeFile(path.join(dir, 'debian/rules'), 'dh $@\n'); // rewritten, same bytes
  assert.equal(await digestTree(dir), d1);
  await writeFile(path.join(dir, 'debian/rules'), 'dh $@ --with python3\n');
  assert.notEqual(await digestTree(dir), d1);
  assert.equal(await digestTree(dir, (r) => r === 'debian/rules'), await digestTree(dir, (r) => r === 'debian/rules'));
  assert.notEqual(digestFiles({ a: 'x', b: 'y' }), digestFiles({ a: 'xb', '': 'y' }));
});

test('state: atomic round trip, revisions, corrupt file refused, one sync per dir', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'state-'));
  const file = path.join(dir, 'sync-state.json');
  assert.deepEqual(await loadState(file), emptyState());
  const s = emptyState();
  s.targets.t = { six: { name: 'six', version: '1.0', revision: 1, key: 'k', sdistSha256: 'h', files: ['a.deb'], builtAt: 'now' } };
  await saveState(file, s);
  assert.deepEqual(await loadState(file), s);
  const prev = s.targets.t.six;
  assert.equal(revisionFor(undefined, '1.0', 'k'), 1);
  assert.equal(revisionFor(prev, '1.0', 'k'), 1);
  assert.equal(revisionFor(prev, '1.0', 'k2'), 2);
  assert.equal(revisionFor({ ...prev, revision: 2 }, '1.1', 'k3'), 1);
  await writeFile(file, '{"schema": 1, "targ');
  await assert.rejects(loadState(file), /E_REPO_CORRUPT|unreadable/);
  const release = await acquireSyncLock(dir);
  await assert.rejects(acquireSyncLock(dir), /is being synced by pid \d+/); // held by this run
  const owner = (pid: number) => JSON.stringify({ pid, host: os.hostname(), since: new Date().toISOString(), token: 'x' });
  await writeFile(path.join(dir, 'sync.lock'), owner(1)); // pid 1 is alive: another sync
  await assert.rejects(acquireSyncLock(dir), /is being synced by pid 1 /);
  await writeFile(path.join(dir, 'sync.lock'), owner(999999999)); // gone: stale, taken over
  const again = await acquireSyncLock(dir);
  assert.equal(JSON.parse(await readFile(path.join(dir, 'sync.lock'), 'utf8')).pid, process.pid);
  await again();
  await release();
});
