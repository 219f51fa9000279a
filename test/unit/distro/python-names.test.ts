import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDependency } from '../../../src/python/pep508.js';
import { debianBinaryName, debianSourceName, loadPy3distTable, mapDebRequirements, requiresPythonProblem } from '../../../src/distro/deb/python-names.js';
import { mapRpmRequirements, rpmBinaryName, rpmSourceName } from '../../../src/distro/rpm/python-names.js';
import { getTarget } from '../../../src/distro/targets.js';

const reqs = (...r: string[]) => r.map(parseDependency);

test('Debian names follow dh-python: python3-<import name>, source python-<project>', () => {
  // The requested project names the package, not the module the sdist ships (import name `apt` → not python3-apt).
  assert.equal(debianBinaryName({ normalizedName: 'pyyaml' }), 'python3-pyyaml');
  assert.equal(debianBinaryName({ normalizedName: 'hello-py2distro' }), 'python3-hello-py2distro');
  assert.equal(debianBinaryName({ normalizedName: 'python-apt' }), 'python3-apt');
  assert.equal(debianSourceName({ normalizedName: 'hello-py2distro' }), 'python-hello-py2distro');
  assert.equal(rpmSourceName({ normalizedName: 'pyyaml' }), 'python-pyyaml');
  assert.equal(rpmBinaryName({ normalizedName: 'pyyaml' }), 'python3-pyyaml');
});

test('requirements map through dh-python\'s table (PyYAML → python3-yaml, attrs → python3-attr) with relations', async () => {
  const table = await loadPy3distTable();
  const r = mapDebRequirements(reqs('PyYAML>=5.1', 'attrs~=23.1', 'tomli; python_version < "3.11"', 'pytest; extra == "test"', 'requests!=2.30'), { target: getTarget('deb'), table });
  assert.deepEqual(r.depends, ['python3-yaml (>= 5.1)', 'python3-attr (>= 23.1)', 'python3-attr (<< 24~~)', 'python3-requests']);
  assert.deepEqual(r.unmet, []);
  assert.match(r.notes.join('\n'), /!=2.30.*dropped/);
});

test('extras are included only when asked; unknown and URL requirements are reported as unmet', async () => {
  const table = await loadPy3distTable();
  const target = getTarget('deb');
  const withTest = mapDebRequirements(reqs('pytest>=7; extra == "test"'), { target, table, extras: ['test'] });
  assert.deepEqual(withTest.depends, ['python3-pytest (>= 7)']);
  const r = mapDebRequirements(reqs('no-such-project-xyz>=1', 'pkg @ https://example.org/pkg.whl'), { target, table });
  assert.equal(r.unmet.length, 2);
  assert.match(r.unmet[0]!, /no Debian package known.*guessed python3-no-such-project-xyz/);
});

test('packages py2distro builds itself go through py3dist-overrides', async () => {
  const table = await loadPy3distTable();
  const r = mapDebRequirements(reqs('My_Lib>=2'), { target: getTarget('deb'), table, localPackages: new Map([['my-lib', 'python3-mylib']]) });
  assert.deepEqual(r.depends, ['python3-mylib (>= 2)']);
  assert.deepEqual(r.overrides, ['my_lib python3-mylib']);
  assert.deepEqual(r.unmet, []);
});

test('RPM requirements are python3dist() with rich dependencies; markers use the target\'s Python', () => {
  const r = mapRpmRequirements(reqs('PyYAML>=5.1', 'attrs~=23.1', 'tomli; python_version < "3.11"', 'requests!=2.30'), { target: getTarget('el9') });
  assert.deepEqual(r.requires, [
    'python3dist(pyyaml) >= 5.1',
    '(python3dist(attrs) >= 23.1 with python3dist(attrs) < 24~~)',
    'python3dist(tomli)',
    '(python3dist(requests) < 2.30 or python3dist(requests) > 2.30)',
  ]);
  assert.equal(mapRpmRequirements(reqs('tomli; python_version < "3.11"'), { target: getTarget('fedora-41') }).requires.length, 0);
});

test('Requires-Python that excludes the target is reported', () => {
  assert.match(requiresPythonProblem({ requiresPython: '>=3.12' }, getTarget('debian-bookworm'))!, /excludes debian-bookworm/);
  assert.equal(requiresPythonProblem({ requiresPython: '>=3.8' }, getTarget('debian-bookworm')), undefined);
});
