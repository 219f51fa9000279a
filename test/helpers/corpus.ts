/**
 * A corpus of tiny generated sdists, one per class of real-world sdist that broke (issues 12, 15):
 * build requirements the distro lacks or has too old, programs as requirements, undeclared
 * setup_requires, Rust crates, projects the distro ships, forgotten runtime imports, READMEs in
 * RST and Markdown, Apache-2.0 licences, Cython from [build-system], and a project the build host
 * already has installed. Each entry says what the built package must contain.
 */
import { readFileSync } from 'node:fs';
import { pkgInfo, type SdistSpec } from './sdist.ts';

export interface CorpusEntry {
  spec: SdistSpec;
  /** Import name the installed package must provide. */
  module: string;
  /** Console scripts it must install. */
  scripts: string[];
  /** Sdists the index must also serve (build requirements built first). */
  index?: SdistSpec[];
}

const MIT = 'MIT License\n\nCopyright (c) 2026 Test Author\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software.\n';
// The real Apache-2.0 text, as upstream LICENSE files carry it (Debian ships the same file).
const APACHE = readFileSync('/usr/share/common-licenses/Apache-2.0', 'utf8');

function project(name: string, version: string, o: { requires?: string[]; backend?: string; pyproject?: string; files?: Record<string, string>; pkginfo?: Record<string, string | string[]>; body?: string }): SdistSpec {
  const mod = name.replace(/-/g, '_');
  const pyproject = o.pyproject ?? [
    '[build-system]', `requires = [${(o.requires ?? ['setuptools>=61']).map((r) => JSON.stringify(r)).join(', ')}]`, `build-backend = "${o.backend ?? 'setuptools.build_meta'}"`, '',
    '[project]', `name = "${name}"`, `version = "${version}"`, `description = "Corpus package ${name}"`, 'requires-python = ">=3.8"', '',
    ...(o.backend ? [] : ['[tool.setuptools]', `packages = ["${mod}"]`, '']),
  ].join('\n');
  return {
    name, version,
    files: {
      'PKG-INFO': pkgInfo(name, version, { License: 'MIT', 'Requires-Python': '>=3.8', ...(o.pkginfo ?? {}) }) + (o.body ? `\n${o.body}` : ''),
      'pyproject.toml': pyproject,
      [`${mod}/__init__.py`]: `"""${name}."""\n__version__ = "${version}"\n\ndef main():\n    print("${name} ok")\n`,
      LICENSE: MIT,
      ...(o.files ?? {}),
    },
  };
}

/** A build requirement no distro has, served by the test index: the root's setup.py imports it. */
export const backendPlugin = project('corpus-plugin', '1.0', {});
/** Debian ships trove-classifiers (bookworm 2023.4, trixie 2025.4): this "newer" one must replace it in place. */
export const newerTroveClassifiers: SdistSpec = {
  name: 'trove-classifiers', version: '2099.1.1',
  files: {
    'PKG-INFO': pkgInfo('trove-classifiers', '2099.1.1', { License: 'Apache-2.0' }),
    'pyproject.toml': '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "trove-classifiers"\nversion = "2099.1.1"\ndescription = "Canonical source for classifiers on PyPI"\n\n[tool.setuptools]\npackage-dir = {"" = "src"}\npackages = ["trove_classifiers"]\n',
    'src/trove_classifiers/__init__.py': 'classifiers = {"License :: OSI Approved :: MIT License"}\nsorted_classifiers = sorted(classifiers)\ndeprecated_classifiers = {}\n',
    LICENSE: APACHE,
  },
};

const RST_README = `corpus-rst
==========

.. image:: https://img.shields.io/badge/very-long-badge-url-that-goes-on-and-on-and-on-and-on.svg
   :target: https://example.org

A library whose README is reStructuredText with \`links <https://example.org/a/very/long/url/that/would/overflow/the/line>\`_, \`\`literals\`\` and lists.

- first item of a list that is long enough that it must be wrapped onto a second line by the renderer
- second item
- third item

Usage::

    >>> import corpus_rst

Installation
------------

pip install corpus-rst
`;

const MD_README = `# corpus-md

[![CI](https://ci.example.org/badge.svg)](https://ci.example.org)

A library whose README is Markdown, with a table | and | pipes, and [links](https://example.org/a/very/long/url/that/would/overflow/the/line/if/kept).

| a | b |
|---|---|
| 1 | 2 |

* one
* two
* three

\`\`\`
code that is very long ............................................................................................
\`\`\`
`;

