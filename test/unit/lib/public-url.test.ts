/** lib/public-url.ts: what of an index URL may be shipped in a provenance record. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPlainSegment, publicUrl } from '../../../src/lib/public-url.ts';

test('userinfo, query and fragment are dropped; hand-written path words are kept', () => {
  assert.equal(publicUrl('https://alice:pw@pypi.example.org/simple/?token=abc#x'), 'https://pypi.example.org/simple/');
  assert.equal(publicUrl('https://host:8443/my-org/pypi/simple/'), 'https://host:8443/my-org/pypi/simple/');
});

test('token-shaped path segments are replaced, whatever their alphabet', () => {
  for (const token of ['AbC123xyz', '0123456789abcdef0123', '123e4567-e89b-12d3-a456-426614174000', 'qwertyuiopasdfgh', 'glpat-xYz12', 'T0K%2FEN']) {
    assert.equal(publicUrl(`https://dl.example.com/${token}/simple/`), 'https://dl.example.com/REDACTED/simple/', token);
  }
  assert.equal(publicUrl('not a url'), 'REDACTED');
});

test('the file name of the sdist itself is kept as the last segment only when asked for', () => {
  const url = 'https://files.example.org/packages/ab/0f/3c9d5e/foo_bar-1.2.3.tar.gz#sha256=00';
  assert.equal(publicUrl(url, { keepLast: 'foo_bar-1.2.3.tar.gz' }), 'https://files.example.org/packages/ab/REDACTED/REDACTED/foo_bar-1.2.3.tar.gz');
  assert.equal(publicUrl(url), 'https://files.example.org/packages/ab/REDACTED/REDACTED/REDACTED');
  assert.ok(isPlainSegment('simple') && isPlainSegment('repository.python') && !isPlainSegment('v1') && !isPlainSegment('abcdefghijklm'));
});
