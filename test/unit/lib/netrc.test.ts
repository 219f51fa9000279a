import assert from 'node:assert/strict';
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
