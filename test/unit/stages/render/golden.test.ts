/**
 * Golden files for the rendered packaging. Regenerate after an intended template change with
 * UPDATE_GOLDEN=1 node --import tsx --test test/unit/render-golden.test.ts, and review the diff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../../../src/lib/log.js';
import type { Provenance } from '../../../../src/stages/verify/provenance.js';
import { renderPackaging } from '../../../../src/stages/render/index.js';
import { getTarget } from '../../../../src/distro/targets.js';
import { inspectSdist } from '../../../../src/stages/inspect/index.js';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.js';
import { ROOT } from '../../../helpers/cli.js';

const GOLDEN = path.join(ROOT, 'test/golden');
const provenance: Provenance = {
  schema: 1, project: 'golden-pkg', version: '1.2.0', filename: 'golden_pkg-1.2.0.tar.gz', sha256: '0'.repeat(64),
  signature: { status: 'verified', signer: 'A'.repeat(40), policy: 'required' }, verifiedAt: '2024-01-02T03:04:05.000Z', tool: 'py2distro test',
  attestation: {
    status: 'verified', publisher: 'github:golden/golden-pkg:release.yml', issuer: 'https://token.actions.githubusercontent.com', pinnable: true,
    predicateType: 'https://docs.pypi.org/attestations/publish/v1', logIndex: 153454663, integratedTime: '2024-12-04T23:14:01.000Z',
    trustedRootDigest: '6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66', count: 1,
  },
  trusted: true,
};

async function fixtureSdist(dir: string): Promise<string> {
  const spec = purePythonProject('golden-pkg', '1.2.0', { deps: ['PyYAML>=5.1', 'attrs~=23.1', 'tomli>=1; python_version < "3.11"'] });
  spec.files['PKG-INFO'] += 'Author-email: Jane Doe <jane@example.org>\nHome-page: https://example.org/golden\n\nA golden package.\n\nIt has two paragraphs.\n';
  spec.files['golden_pkg.egg-info/PKG-INFO'] = spec.files['PKG-INFO']!;
  spec.files['golden_pkg.egg-info/entry_points.txt'] = '[console_scripts]\ngolden-tool = golden_pkg:hello\n';
  spec.files['golden_pkg.egg-info/requires.txt'] = 'PyYAML>=5.1\nattrs~=23.1\n\n[:python_version < "3.11"]\ntomli>=1\n';
  return makeSdist(spec, dir);
}

async function render(sdist: string, target: string, outDir: string, prov: Provenance = provenance) {
  const dir = path.dirname(sdist);
  const env = { log: silentLogger, workDir: dir, cacheDir: dir };
  return renderPackaging(
    { sdist: await inspectSdist(sdist, env), provenance: prov, target: getTarget(target), outDir, maintainer: 'Release Bot <bot@example.org>' },
    env,
  );
}

async function renderFixture(target: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'golden-'));
  return render(await fixtureSdist(dir), target, path.join(dir, 'out'));
}

/** Relative path → mode and bytes of every file under dir. */
async function snapshot(dir: string): Promise<Map<string, { mode: number; bytes: Buffer }>> {
  const files = new Map<string, { mode: number; bytes: Buffer }>();
  for (const rel of (await readdir(dir, { recursive: true })).sort()) {
    const st = await stat(path.join(dir, rel));
    if (st.isFile()) files.set(rel, { mode: st.mode & 0o7777, bytes: await readFile(path.join(dir, rel)) });
  }
  return files;
}

async function compareGolden(name: string, actual: string) {
  const file = path.join(GOLDEN, name);
  // Only UPDATE_GOLDEN writes golden files: a missing one is a failure, not a silent first pass.
  if (process.env.UPDATE_GOLDEN) {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, actual);
  }
  assert.ok(existsSync(file), `${name}: no golden file (create it with UPDATE_GOLDEN=1 and review it)`);
  assert.equal(actual, await readFile(file, 'utf8'), `${name} differs from its golden file`);
}

test('debian-bookworm: debian/ files match the golden files', async () => {
  const r = await renderFixture('debian-bookworm');
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

test('rendering the same sdist twice, verified at different times, gives byte-identical packaging', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'golden-repro-'));
  const sdist = await fixtureSdist(dir);
  for (const target of ['debian-bookworm', 'fedora-41', 'rpmtest-bookworm']) {
    const first = await render(sdist, target, path.join(dir, `${target}-1`));
    const second = await render(sdist, target, path.join(dir, `${target}-2`), { ...provenance, verifiedAt: '2031-07-08T09:10:11.000Z' });
    const a = await snapshot(first.outDir);
    const b = await snapshot(second.outDir);
    assert.deepEqual([...b.keys()], [...a.keys()], `${target}: different file lists`);
    assert.ok([...a.keys()].some((f) => f.endsWith('py2distro-provenance.json')), `${target}: no provenance record rendered`);
    for (const [rel, { mode, bytes }] of a) {
      assert.equal(b.get(rel)!.mode, mode, `${target}: ${rel} mode differs`);
      assert.ok(bytes.equals(b.get(rel)!.bytes), `${target}: ${rel} differs between the two renders`);
    }
    const shipped = await readFile([...first.files].find((f) => f.endsWith('py2distro-provenance.json'))!, 'utf8');
    assert.doesNotMatch(shipped, /verifiedAt/);
    assert.equal(JSON.parse(shipped).sha256, provenance.sha256);
  }
});

test('RenderResult.rpm.sources lists every SourceN file of the spec, in order, and they exist', async () => {
  for (const target of ['fedora-41', 'rpmtest-bookworm']) {
    const r = await renderFixture(target);
    const spec = await readFile(r.rpm!.specFile, 'utf8');
    const named = [...spec.matchAll(/^Source(\d*):\s*(\S+)\s*$/gm)].map((m) => m[2]);
    assert.deepEqual(r.rpm!.sources.map((f) => path.basename(f)), named, target);
    assert.equal(r.rpm!.sources[0], r.rpm!.sourceTarball);
    for (const f of r.rpm!.sources) {
      assert.equal(path.dirname(f), path.dirname(r.rpm!.specFile));
      assert.ok(existsSync(f), f);
    }
  }
});
