/**
 * Builds tiny sdists for tests from a map of files: a real .tar.gz (or .zip) with one top-level
 * directory `<name>-<version>/`, like `python -m build --sdist` makes.
 */
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tar from 'tar';

export interface SdistSpec {
  name: string;
  version: string;
  /** Paths relative to the top-level directory → contents. */
  files: Record<string, string>;
  /** Fixed mtime so that the same spec gives the same bytes. */
  mtime?: Date;
}

/** Minimal PKG-INFO for a pure-Python setuptools project. */
export function pkgInfo(name: string, version: string, extra: Record<string, string | string[]> = {}): string {
  const lines = ['Metadata-Version: 2.1', `Name: ${name}`, `Version: ${version}`, `Summary: Test package ${name}`];
  for (const [k, v] of Object.entries(extra)) for (const item of [v].flat()) lines.push(`${k}: ${item}`);
  return lines.join('\n') + '\n';
}

/** A pure-Python project with pyproject.toml (setuptools backend), PKG-INFO and one module. */
export function purePythonProject(name: string, version: string, opts: { deps?: string[]; module?: string } = {}): SdistSpec {
  const mod = opts.module ?? name.toLowerCase().replace(/[-.]+/g, '_');
  const deps = opts.deps ?? [];
  return {
    name,
    version,
    files: {
      'PKG-INFO': pkgInfo(name, version, { License: 'MIT', 'Requires-Dist': deps, 'Requires-Python': '>=3.8' }),
      'pyproject.toml': [
        '[build-system]',
        'requires = ["setuptools>=61"]',
        'build-backend = "setuptools.build_meta"',
        '',
        '[project]',
        `name = "${name}"`,
        `version = "${version}"`,
        `description = "Test package ${name}"`,
        'license = {text = "MIT"}',
        'requires-python = ">=3.8"',
        `dependencies = [${deps.map((d) => JSON.stringify(d)).join(', ')}]`,
        '',
        '[tool.setuptools]',
        `packages = ["${mod}"]`,
        '',
      ].join('\n'),
      [`${mod}/__init__.py`]: `"""${name} test module."""\n__version__ = "${version}"\n\ndef hello():\n    return "hello from ${name}"\n`,
      LICENSE: 'MIT License\n\nCopyright (c) 2026 Test Author\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n',
    },
  };
}

/** Writes the sdist into `dir` and returns its path. */
export async function makeSdist(spec: SdistSpec, dir: string, format: 'tar.gz' | 'zip' = 'tar.gz'): Promise<string> {
  const top = `${spec.name.replace(/[-.]+/g, '_').toLowerCase()}-${spec.version}`;
  const stage = await mkdtemp(path.join(os.tmpdir(), 'sdist-'));
  try {
    for (const [rel, content] of Object.entries(spec.files)) {
      const p = path.join(stage, top, rel);
      await mkdir(path.dirname(p), { recursive: true });
      await writeFile(p, content);
    }
    await mkdir(dir, { recursive: true });
    const out = path.join(dir, `${top}.${format}`);
    if (format === 'zip') throw new Error('zip sdists: use makeZipSdist');
    const mtime = spec.mtime ?? new Date('2024-01-01T00:00:00Z');
    await tar.c({ gzip: { level: 9 }, file: out, cwd: stage, portable: true, mtime, noDirRecurse: false }, [top]);
    return out;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}
