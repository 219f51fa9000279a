/**
 * The orchestrator's decisions with a fake backend (no containers): order, skipping by build key,
 * rebuilding dependents, failure isolation, --fail-fast, and state kept when publishing fails.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pep440 from '@renovatebot/pep440';
import { Py2DistroError } from '../../../../src/lib/errors.js';
import { silentLogger } from '../../../../src/lib/log.js';
import { getTarget } from '../../../../src/distro/targets.js';
import { parseRequirementLine, type Manifest } from '../../../../src/api/sync/manifest.js';
import { runSync, stateFileOf, type SyncBackend } from '../../../../src/api/sync/run.js';
import { reportMarkdown, writeReport } from '../../../../src/api/sync/report.js';

const target = getTarget('debian-bookworm');

interface Fake {
  backend: SyncBackend;
  index: Record<string, Record<string, string[]>>;
  builds: string[];
  publishes: string[][];
  failBuild: Set<string>;
  failPublish: boolean;
}

function fake(repo: string): Fake {
  const f: Fake = {
    index: {}, builds: [], publishes: [], failBuild: new Set(), failPublish: false,
    backend: undefined as unknown as SyncBackend,
  };
  f.backend = {
    async resolve(req) {
      const versions = f.index[req.name!];
      if (!versions) throw new Py2DistroError('E_NOT_FOUND', `${req.name} not found`);
      const v = pep440.maxSatisfying(Object.keys(versions), req.specifier || '>=0')!;
      return { name: req.name!, version: v, sha256: `sha-${req.name}-${v}`, requiresDist: versions[v], buildRequires: [], signature: { status: 'verified', signer: 'ABCD' }, handle: null };
    },
    evaluateMarker: () => true,
    async image() { return { ref: 'localhost/builder:test', id: 'image-1' }; },
    async runInImage() { return 'Package: python3-six\nVersion: 1.16.0-4\n=== py2distro: cpython3_fallback ===\nsix python3-six\n'; },
    async render({ node, revision, dependencies }) {
      return { digest: `${node.name}|${dependencies.map((d) => d.name).join(',')}`, packageVersion: `${node.version}-${revision}`, handle: null };
    },
    async build({ node, rendered, outDir, logPath, localPackages }) {
      f.builds.push(`${node.name} ${rendered.packageVersion} [${localPackages.map((p) => path.basename(p)).join(' ')}]`);
      await mkdir(path.dirname(logPath), { recursive: true });
      await writeFile(logPath, `building ${node.name}\n`);
      if (f.failBuild.has(node.name)) throw new Py2DistroError('E_BUILD_FAILED', `dpkg-buildpackage failed for ${node.name}; see ${logPath}`);
      await mkdir(outDir, { recursive: true });
      const file = path.join(outDir, `python3-${node.name}_${rendered.packageVersion}_all.deb`);
      await writeFile(file, `${node.name} ${rendered.packageVersion}`);
      return { files: [file] };
    },
    async publish({ files }) {
      if (f.failPublish) throw new Py2DistroError('E_REPO_LOCKED', 'repository is locked');
      f.publishes.push(files.map((x) => path.basename(x)));
      for (const file of files) await copyFile(file, path.join(repo, path.basename(file)));
      return { published: files.map((input) => ({ input, path: path.basename(input) })), pruned: [] };
    },
    publishedPath: (_t, file) => path.join(repo, file),
  };
  return f;
}

async function setup() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'sync-run-'));
  const repo = path.join(root, 'repo');
  await mkdir(repo);
  const f = fake(repo);
  f.index = { top: { '1.0': ['mid>=1', 'six'] }, mid: { '1.0': ['leaf'] }, leaf: { '1.0': [] }, other: { '2.0': [] } };
  const manifest: Manifest = { entries: ['top', 'other'].map((r, i) => parseRequirementLine(r, `py2distro.yaml:${i + 1}`)), constraints: new Map() };
  const sync = (extra: Partial<Parameters<typeof runSync>[0]> = {}) => runSync({
    manifest, targets: [target], backend: f.backend, stateDir: path.join(root, 'state'), workDir: path.join(root, 'work'),
    cacheDir: path.join(root, 'cache'), jobs: 2, failFast: false, conflictPolicy: 'build', keyOptions: {}, log: silentLogger, ...extra,
  });
  return { root, f, sync };
}

test('first sync builds dependencies first, second sync does nothing and starts no container', async () => {
  const { root, f, sync } = await setup();
  const first = await sync();
  assert.equal(first.ok, true);
  assert.deepEqual(f.builds, ['leaf 1.0-1 []', 'other 2.0-1 []', 'mid 1.0-1 [python3-leaf_1.0-1_all.deb]', 'top 1.0-1 [python3-mid_1.0-1_all.deb python3-leaf_1.0-1_all.deb]']);
  assert.deepEqual(f.publishes, [['python3-leaf_1.0-1_all.deb', 'python3-other_2.0-1_all.deb'], ['python3-mid_1.0-1_all.deb'], ['python3-top_1.0-1_all.deb']]);
  assert.equal(first.containersStarted, 5); // 1 archive query + 4 builds
  assert.deepEqual(first.targets[0].fromDistro, [{ project: 'six', binary: 'python3-six', distroVersion: '1.16.0-4', requiredBy: ['top'] }]);

  const second = await sync();
  assert.equal(second.ok, true);
  assert.equal(second.containersStarted, 0);
  assert.equal(f.builds.length, 4);
  assert.deepEqual(second.targets[0].packages.map((p) => `${p.name}:${p.status}:${p.reason}`), [
    'leaf:skipped:unchanged (same build key)', 'mid:skipped:unchanged (same build key)',
    'other:skipped:unchanged (same build key)', 'top:skipped:unchanged (same build key)',
  ]);
  const files = await writeReport(path.join(root, 'reports'), second);
  assert.match(await readFile(files.markdown, 'utf8'), /\| top \| 1\.0 \| skipped \| unchanged/);
  assert.equal(JSON.parse(await readFile(path.join(root, 'reports/latest.json'), 'utf8')).runId, second.runId);
});

test('a new upstream release rebuilds it and its dependents (new revision), nothing else', async () => {
  const { f, sync } = await setup();
  await sync();
  f.builds.length = 0;
  f.index.leaf['1.1'] = [];
  const r = await sync();
  assert.deepEqual(f.builds, ['leaf 1.1-1 []', 'mid 1.0-2 [python3-leaf_1.1-1_all.deb]', 'top 1.0-2 [python3-mid_1.0-2_all.deb python3-leaf_1.1-1_all.deb]']);
  const leaf = r.targets[0].packages.find((p) => p.name === 'leaf')!;
  assert.equal(leaf.previousVersion, '1.0');
  assert.equal(leaf.reason, 'new version (was 1.0)');
  assert.equal(r.summary.versionsChanged, 1);
  assert.match(reportMarkdown(r), /\| leaf \| 1\.0 → 1\.1 \| built \|/);
});

test('one failing build: the others are published, dependents fail with the reason, the report has the log', async () => {
  const { root, f, sync } = await setup();
  f.failBuild.add('mid');
  const r = await sync();
  assert.equal(r.ok, false);
  const by = Object.fromEntries(r.targets[0].packages.map((p) => [p.name, p]));
  assert.equal(by.leaf.status, 'built');
  assert.equal(by.other.status, 'built');
  assert.equal(by.mid.status, 'failed');
  assert.equal(by.mid.code, 'E_BUILD_FAILED');
  assert.match(by.mid.logPath!, /logs\/.*\/debian-bookworm\/mid-1\.0\.build\.log$/);
  assert.equal(await readFile(by.mid.logPath!, 'utf8'), 'building mid\n');
  assert.equal(by.top.status, 'failed');
  assert.equal(by.top.reason, 'needs mid, which failed in this run');
  assert.deepEqual(r.targets[0].published.sort(), ['python3-leaf_1.0-1_all.deb', 'python3-other_2.0-1_all.deb']);
  const state = JSON.parse(await readFile(stateFileOf(path.join(root, 'state')), 'utf8'));
  assert.deepEqual(Object.keys(state.targets['debian-bookworm']).sort(), ['leaf', 'other']);
  // The fix lands: only the failed ones are built next time.
  f.failBuild.clear();
  f.builds.length = 0;
  assert.equal((await sync()).ok, true);
  assert.deepEqual(f.builds.map((b) => b.split(' ')[0]), ['mid', 'top']);
});

test('--fail-fast stops starting builds after a failure', async () => {
  const { f, sync } = await setup();
  f.failBuild.add('leaf');
  const r = await sync({ failFast: true, jobs: 1 });
  assert.equal(r.ok, false);
  assert.deepEqual(f.builds.map((b) => b.split(' ')[0]), ['leaf']);
  const by = Object.fromEntries(r.targets[0].packages.map((p) => [p.name, p.status]));
  assert.deepEqual(by, { leaf: 'failed', mid: 'failed', other: 'skipped', top: 'failed' });
  assert.equal(r.targets[0].packages.find((p) => p.name === 'other')!.reason, 'not attempted: an earlier package failed (--fail-fast)');
});

test('a failed publish keeps the previous state: the next run builds again', async () => {
  const { root, f, sync } = await setup();
  await sync();
  f.index.other['2.1'] = [];
  f.failPublish = true;
  const r = await sync();
  const other = r.targets[0].packages.find((p) => p.name === 'other')!;
  assert.equal(other.status, 'failed');
  assert.match(other.reason, /built, but publishing failed: repository is locked/);
  const state = JSON.parse(await readFile(stateFileOf(path.join(root, 'state')), 'utf8'));
  assert.equal(state.targets['debian-bookworm'].other.version, '2.0');
  f.failPublish = false;
  f.builds.length = 0;
  await sync();
  assert.deepEqual(f.builds, ['other 2.1-1 []']);
});
