import assert from 'node:assert/strict';
import test from 'node:test';
import { mergeTrust, parseConfigText } from '../../../src/api/config.js';
import { Py2DistroError } from '../../../src/lib/errors.js';
import { normalizeName } from '../../../src/python/requirement.js';

test('every problem in a config file is reported at once, in file order, with line and field', () => {
  const text = 'jobs: 0\nsignature-policy: maybe\nbogus: 1\ntrust:\n  foo: not-a-fingerprint\n';
  assert.throws(() => parseConfigText(text, 'p.yaml'), (e: unknown) => {
    assert.ok(e instanceof Py2DistroError);
    assert.equal(e.code, 'E_CONFIG');
    assert.equal(e.exitCode, 2);
    const problems = e.details.problems as string[];
    assert.match(problems[0]!, /^p\.yaml:1: jobs must be >= 1/);
    assert.match(problems[1]!, /^p\.yaml:2: signature-policy must be one of required, if-present, off/);
    assert.match(problems[2]!, /^p\.yaml:3: bogus is not a known setting/);
    assert.ok(problems.slice(3).some((p) => /^p\.yaml:5: trust\.foo /.test(p)), problems.join('\n'));
    return true;
  });
});

test('YAML syntax errors name the line and column', () => {
  assert.throws(() => parseConfigText('packages: [a, b\n', 'p.yaml'), /p\.yaml:\d+:\d+: /);
});

test('a valid file parses; trust pins from file and flags merge per normalised name', () => {
  const fpr = '0123456789ABCDEF0123456789ABCDEF01234567';
  const cfg = parseConfigText(`targets: [debian-bookworm]\ntrust:\n  Foo_Bar: ${fpr.toLowerCase()}\n`);
  assert.deepEqual(cfg.targets, ['debian-bookworm']);
  const pins = mergeTrust(cfg.trust, [`foo-bar=${fpr}`, `baz=${'A'.repeat(40)}`], normalizeName);
  assert.deepEqual(pins.get('foo-bar'), [fpr]);
  assert.deepEqual(pins.get('baz'), ['A'.repeat(40)]);
  assert.throws(() => mergeTrust(undefined, ['foo=1234'], normalizeName), /40 \(v4\) or 64 \(v6\) hex digits/);
});

test('trust-publishers: config and --trust-publisher flags merge per normalised name; a malformed pin is exit 2', async () => {
  const { mergeTrustPublishers } = await import('../../../src/api/config.ts');
  const { normalizeName } = await import('../../../src/python/requirement.ts');
  const data = parseConfigText('trust-publishers:\n  Pypi_Attestations: github:trailofbits/pypi-attestations:release.yml\n  gl: [gitlab:ns/proj]\ntrust-lock: trust.lock\n');
  const pins = mergeTrustPublishers(data['trust-publishers'], ['pypi-attestations=github:trailofbits/pypi-attestations', 'g=google:1-compute@developer.gserviceaccount.com'], normalizeName);
  assert.deepEqual([...pins.keys()].sort(), ['g', 'gl', 'pypi-attestations']);
  assert.equal(pins.get('pypi-attestations')!.length, 2);
  assert.throws(() => mergeTrustPublishers({}, ['x=github:only-owner'], normalizeName), (e: { code?: string; exitCode?: number }) => e.code === 'E_PUBLISHER_PIN' && e.exitCode === 2);
  assert.throws(() => mergeTrustPublishers({}, ['no-equals'], normalizeName), /expected NAME=github/);
  assert.throws(() => parseConfigText('trust-publishers:\n  x: pypi:foo\n'), /trust-publishers/);
});
