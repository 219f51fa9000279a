import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { normalizeName, parseUserRequirement } from '../../../src/python/requirement.ts';
import { Py2DistroError } from '../../../src/lib/errors.ts';

test('PEP 503 normalisation', () => {
  assert.equal(normalizeName('Hello_World.py--Thing'), 'hello-world-py-thing');
});

test('names, pins, specifier sets, extras and markers', () => {
  assert.deepEqual(parseUserRequirement('rpc4django>=0.1, <1'), { kind: 'index', name: 'rpc4django', normalizedName: 'rpc4django', extras: [], specifier: '>=0.1,<1' });
  const pinned = parseUserRequirement('Foo_Bar[Security, socks]==2.0rc1 ; python_version >= "3.8"');
  assert.equal(pinned.kind, 'index');
  if (pinned.kind !== 'index') return;
  assert.equal(pinned.normalizedName, 'foo-bar');
  assert.deepEqual(pinned.extras, ['Security', 'socks']);
  assert.equal(pinned.pinnedVersion, '2.0rc1');
  assert.equal(pinned.marker, 'python_version >= "3.8"');
  const paren = parseUserRequirement('name (>=1.0)');
  assert.equal(paren.kind === 'index' && paren.specifier, '>=1.0');
  const wildcard = parseUserRequirement('name==1.*');
  assert.equal(wildcard.kind === 'index' && wildcard.pinnedVersion, undefined);
});

test('invalid requirements are usage errors', () => {
  for (const bad of ['', '-rf', 'name>=>1', 'name @ https://x/y.tar.gz', 'na me', 'name[bad extra]']) {
    assert.throws(() => parseUserRequirement(bad), (e: unknown) => e instanceof Py2DistroError && e.exitCode === 2, bad);
  }
});

test('local sdist paths', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'req-'));
  await writeFile(path.join(dir, 'x-1.0.tar.gz'), 'x');
  assert.deepEqual(parseUserRequirement('x-1.0.tar.gz', dir), { kind: 'local', path: path.join(dir, 'x-1.0.tar.gz'), filename: 'x-1.0.tar.gz' });
  assert.throws(() => parseUserRequirement('./missing-1.0.zip', dir), /no such file/);
});
