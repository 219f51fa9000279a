/**
 * The local repository seam (used by `sync`): a package py2distro built earlier satisfies another
 * package's Build-Depends, offered read-only to the build and trusted inside that container only.
 * Uses the programmatic API with hand-written debian/ trees, so only the build stage is exercised.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { buildPackage, type RenderedSources } from '../../../../src/stages/build/build.ts';
import { selectEngine } from '../../../../src/stages/build/engines/index.ts';
import { silentLogger } from '../../../../src/lib/log.ts';
import type { SdistMetadata } from '../../../../src/python/metadata.ts';
import { getTarget } from '../../../../src/distro/targets.ts';
import { CONTAINERS_CONF } from '../../../helpers/build-fixtures.ts';

async function debianTree(dir: string, name: string, buildDepends: string[]): Promise<RenderedSources> {
  const src = path.join(dir, `python-${name}-1.0`);
  await mkdir(path.join(src, 'debian', 'source'), { recursive: true });
  await mkdir(path.join(src, name));
  await writeFile(path.join(src, name, '__init__.py'), 'X = 1\n');
  await writeFile(path.join(src, 'pyproject.toml'), `[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "${name}"\nversion = "1.0"\n[tool.setuptools]\npackages = ["${name}"]\n`);
  const deps = ['debhelper-compat (= 13)', 'dh-python', 'python3-all', 'pybuild-plugin-pyproject', 'python3-setuptools', ...buildDepends];
  await writeFile(path.join(src, 'debian', 'control'), `Source: python-${name}\nSection: python\nPriority: optional\nMaintainer: T <t@example.org>\nBuild-Depends: ${deps.join(', ')}\nStandards-Version: 4.6.2\nRules-Requires-Root: no\n\nPackage: python3-${name}\nArchitecture: all\nDepends: \${python3:Depends}, \${misc:Depends}\nDescription: test package ${name}\n Test package.\n`);
  await writeFile(path.join(src, 'debian', 'rules'), '#!/usr/bin/make -f\nexport PYBUILD_DISABLE=test\n%:\n\tdh $@ --with python3 --buildsystem=pybuild\n');
  await chmod(path.join(src, 'debian', 'rules'), 0o755);
  await writeFile(path.join(src, 'debian', 'source', 'format'), '3.0 (quilt)\n');
  await writeFile(path.join(src, 'debian', 'changelog'), `python-${name} (1.0-1) bookworm; urgency=medium\n\n  * Test.\n\n -- T <t@example.org>  Mon, 01 Jan 2024 00:00:00 +0000\n`);
  const orig = path.join(dir, `python-${name}_1.0.orig.tar.gz`);
  await execa('tar', ['-czf', orig, '--exclude=debian', '-C', dir, path.basename(src)]);
  const metadata = { name, normalizedName: name, version: '1.0', unknown: [], dynamic: [] } as unknown as SdistMetadata;
  return { family: 'deb', deb: { sourceDir: src, origTarball: orig }, sourcePackage: `python-${name}`, binaryPackages: [`python3-${name}`], distroVersion: '1.0-1', arch: 'all', sourceDateEpoch: 1704067200, metadata };
}

test('a Build-Depends on a package built earlier is installed from --local-repo', async () => {
  process.env.CONTAINERS_CONF = CONTAINERS_CONF;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'build-localrepo-'));
  const engine = await selectEngine({});
  const env = { log: silentLogger, workDir: dir, cacheDir: dir };
  const repo = path.join(dir, 'repo');
  const dep = await buildPackage(await debianTree(path.join(dir, 'a'), 'localdep', []), { target: getTarget('deb'), engine, outDir: repo }, env);
  assert.ok(dep.artifacts.some((a) => a.endsWith('python3-localdep_1.0-1_all.deb')));

  const consumer = await debianTree(path.join(dir, 'b'), 'consumer', ['python3-localdep']);
  const built = await buildPackage(consumer, { target: getTarget('deb'), engine, outDir: path.join(dir, 'out'), localRepo: repo }, env);
  assert.ok(built.artifacts.some((a) => a.endsWith('python3-consumer_1.0-1_all.deb')));
  assert.match(await readFile(built.log, 'utf8'), /Setting up python3-localdep \(1\.0-1\)/);
});
