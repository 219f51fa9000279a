/**
 * Golden files for the rendered packaging. Regenerate after an intended template change with
 * UPDATE_GOLDEN=1 node --import tsx --test test/unit/render-golden.test.ts, and review the diff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/log.js';
import type { Provenance } from '../../src/provenance.js';
import { renderPackaging } from '../../src/render.js';
import { makeSdist, purePythonProject } from '../helpers/sdist.js';
import { ROOT } from '../helpers/cli.js';

const GOLDEN = path.join(ROOT, 'test/golden');
const provenance: Provenance = {
  schema: 1, project: 'golden-pkg', version: '1.2.0', filename: 'golden_pkg-1.2.0.tar.gz', sha256: '0'.repeat(64),
  signature: { status: 'verified', signer: 'A'.repeat(40), policy: 'required' }, verifiedAt: '2024-01-02T03:04:05.000Z', tool: 'py2distro test',
};

async function renderFixture(target: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'golden-'));
  const spec = purePythonProject('golden-pkg', '1.2.0', { deps: ['PyYAML>=5.1', 'attrs~=23.1', 'tomli>=1; python_version < "3.11"'] });
  spec.files['PKG-INFO'] += 'Author-email: Jane Doe <jane@example.org>\nHome-page: https://example.org/golden\n\nA golden package.\n\nIt has two paragraphs.\n';
  spec.files['golden_pkg.egg-info/PKG-INFO'] = spec.files['PKG-INFO']!;
  spec.files['golden_pkg.egg-info/entry_points.txt'] = '[console_scripts]\ngolden-tool = golden_pkg:hello\n';
  spec.files['golden_pkg.egg-info/requires.txt'] = 'PyYAML>=5.1\nattrs~=23.1\n\n[:python_version < "3.11"]\ntomli>=1\n';
  const sdist = await makeSdist(spec, dir);
  return renderPackaging({ sdistPath: sdist, provenance, target, outDir: path.join(dir, 'out'), maintainer: 'Release Bot <bot@example.org>' },
    { log: silentLogger, workDir: dir, cacheDir: dir });
}

async function compareGolden(name: string, actual: string) {
  const file = path.join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, actual);
  }
  assert.equal(actual, await readFile(file, 'utf8'), `${name} differs from its golden file`);
}

test('debian-bookworm: debian/ files match the golden files', async () => {
  const r = await renderFixture('deb');
  assert.equal(r.sourcePackage, 'python-golden-pkg');
  assert.deepEqual(r.binaryPackages, ['python3-golden-pkg']);
  assert.equal(r.distroVersion, '1.2.0-1');
  assert.equal(r.sourceDateEpoch, Date.parse('2024-01-01T00:00:00Z') / 1000);
  assert.ok(existsSync(r.deb!.origTarball) && r.deb!.origTarball.endsWith('python-golden-pkg_1.2.0.orig.tar.gz'));
  for (const f of ['control', 'rules', 'changelog', 'copyright', 'source/format', 'source/options', 'docs', 'lintian-overrides', 'manpages', 'golden-tool.1', 'py2distro-provenance.json']) {
    await compareGolden(`debian-bookworm/${f}`, await readFile(path.join(r.deb!.sourceDir, 'debian', f), 'utf8'));
  }
});

test('fedora-41 and rpmtest-bookworm: the spec matches the golden file', async () => {
  for (const target of ['fedora-41', 'rpmtest-bookworm']) {
    const r = await renderFixture(target);
    assert.equal(r.distroVersion, target === 'fedora-41' ? '1.2.0-1.fc41' : '1.2.0-1.rpmtest');
    await compareGolden(`${target}/python-golden-pkg.spec`, await readFile(r.rpm!.specFile, 'utf8'));
  }
});
