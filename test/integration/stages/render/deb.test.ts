/**
 * `py2distro render --target deb` on real sdists of every shape, judged by the real tools on the
 * host: dpkg-checkbuilddeps, dpkg-buildpackage -us -uc -b and lintian (0 errors, 0 warnings).
 * Each build takes a few seconds; keep their number small.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT, runCli } from '../../../helpers/cli.js';
import { makeSdist, purePythonProject, type SdistSpec } from '../../../helpers/sdist.js';

// pyenv or a virtualenv on PATH must not stand in for Debian's python3 during the build.
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

async function renderDeb(sdist: string, dir: string, extra: string[] = []) {
  const out = path.join(dir, 'out');
  const r = await runCli(['render', sdist, '--target', 'deb', '--out', out, '--cache-dir', path.join(dir, 'cache'), '--json', ...extra]);
  assert.equal(r.exitCode, 0, r.stderr);
  const result = JSON.parse(r.stdout).results[0];
  return { out, result };
}

/** Builds the rendered tree and returns lintian's E:/W: lines for the .deb and .changes. */
async function buildAndLint(sourceDir: string): Promise<{ debs: string[]; tags: string[] }> {
  const env = { PATH: SYSTEM_PATH, LC_ALL: 'C.UTF-8' };
  await execa('dpkg-checkbuilddeps', [], { cwd: sourceDir, env });
  const build = await execa('dpkg-buildpackage', ['-us', '-uc', '-b'], { cwd: sourceDir, env, reject: false, all: true });
  assert.equal(build.exitCode, 0, String(build.all).split('\n').slice(-40).join('\n'));
  const parent = path.dirname(sourceDir);
  const debs = readdirSync(parent).filter((f) => f.endsWith('.deb') && !f.includes('-dbgsym_')).map((f) => path.join(parent, f));
  const changes = readdirSync(parent).filter((f) => f.endsWith('.changes')).map((f) => path.join(parent, f));
  const lint = await execa('lintian', ['--pedantic', '--display-info', ...debs, ...changes], { env, reject: false });
  const tags = String(lint.stdout).split('\n').filter((l) => /^[EW]: /.test(l));
  return { debs, tags };
}

async function sdistOf(spec: SdistSpec): Promise<{ dir: string; sdist: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'render-deb-'));
  return { dir, sdist: await makeSdist(spec, path.join(dir, 'dist')) };
}

test('pure-Python pyproject sdist (Metadata 2.1, dependencies, console script): builds, lintian clean', async () => {
  const spec = purePythonProject('pure-demo', '2.1.0rc1', { deps: ['PyYAML>=5.1', 'attrs'] });
  spec.files['pyproject.toml'] += '\n[project.scripts]\npure-demo = "pure_demo:hello"\n';
  const { dir, sdist } = await sdistOf(spec);
  const { result } = await renderDeb(sdist, dir);
  assert.equal(result.distroVersion, '2.1.0~rc1-1');
  assert.deepEqual(result.unmetRequirements, []);
  const { debs, tags } = await buildAndLint(result.deb.sourceDir);
  assert.deepEqual(tags, []);
  const fields = await execa('dpkg-deb', ['-f', debs[0]!, 'Package', 'Version', 'Depends']);
  assert.match(fields.stdout, /Package: python3-pure-demo/);
  assert.match(fields.stdout, /Version: 2\.1\.0~rc1-1/);
  assert.match(fields.stdout, /python3-yaml \(>= 5\.1\)/);
  assert.match(fields.stdout, /python3-attr/);
  const files = (await execa('dpkg-deb', ['-c', debs[0]!])).stdout;
  assert.match(files, /usr\/share\/doc\/python3-pure-demo\/py2distro-provenance\.json/);
  assert.match(files, /usr\/share\/man\/man1\/pure-demo\.1\.gz/);
});

