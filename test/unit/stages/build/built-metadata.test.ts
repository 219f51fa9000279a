/** What the built package declares fills what a setup.py-only sdist left unknown. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filledFields, parseBuiltMetadata } from '../../../../src/stages/build/built-metadata.ts';

const METADATA = [
  'Metadata-Version: 2.1', 'Name: legacy', 'Version: 1.0', 'Summary: Old style', 'License: BSD',
  'Requires-Python: >=3.7', 'Provides-Extra: fast', 'Requires-Dist: requests (>=2)', 'Requires-Dist: ujson; extra == "fast"', '', 'Body text.',
].join('\n');

test('dist-info METADATA: requirements, extras and python bound', () => {
  const m = parseBuiltMetadata(METADATA);
  assert.equal(m.source, 'dist-info');
  assert.deepEqual(m.requiresDist, ['requests (>=2)', 'ujson; extra == "fast"']);
  assert.deepEqual(m.providesExtra, ['fast']);
  assert.equal(m.requiresPython, '>=3.7');
});

test('egg-info: PKG-INFO has no Requires-Dist, requires.txt has them with extras as markers', () => {
  const m = parseBuiltMetadata('Metadata-Version: 1.1\nName: legacy\nVersion: 1.0\n', 'six>=1.10\n\n[fast]\nujson\n');
  assert.equal(m.source, 'egg-info');
  assert.deepEqual(m.requiresDist, ['six>=1.10', 'ujson; extra == "fast"']);
});

test('only fields the sdist did not state (or left dynamic) are filled', () => {
  const built = parseBuiltMetadata(METADATA);
  assert.deepEqual(filledFields({ unknown: ['requires-dist'], dynamic: ['Requires-Python'] }, built), {
    'requires-dist': ['requests (>=2)', 'ujson; extra == "fast"'],
    'requires-python': '>=3.7',
  });
  assert.deepEqual(filledFields({ unknown: [], dynamic: [] }, built), {});
});
