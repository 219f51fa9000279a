import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { inspectSdist } from '../../../../src/stages/inspect/metadata.js';
import { parseCoreMetadata, parseRequiresTxt } from '../../../../src/python/pkginfo.js';
import { silentLogger } from '../../../../src/lib/log.js';
import { makeSdist, purePythonProject, type SdistSpec } from '../../../helpers/sdist.js';

async function inspect(spec: SdistSpec) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'metadata-test-'));
  const sdist = await makeSdist(spec, dir);
  return (await inspectSdist(sdist, { log: silentLogger, workDir: dir, cacheDir: dir })).metadata;
}

test('Metadata 1.1: description as an indented header, classifiers, no Requires-Dist', () => {
  const m = parseCoreMetadata('Metadata-Version: 1.1\nName: old\nVersion: 0.1\nDescription: First line\n        second line\n        \n        third\nClassifier: A\nClassifier: B\n');
  assert.equal(m.headers.get('description')![0], 'First line\nsecond line\n\nthird');
  assert.deepEqual(m.headers.get('classifier'), ['A', 'B']);
  const pipe = parseCoreMetadata('Metadata-Version: 1.2\nName: x\nDescription: one\n       |two\n');
  assert.equal(pipe.headers.get('description')![0], 'one\ntwo');
});

test('Metadata 2.1: description in the body; requires.txt sections become markers', () => {
  const m = parseCoreMetadata('Metadata-Version: 2.1\nName: x\nVersion: 1\n\n# Title\n\nBody text.\n');
  assert.equal(m.body, '# Title\n\nBody text.');
  assert.deepEqual(parseRequiresTxt('a>=1\n\n[test]\npytest\n[:python_version < "3.11"]\ntomli\n[socks:sys_platform == "linux"]\npysocks\n'), [
    'a>=1', 'pytest; extra == "test"', 'tomli; (python_version < "3.11")', 'pysocks; (sys_platform == "linux") and extra == "socks"',
  ]);
});

test('pure pyproject sdist: fields, requirements with markers, build backend, import name', async () => {
  const m = await inspect(purePythonProject('Foo.Bar', '2.0rc1', { deps: ['PyYAML>=5', 'tomli; python_version < "3.11"'] }));
  assert.equal(m.name, 'Foo.Bar');
  assert.equal(m.normalizedName, 'foo-bar');
  assert.equal(m.version, '2.0rc1');
  assert.deepEqual(m.requiresDist.map((r) => r.name), ['PyYAML', 'tomli']);
  assert.equal(m.buildSystem.backend, 'setuptools.build_meta');
  assert.deepEqual(m.importNames, ['foo_bar']);
  assert.equal(m.hasExtensions, false);
  assert.deepEqual(m.unknown, []);
  assert.equal(m.sourceDateEpoch, Date.parse('2024-01-01T00:00:00Z') / 1000);
});

test('setup.cfg project without PKG-INFO requirements: install_requires, extras, entry points', async () => {
  const m = await inspect({
    name: 'cfgproj', version: '1.4',
    files: {
      'PKG-INFO': 'Metadata-Version: 1.1\nName: cfgproj\nVersion: 1.4\nSummary: From setup.cfg\nLicense: BSD\n',
      'setup.cfg': '[metadata]\nname = cfgproj\nversion = attr: cfgproj.__version__\nlicense = BSD\n\n[options]\npackages = cfgproj\ninstall_requires =\n    requests>=2\n    attrs\n\n[options.extras_require]\ntest = pytest\n\n[options.entry_points]\nconsole_scripts =\n    cfg-tool = cfgproj.cli:main\n',
      'setup.py': 'from setuptools import setup\nsetup()\n',
      'cfgproj/__init__.py': '__version__ = "1.4"\n',
    },
  });
  assert.deepEqual(m.requiresDist.map((r) => r.raw), ['requests>=2', 'attrs', 'pytest; extra == "test"']);
  assert.deepEqual(m.consoleScripts, { 'cfg-tool': 'cfgproj.cli:main' });
  assert.deepEqual(m.importNames, ['cfgproj']);
  assert.deepEqual(m.unknown, []);
});

test('setup.py-only sdist: what it does not say is marked unknown; a C extension is detected', async () => {
  const m = await inspect({
    name: 'legacy', version: '0.9',
    files: {
      'PKG-INFO': 'Metadata-Version: 1.0\nName: legacy\nVersion: 0.9\nSummary: UNKNOWN\n',
      'setup.py': 'from setuptools import setup, Extension\nsetup(name="legacy", ext_modules=[Extension("_legacy", ["legacy.c"])], py_modules=["legacy"])\n',
      'legacy.py': 'from _legacy import *\n',
      'legacy.c': '/* */\n',
    },
  });
  assert.deepEqual(m.unknown.sort(), ['console-scripts', 'license', 'requires-dist', 'summary']);
  assert.equal(m.hasExtensions, true);
  assert.deepEqual(m.importNames, ['_legacy', 'legacy']);
  assert.deepEqual(m.buildSystem.requires.map((r) => r.name), ['setuptools', 'wheel']);
});

test('Metadata 2.2 Dynamic and pyproject dynamic are honoured', async () => {
  const m = await inspect({
    name: 'dyn', version: '3.0',
    files: {
      'PKG-INFO': 'Metadata-Version: 2.2\nName: dyn\nVersion: 3.0\nDynamic: Requires-Dist\n',
      'pyproject.toml': '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n[project]\nname = "dyn"\nversion = "3.0"\ndynamic = ["dependencies"]\ndependencies = ["ignored"]\n',
      'dyn/__init__.py': '',
    },
  });
  assert.ok(m.dynamic.includes('requires-dist'));
  assert.deepEqual(m.unknown, ['requires-dist']);
  assert.deepEqual(m.requiresDist, []);
});

test('a hostile readme path in pyproject is not followed out of the tree', async () => {
  const m = await inspect({
    name: 'rd', version: '1.0',
    files: { 'pyproject.toml': '[project]\nname = "rd"\nversion = "1.0"\nreadme = "../../../../etc/passwd"\n', 'rd.py': '' },
  });
  assert.equal(m.description, undefined);
});