test('setup.py-only sdist with Metadata 1.1 and a setup.cfg sdist build and are lintian clean', async () => {
  const legacy = await sdistOf({
    name: 'legacy-mod', version: '0.4',
    files: {
      'PKG-INFO': 'Metadata-Version: 1.1\nName: legacy-mod\nVersion: 0.4\nSummary: A module from the setup.py era\nAuthor: Old Timer\nAuthor-email: old@example.org\nLicense: BSD\nDescription: Nothing but\n        a module.\nClassifier: License :: OSI Approved :: BSD License\n',
      'setup.py': 'from setuptools import setup\nsetup(name="legacy-mod", version="0.4", py_modules=["legacy_mod"], description="A module from the setup.py era", license="BSD")\n',
      'legacy_mod.py': 'def answer():\n    return 42\n',
      'LICENSE.txt': 'Copyright (c) 2010, Old Timer\nAll rights reserved.\n\nRedistribution and use in source and binary forms, with or without modification, are permitted.\n',
    },
  });
  const cfg = await sdistOf({
    name: 'cfg-proj', version: '1.0.post2',
    files: {
      'PKG-INFO': 'Metadata-Version: 2.1\nName: cfg-proj\nVersion: 1.0.post2\nSummary: Declared in setup.cfg\nLicense: Apache-2.0\n\nLong description.\n',
      'setup.cfg': '[metadata]\nname = cfg-proj\nversion = 1.0.post2\ndescription = Declared in setup.cfg\nlicense = Apache-2.0\n\n[options]\npackages = cfg_proj\ninstall_requires =\n    requests>=2.0\n',
      'setup.py': 'from setuptools import setup\nsetup()\n',
      'cfg_proj/__init__.py': 'VERSION = "1.0.post2"\n',
    },
  });
  const legacyOut = await renderDeb(legacy.sdist, legacy.dir);
  assert.deepEqual(legacyOut.result.unknownMetadata.sort(), ['console-scripts', 'requires-dist']);
  assert.deepEqual((await buildAndLint(legacyOut.result.deb.sourceDir)).tags, []);
  const cfgOut = await renderDeb(cfg.sdist, cfg.dir);
  assert.equal(cfgOut.result.distroVersion, '1.0+post2-1');
  const built = await buildAndLint(cfgOut.result.deb.sourceDir);
  assert.deepEqual(built.tags, []);
  assert.match((await execa('dpkg-deb', ['-f', built.debs[0]!, 'Depends'])).stdout, /python3-requests \(>= 2\.0\)/);
});

test('C extension example (examples/hello-ext): Architecture any, shlibs, lintian clean', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'render-ext-'));
  await cp(path.join(ROOT, 'examples/hello-ext'), path.join(dir, 'src'), { recursive: true });
  await execa('python3', ['-m', 'build', '--sdist', '--no-isolation', '-o', path.join(dir, 'dist'), '.'], { cwd: path.join(dir, 'src'), env: { PATH: SYSTEM_PATH } });
  const { result } = await renderDeb(path.join(dir, 'dist', 'hello-ext-0.3.0.tar.gz'), dir);
  assert.equal(result.arch, 'any');
  const { debs, tags } = await buildAndLint(result.deb.sourceDir);
  assert.deepEqual(tags, []);
  const deps = (await execa('dpkg-deb', ['-f', debs[0]!, 'Architecture', 'Depends'])).stdout;
  assert.match(deps, /Architecture: amd64|Architecture: arm64/);
  assert.match(deps, /libc6/);
  const run = await execa('python3', ['-c', 'import sys; sys.path.insert(0, sys.argv[1]); import hello_ext; print(hello_ext.add(2, 3), hello_ext.greeting("deb"))', path.join(result.deb.sourceDir, 'debian/python3-hello-ext/usr/lib/python3/dist-packages')], { env: { PATH: SYSTEM_PATH } });
  assert.equal(run.stdout, '5 hello, deb, from C');
});
