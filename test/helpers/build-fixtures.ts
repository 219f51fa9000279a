/**
 * Sdists and judges for the build tests: a tiny C extension (links libc, so ${shlibs:Depends} has
 * something to say), a project whose build hangs (to interrupt), and lintian/podman wrappers.
 */
import { execa } from 'execa';
import path from 'node:path';
import { ROOT } from './cli.ts';
import { pkgInfo, type SdistSpec } from './sdist.ts';

export const CONTAINERS_CONF = process.env.CONTAINERS_CONF ?? path.join(ROOT, 'test/fixtures/containers.conf');
export const BASE_IMAGE = 'localhost/py2distro-base:debian-bookworm';

/** The bootstrapped base of a Debian target: a clean apt client of that release. */
export function baseImageFor(target: string): string {
  return `localhost/py2distro-base:${target}`;
}

const LICENSE = 'MIT License\n\nCopyright (c) 2026 Test Author\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n';

function setuptoolsProject(name: string, version: string, extra: Record<string, string>): SdistSpec {
  return {
    name,
    version,
    files: {
      'PKG-INFO': pkgInfo(name, version, { License: 'MIT', 'Requires-Python': '>=3.8' }),
      'pyproject.toml': `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "${name}"\nversion = "${version}"\ndescription = "Test package ${name}"\nlicense = {text = "MIT"}\nrequires-python = ">=3.8"\n`,
      LICENSE,
      ...extra,
    },
  };
}

/** `import hello_ext; hello_ext.pid()` — a C extension calling getpid(3) from libc. */
export function cExtensionProject(name = 'hello-ext', version = '0.2.0'): SdistSpec {
  return setuptoolsProject(name, version, {
    'setup.py': 'from setuptools import setup, Extension\nsetup(ext_modules=[Extension("hello_ext", ["hello_ext.c"])])\n',
    'hello_ext.c': [
      '#define PY_SSIZE_T_CLEAN',
      '#include <Python.h>',
      '#include <unistd.h>',
      'static PyObject *pid(PyObject *self, PyObject *args) { return PyLong_FromLong((long)getpid()); }',
      'static PyMethodDef M[] = {{"pid", pid, METH_NOARGS, "Process id."}, {NULL, NULL, 0, NULL}};',
      'static struct PyModuleDef D = {PyModuleDef_HEAD_INIT, "hello_ext", "A tiny C extension.", -1, M};',
      'PyMODINIT_FUNC PyInit_hello_ext(void) { return PyModule_Create(&D); }',
      '',
    ].join('\n'),
  });
}

/** A project whose build prints a marker line and then hangs, so a test can interrupt it. */
export function hangingProject(name = 'slow-build', version = '1.0'): SdistSpec {
  return setuptoolsProject(name, version, {
    'setup.py': 'import sys, time\nprint("py2distro-test: build is hanging now", flush=True)\nprint("py2distro-test: build is hanging now", file=sys.stderr, flush=True)\ntime.sleep(600)\nfrom setuptools import setup\nsetup(py_modules=["slow_build"])\n',
    'slow_build.py': 'X = 1\n',
  });
}

export async function podman(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const r = await execa('podman', args, { reject: false, env: { CONTAINERS_CONF }, timeout: 15 * 60_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** lintian's error tags ("E: pkg: tag …") for a package file. */
export async function lintianErrors(file: string): Promise<string[]> {
  const r = await execa('lintian', ['--tag-display-limit', '0', file], { reject: false });
  return String(r.stdout).split('\n').filter((l) => l.startsWith('E: '));
}
