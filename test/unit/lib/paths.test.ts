/** lib/paths.ts: absolutePath is path.resolve, with a shortcut only for paths resolve would return unchanged. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { absolutePath } from '../../../src/lib/paths.ts';

test('absolutePath equals path.resolve for absolute, relative and unnormalised paths', () => {
  const cases = [
    '/a/b.deb', '/a/b/', '/a//b.deb', '/a/./b.deb', '/a/../b.deb', '/a/..', '/a/.', '/', '//', '/.hidden/x.deb',
    '/a/..b/c.deb', '/a/b../c', '/a/.../c', 'rel.deb', './rel.deb', '../up/x.deb', 'a/./b', '', '.', '/a/b/.',
    '/a/b/..', '/x/ y.deb', '/ü/ñ.deb',
  ];
  for (const p of cases) assert.equal(absolutePath(p), path.resolve(p), JSON.stringify(p));
  assert.equal(absolutePath('/srv/out/python3-x_1.0-1_all.deb'), '/srv/out/python3-x_1.0-1_all.deb');
});
