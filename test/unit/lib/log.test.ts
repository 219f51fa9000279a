import assert from 'node:assert/strict';
import test from 'node:test';
import { addSecret, createLogger, mask } from '../../../src/lib/log.js';

test('URL passwords are masked wherever they appear', () => {
  assert.equal(mask('GET https://alice:s3cr3t@index.example/simple/'), 'GET https://alice:***@index.example/simple/');
});

test('registered secrets are masked raw, URL-encoded and JSON-escaped', () => {
  const secret = 'pa"ss\\w0rd/+';
  addSecret(secret);
  assert.equal(mask(`passphrase ${secret}`), 'passphrase ***');
  assert.equal(mask(`url ${encodeURIComponent(secret)}`), 'url ***');
  const json = JSON.stringify({ passphrase: secret });
  assert.equal(mask(json), '{"passphrase":"***"}');
});

test('every logged line goes through the mask', () => {
  addSecret('hunter2-token');
  const lines: string[] = [];
  const log = createLogger({ write: (l) => lines.push(l), level: 'debug' });
  log.debug('token is %s', 'hunter2-token');
  log.child('pkg').warn('again hunter2-token');
  assert.deepEqual(lines, ['token is ***', '[pkg] warning: again ***']);
});