/** The class corpus: every entry builds offline and installs. */
export function classCorpus(): CorpusEntry[] {
  return [
    {
      // 12.2: a build requirement only the index has (built first, offered through the local repo),
      // and one the distro has too old (ours replaces it under the distro's name, 12.6).
      spec: project('corpus-needs-plugin', '1.0', {
        requires: ['setuptools>=61', 'corpus-plugin>=1.0', 'trove-classifiers>=2099'],
        files: { 'setup.py': 'import corpus_plugin\nimport trove_classifiers\nassert "2099" in __import__("importlib.metadata").metadata.version("trove-classifiers")\nfrom setuptools import setup\nsetup()\n' },
      }),
      module: 'corpus_needs_plugin', scripts: [], index: [backendPlugin, newerTroveClassifiers],
    },
    {
      // 12.3: programs as requirements: the distro's ninja-build and cmake, not python3-ninja.
      spec: project('corpus-tools', '1.0', {
        requires: ['setuptools>=61', 'ninja>=1.8', 'cmake>=3.12'],
        files: { 'setup.py': 'import subprocess\nsubprocess.check_call(["ninja", "--version"])\nsubprocess.check_call(["cmake", "--version"])\nfrom setuptools import setup\nsetup()\n' },
      }),
      module: 'corpus_tools', scripts: [],
    },
    {
      // 12.4: setup.py-only, with a setup_requires that pip would try to download.
      spec: {
        name: 'corpus-setupreq', version: '1.0',
        files: {
          'PKG-INFO': pkgInfo('corpus-setupreq', '1.0', { License: 'MIT' }),
          'setup.py': 'from setuptools import setup\nSETUP_REQUIRES = ["pytest-runner"]\nsetup(name="corpus-setupreq", version="1.0", packages=["corpus_setupreq"], setup_requires=SETUP_REQUIRES,\n      entry_points={"console_scripts": ["corpus-setupreq = corpus_setupreq:main"]})\n',
          'corpus_setupreq/__init__.py': 'def main():\n    print("corpus-setupreq ok")\n',
          LICENSE: MIT,
        },
      },
      module: 'corpus_setupreq', scripts: ['corpus-setupreq'],
    },
    {
      // 12.7: imports pkg_resources without declaring setuptools; has a console script.
      spec: project('corpus-pkgres', '1.0', {
        pyproject: '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n[project]\nname = "corpus-pkgres"\nversion = "1.0"\ndescription = "Corpus package corpus-pkgres"\n\n[project.scripts]\ncorpus-pkgres = "corpus_pkgres:main"\n\n[tool.setuptools]\npackages = ["corpus_pkgres"]\n',
        files: { 'corpus_pkgres/__init__.py': 'import pkg_resources\n\ndef main():\n    print("corpus-pkgres ok", bool(pkg_resources))\n' },
      }),
      module: 'corpus_pkgres', scripts: ['corpus-pkgres'],
    },
    {
      // 12.8: an RST README with badges, long links, lists and literal blocks.
      spec: project('corpus-rst', '1.0', { pkginfo: { 'Description-Content-Type': 'text/x-rst', Summary: 'A library whose README is reStructuredText' }, body: RST_README }),
      module: 'corpus_rst', scripts: [],
    },
    {
      // 12.8 + 12.9: a Markdown README with tables and code; Apache-2.0 with the full licence text.
      spec: project('corpus-md', '1.0', {
        pkginfo: { 'Description-Content-Type': 'text/markdown', Summary: 'corpus-md', Classifier: 'License :: OSI Approved :: Apache Software License', License: '' },
        body: MD_README, files: { LICENSE: APACHE },
      }),
      module: 'corpus_md', scripts: [],
    },
    {
      // 15.2 (cytoolz): Cython from [build-system] requires compiles a .pyx.
      spec: project('corpus-cython', '1.0', {
        requires: ['setuptools>=61', 'cython'],
        files: {
          'setup.py': 'from setuptools import setup\nfrom Cython.Build import cythonize\nsetup(ext_modules=cythonize(["corpus_cython/fast.pyx"]))\n',
          'corpus_cython/fast.pyx': 'def double(int x):\n    return 2 * x\n',
        },
      }),
      module: 'corpus_cython', scripts: [],
    },
    {
      // 15.2 (packaging 25.0): flit_core, and the build host already has this distribution installed.
      spec: {
        name: 'pathspec', version: '99.0',
        files: {
          'PKG-INFO': pkgInfo('pathspec', '99.0', { License: 'MPL-2.0' }),
          'pyproject.toml': '[build-system]\nrequires = ["flit_core>=3.2"]\nbuild-backend = "flit_core.buildapi"\n\n[project]\nname = "pathspec"\nversion = "99.0"\ndescription = "Utility library for gitignore style pattern matching"\nrequires-python = ">=3.8"\n',
          'pathspec/__init__.py': '"""Fake pathspec."""\n__version__ = "99.0"\n',
          LICENSE: MIT,
        },
      },
      module: 'pathspec', scripts: [],
    },
  ];
}

/** 12.5: a setuptools-rust project with a zero-dependency crate and its Cargo.lock (a RustBin script). */
export function rustProject(opts: { dependency?: boolean; lock?: boolean } = {}): SdistSpec {
  const name = opts.dependency ? 'corpus-rustdep' : 'corpus-rust';
  const crate = `${name}bin`;
  const lock = [
    '# This file is automatically @generated by Cargo.', '# It is not intended for manual editing.', 'version = 3', '',
    ...(opts.dependency ? ['[[package]]', `name = "${crate}"`, 'version = "0.1.0"', 'dependencies = [', ' "itoa",', ']', '',
      '[[package]]', 'name = "itoa"', 'version = "1.0.11"', 'source = "registry+https://github.com/rust-lang/crates.io-index"',
      'checksum = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b"', '']
      : ['[[package]]', `name = "${crate}"`, 'version = "0.1.0"', '']),
  ].join('\n');
  return project(name, '1.0', {
    requires: ['setuptools>=61', 'setuptools-rust'],
    files: {
      'setup.py': `from setuptools import setup\nfrom setuptools_rust import RustBin\nsetup(rust_extensions=[RustBin("${crate}", path="Cargo.toml")])\n`,
      'Cargo.toml': `[package]\nname = "${crate}"\nversion = "0.1.0"\nedition = "2021"\n\n[[bin]]\nname = "${crate}"\npath = "rust/main.rs"\n${opts.dependency ? '\n[dependencies]\nitoa = "1"\n' : ''}`,
      ...(opts.lock === false ? {} : { 'Cargo.lock': lock }),
      'rust/main.rs': `fn main() {\n    println!("${crate} ok");\n}\n`,
    },
  });
}

/** 12.2, the failing case: a build requirement neither the distro nor the index has. */
export const needsNowhere = project('corpus-needs-nowhere', '1.0', { requires: ['setuptools>=61', 'corpus-nowhere>=2'] });
