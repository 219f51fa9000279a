import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateMarker, markerEnvironment, parseMarker } from '../../../src/python/markers.js';
import { getTarget } from '../../../src/distro/targets.js';
import { parseDependency } from '../../../src/python/pep508.js';

const bookworm = markerEnvironment(getTarget('debian-bookworm'));
const el9 = markerEnvironment(getTarget('el9'));

test('python_version markers are evaluated for the target, not the host', () => {
  assert.equal(evaluateMarker('python_version < "3.11"', bookworm), false);
  assert.equal(evaluateMarker('python_version < "3.11"', el9), true);
  assert.equal(evaluateMarker('python_full_version >= "3.11.1"', bookworm), true);
  assert.equal(evaluateMarker('python_version >= "3.8" and python_version != "3.9"', el9), false);
  assert.equal(evaluateMarker('python_version ~= "3.10"', bookworm), true);
});

test('platform markers: every target is CPython on Linux', () => {
  assert.equal(evaluateMarker('sys_platform == "win32"', bookworm), false);
  assert.equal(evaluateMarker('os_name == "nt" or (sys_platform == "linux" and platform_python_implementation == "CPython")', bookworm), true);
  assert.equal(evaluateMarker('"linux" in sys_platform', bookworm), true);
  assert.equal(evaluateMarker('platform_machine not in "arm64 aarch64"', bookworm), true);
  assert.equal(evaluateMarker("implementation_name == 'pypy'", bookworm), false);
});

test('extras are dropped unless asked for, and compare as normalised names', () => {
  assert.equal(evaluateMarker('extra == "test"', bookworm), false);
  assert.equal(evaluateMarker('extra == "Socks_Proxy"', bookworm, ['socks-proxy']), true);
  assert.equal(evaluateMarker('python_version < "3" and extra == "x"', bookworm, ['x']), false);
});

test('invalid markers are refused with E_METADATA', () => {
  assert.throws(() => parseMarker('python_version <'), /E_METADATA|invalid environment marker/);
  assert.throws(() => parseMarker('__import__("os") == "x"'), /invalid environment marker/);
  assert.throws(() => parseMarker('(python_version < "3"'), /missing "\)"/);
});

test('PEP 508 requirement strings', () => {
  const r = parseDependency('Requests[socks,security] (>=2.0,<3) ; python_version < "3.12"');
  assert.deepEqual([r.name, r.normalizedName, r.extras, r.specifier, r.marker], ['Requests', 'requests', ['socks', 'security'], '>=2.0,<3', 'python_version < "3.12"']);
  assert.equal(parseDependency('pkg @ https://example.org/pkg.whl').url, 'https://example.org/pkg.whl');
  assert.throws(() => parseDependency('bad name>=1'), /invalid requirement/);
  assert.throws(() => parseDependency('x>=not-a-version!'), /PEP 440/);
});
