/**
 * The one model of build requirements (python/build-requirements.ts) and its two family mappings:
 * programs are tools (ninja-build, not python3-ninja), backends add what they ask for
 * dynamically, setup_requires read from setup.py text counts, Rust sources need cargo.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNeeds } from '../../../src/python/build-requirements.ts';
import { parseDependency } from '../../../src/python/pep508.ts';
import { debianBuildNeeds, loadPy3distTable } from '../../../src/distro/deb/python-names.ts';
import { rpmToolBuildRequires } from '../../../src/distro/rpm/python-names.ts';
import { getTarget } from '../../../src/distro/targets.ts';
import { setupPyRequires } from '../../../src/stages/inspect/static-build.ts';

const meta = (requires: string[], backend?: string, extra: { setupRequires?: string[]; rust?: boolean } = {}) => ({
  buildSystem: { requires: requires.map(parseDependency), backend, declared: true },
  setupRequires: (extra.setupRequires ?? []).map(parseDependency),
  ...(extra.rust ? { rust: { manifest: 'Cargo.toml', lock: 'Cargo.lock', hasDependencies: false } } : {}),
});

test('programs are tools; backends add their dynamic needs; setup_requires and Rust count', () => {
  const n = buildNeeds(meta(['setuptools>=61', 'ninja', 'cmake>=3.18', 'cython>=0.29', 'setuptools-rust'], 'setuptools.build_meta', { setupRequires: ['pbr>=2', 'pytest-runner'] }));
  assert.deepEqual(n.python.map((r) => r.normalizedName), ['setuptools', 'cython', 'setuptools-rust', 'wheel', 'pbr', 'pytest-runner']);
  assert.deepEqual(n.tools, ['cmake', 'ninja', 'rust']);
  assert.deepEqual(buildNeeds(meta(['meson-python'], 'mesonpy')).tools, ['meson', 'ninja', 'patchelf']);
  assert.deepEqual(buildNeeds(meta(['maturin>=1,<2', 'puccinialin'], 'maturin')).python.map((r) => r.name), ['maturin']);
  assert.deepEqual(buildNeeds(meta(['hatchling'], 'hatchling.build', { rust: true })).tools, ['rust']);
});

test('Debian: tool packages and dh-python names; Fedora: the tool packages only (pyproject_buildrequires does Python)', async () => {
  const table = await loadPy3distTable();
  const m = meta(['setuptools>=61', 'ninja', 'cmake', 'Cython', 'patchelf', 'setuptools-rust', 'flit_core>=3.11'], 'setuptools.build_meta', { setupRequires: ['pytest-runner'] });
  const deb = debianBuildNeeds(m, { target: getTarget('debian-trixie'), table });
  for (const p of ['ninja-build', 'cmake', 'cython3', 'patchelf', 'cargo', 'rustc', 'python3-setuptools-rust', 'flit (>= 3.11)', 'python3-pytest-runner', 'python3-wheel']) {
    assert.ok(deb.depends.includes(p), `${p} in ${deb.depends.join(', ')}`);
  }
  assert.ok(!deb.depends.some((d) => /python3-(ninja|cmake|patchelf)/.test(d)), deb.depends.join(', '));
  assert.deepEqual(rpmToolBuildRequires(m), ['cmake', 'ninja-build', 'patchelf', 'cargo', 'rust']);
});

test('setup.py is read, not run: literal lists inline or in a variable, pbr=True; computed values are left out', () => {
  assert.deepEqual(setupPyRequires('setup(setup_requires=["pbr>=2.0", \'pytest-runner\'], pbr=True)'), ['pbr>=2.0', 'pytest-runner', 'pbr']);
  assert.deepEqual(setupPyRequires('SETUP_REQUIRES = [\n  "cffi>=1.0",  # comment ]\n  "setuptools_scm",\n]\nsetup(setup_requires=SETUP_REQUIRES)\n'), ['cffi>=1.0', 'setuptools_scm']);
  assert.deepEqual(setupPyRequires('setup(setup_requires=get_reqs() + ["wheel"])'), []);
  assert.deepEqual(setupPyRequires('setup(name="x")'), []);
});
