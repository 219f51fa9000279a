import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProjectPage } from '../../../../src/stages/resolve/simple-index.ts';
import { versionFromFilename, pythonAllowed } from '../../../../src/stages/resolve/resolve.ts';

const H = 'a'.repeat(64);
const page = 'https://idx.example/simple/foo-bar/';

test('PEP 691 JSON and PEP 503 HTML pages parse to the same entries', () => {
  const json = JSON.stringify({
    meta: { 'api-version': '1.1' },
    name: 'foo-bar',
    files: [
      { filename: 'foo_bar-1.0.tar.gz', url: '../../files/foo_bar-1.0.tar.gz', hashes: { sha256: H.toUpperCase() }, 'requires-python': '>=3.8', yanked: false, 'gpg-sig': true },
      { filename: 'foo_bar-0.9.zip', url: 'https://files.example/foo_bar-0.9.zip', hashes: {}, yanked: 'bad & broken' },
    ],
  });
  const html = `<!DOCTYPE html><html><body><!-- <a href="nope">x</a> -->
    <a href="../../files/foo_bar-1.0.tar.gz#sha256=${H}" data-requires-python="&gt;=3.8" data-gpg-sig="true">foo_bar-1.0.tar.gz</a>
    <a href='https://files.example/foo_bar-0.9.zip' data-yanked="bad &amp; broken">foo_bar-0.9.zip</a>
  </body></html>`;
  const a = parseProjectPage(json, 'application/vnd.pypi.simple.v1+json', page);
  const b = parseProjectPage(html, 'text/html; charset=utf-8', page);
  assert.equal(a.format, 'json');
  assert.equal(b.format, 'html');
  assert.deepEqual(a.files, b.files);
  assert.deepEqual(a.files[0], {
    filename: 'foo_bar-1.0.tar.gz',
    url: 'https://idx.example/files/foo_bar-1.0.tar.gz',
    sha256: H,
    requiresPython: '>=3.8',
    yanked: false,
    signatureAdvertised: true,
  });
  assert.equal(a.files[1].yanked, true);
  assert.equal(a.files[1].yankedReason, 'bad & broken');
});

test('credentials never end up in parsed file URLs', () => {
  const r = parseProjectPage('<a href="../../f/x-1.tar.gz">x-1.tar.gz</a>', 'text/html', 'https://u:pw@idx.example/simple/x/');
  assert.equal(r.files[0].url, 'https://idx.example/f/x-1.tar.gz');
});

test('unsupported API major version and junk are parse errors', () => {
  assert.throws(() => parseProjectPage('{"meta":{"api-version":"2.0"},"files":[]}', 'application/vnd.pypi.simple.v1+json', page), /unsupported/);
  assert.throws(() => parseProjectPage('%PDF', 'application/pdf', page), /unexpected content type/);
});

test('versions from filenames, legacy dashed names included', () => {
  assert.deepEqual(versionFromFilename('python-dateutil-2.8.2.tar.gz', 'python-dateutil'), { version: '2.8.2', kind: 'sdist' });
  assert.deepEqual(versionFromFilename('foo_bar-1.0rc1.zip', 'Foo.Bar'), { version: '1.0rc1', kind: 'sdist' });
  assert.deepEqual(versionFromFilename('foo_bar-1.0-py3-none-any.whl', 'foo-bar'), { version: '1.0', kind: 'wheel' });
  assert.equal(versionFromFilename('foo_bar-1.0.tar.gz', 'foo'), undefined);
  assert.deepEqual(versionFromFilename('foo-1.0.tar.bz2', 'foo'), { version: '1.0', kind: 'other' });
});

test('requires-python', () => {
  assert.equal(pythonAllowed('>=3.8, <4', '3.11'), true);
  assert.equal(pythonAllowed('>=3.12', '3.11'), false);
  assert.equal(pythonAllowed('>=3.8.*', '3.11'), true, 'invalid specifiers are ignored, as pip does');
  assert.equal(pythonAllowed('>=3.12', undefined), true);
});

test('a malformed sha256 in a JSON page is an index parse error, not a bug', () => {
  const json = JSON.stringify({ meta: { 'api-version': '1.0' }, files: [{ filename: 'foo_bar-1.0.tar.gz', url: 'x', hashes: { sha256: 'zz' } }] });
  assert.throws(() => parseProjectPage(json, 'application/vnd.pypi.simple.v1+json', page), (e: { code?: string; message: string }) =>
    e.code === 'E_INDEX_PARSE' && /malformed sha256/.test(e.message));
});

test('PEP 740 provenance URLs: JSON from api-version 1.3, data-provenance in HTML, resolved against the page; others ignored or refused', () => {
  const page = 'https://idx.example/simple/x/';
  const json = (version: string, provenance: unknown) =>
    JSON.stringify({ meta: { 'api-version': version }, files: [{ filename: 'x-1.tar.gz', url: '../../f/x-1.tar.gz', hashes: {}, provenance }] });
  const type = 'application/vnd.pypi.simple.v1+json';
  assert.equal(parseProjectPage(json('1.3', 'https://idx.example/integrity/x/1/x-1.tar.gz/provenance'), type, page).files[0]!.provenanceUrl, 'https://idx.example/integrity/x/1/x-1.tar.gz/provenance');
  assert.equal(parseProjectPage(json('1.4', '/integrity/x/1/x-1.tar.gz/provenance'), type, page).files[0]!.provenanceUrl, 'https://idx.example/integrity/x/1/x-1.tar.gz/provenance');
  assert.equal(parseProjectPage(json('1.3', null), type, page).files[0]!.provenanceUrl, undefined);
  assert.equal(parseProjectPage(json('1.1', 'https://idx.example/p'), type, page).files[0]!.provenanceUrl, undefined, 'before 1.3 the key means nothing');
  assert.throws(() => parseProjectPage(json('1.3', 42), type, page), /malformed provenance/);
  assert.throws(() => parseProjectPage(json('1.3', 'file:///etc/passwd'), type, page), /not http/);
  const html = '<a href="../../f/x-1.tar.gz#sha256=' + 'a'.repeat(64) + '" data-provenance="/integrity/x/1/x-1.tar.gz/provenance">x-1.tar.gz</a>';
  assert.equal(parseProjectPage(html, 'text/html', page).files[0]!.provenanceUrl, 'https://idx.example/integrity/x/1/x-1.tar.gz/provenance');
});
