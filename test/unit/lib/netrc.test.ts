import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { parseNetrc } from '../../../src/lib/netrc.ts';

test('netrc: machines, default, quoted values, comments and macdef blocks', () => {
  const entries = parseNetrc(
    [
      '# comment',
      'machine Index.Example login alice password "p w#1"',
      'macdef init',
      'machine evil login mallory password stolen',
      '',
      'machine files.example',
      '  login bob',
      '  password b0b',
      'default login anon password guest',
    ].join('\n'),
  );
  assert.deepEqual(entries.get('index.example'), { login: 'alice', password: 'p w#1' });
  assert.deepEqual(entries.get('files.example'), { login: 'bob', password: 'b0b' });
  assert.deepEqual(entries.get(''), { login: 'anon', password: 'guest' });
  assert.equal(entries.has('evil'), false, 'macro bodies are not credentials');
});

test('netrc: the default entry is only for the index host (allowDefault)', async () => {
  const { netrcCredentials } = await import('../../../src/lib/netrc.ts');
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'netrc-'));
  const file = path.join(dir, 'netrc');
  writeFileSync(file, 'machine idx.example login alice password a1\ndefault login anon password catch-all\n');
  const old = process.env.NETRC;
  process.env.NETRC = file;
  try {
    assert.equal(netrcCredentials('idx.example')?.login, 'alice');
    assert.equal(netrcCredentials('files.example'), undefined, 'no default for another host');
    assert.equal(netrcCredentials('files.example', { allowDefault: true })?.password, 'catch-all');
  } finally {
    if (old === undefined) delete process.env.NETRC;
    else process.env.NETRC = old;
  }
});
