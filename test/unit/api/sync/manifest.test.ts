import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadManifest, parseRequirementLine } from '../../../../src/api/sync/manifest.js';
import { parseConfigText } from '../../../../src/api/config.js';

test('requirement lines: name, extras, specifier, marker', () => {
  const e = parseRequirementLine('Foo.Bar[Socks, security] (>=1.0, <2) ; python_version < "3.12"', 'x:1');
  assert.equal(e.name, 'foo-bar');
  assert.deepEqual(e.extras, ['socks', 'security']);
  assert.equal(e.specifier, '>=1.0,<2');
  assert.equal(e.marker, 'python_version < "3.12"');
  assert.equal(e.requirement, 'foo-bar[socks,security]>=1.0,<2');
  assert.throws(() => parseRequirementLine('./dist/x-1.0.tar.gz', 'x:2'), /x:2: .*no such file/);
  assert.throws(() => parseRequirementLine('foo=1', 'req.txt:3'), /req\.txt:3: .*not a valid PEP 440 version specifier/);
  assert.throws(() => parseRequirementLine('foo @ https://x/y.tar.gz', 'req.txt:4'), /req\.txt:4: /);
});

test('requirements files: comments, continuations, nested -r, -c constraints, hashes', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'manifest-'));
  const sha = 'a'.repeat(64);
  await writeFile(path.join(dir, 'requirements.txt'), [
    '# top comment',
    'requests>=2 # trailing comment',
    'six \\',
    '  ==1.16.0 --hash=sha256:' + sha,
    '-r more.txt',
    '-c constraints.txt',
    '',
  ].join('\n'));
  await writeFile(path.join(dir, 'more.txt'), 'attrs\n-r requirements.txt\n');
  await writeFile(path.join(dir, 'constraints.txt'), 'urllib3<2\n');
  const m = await loadManifest({ packages: ['rpc4django>=0.1,<1'], configFile: '/x/py2distro.yaml', requirementFiles: [path.join(dir, 'requirements.txt')] });
  assert.deepEqual(m.entries.map((e) => [e.name, e.specifier, e.source]), [
    ['rpc4django', '>=0.1,<1', 'py2distro.yaml: packages[0]'],
    ['requests', '>=2', 'requirements.txt:2'],
    ['six', '==1.16.0', 'requirements.txt:3'],
    ['attrs', '', 'more.txt:1'],
  ]);
  assert.deepEqual(m.entries[2].hashes, [sha]);
  assert.deepEqual(m.constraints.get('urllib3'), [{ specifier: '<2', source: 'constraints.txt:1' }]);
});

test('requirements files: pip options and editables are refused with the line', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'manifest-'));
  await writeFile(path.join(dir, 'r.txt'), 'six\n--index-url http://evil/simple\n');
  await assert.rejects(loadManifest({ requirementFiles: [path.join(dir, 'r.txt')] }), /r\.txt:2: pip option --index-url/);
  await writeFile(path.join(dir, 'e.txt'), '-e .\n');
  await assert.rejects(loadManifest({ requirementFiles: [path.join(dir, 'e.txt')] }), /e\.txt:1: editable/);
  await assert.rejects(loadManifest({}), /nothing to sync/);
});

test('the config schema validates sync keys with the line', () => {
  const cfg = parseConfigText('packages:\n  - six\nretention: 3\nconflict-policy: build\nstate-dir: /tmp/s\n');
  assert.deepEqual(cfg.packages, ['six']);
  assert.throws(() => parseConfigText('packages:\n  - six\nconflict-policy: maybe\n'), /:3: conflict-policy must be one of build, fail/);
  assert.throws(() => parseConfigText('retention: 0\n'), /:1: retention/);
});
