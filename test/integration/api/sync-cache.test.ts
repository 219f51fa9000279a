/**
 * Sync's caches (src/api/sync/caches.ts) on a real signed index: a no-op sync revalidates index
 * answers with If-None-Match and reuses them on 304, extracts and renders nothing, starts no
 * container and builds nothing; a changed index answer is picked up; tampered cache entries change
 * nothing that is built. The first sync runs the real pipeline with dpkg-deb standing in for the
 * container build (test/helpers/sync-harness.ts, as bench/sync-noop.ts), so the test needs no builder run.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { syncCacheDir } from '../../../src/api/sync/caches.ts';
import { runCli } from '../../helpers/cli.ts';
import { createSyncSet, type SyncSet } from '../../helpers/sync-harness.ts';

let set: SyncSet;
let dir: string;
let index: SyncSet['index'];
let upstream: SyncSet['upstream'];
const configFile = () => set.configFile;
const cacheDir = () => set.cacheDir;
const publish = (name: string, version: string, deps: string[]) => set.publish(name, version, deps);
const syncInProcess = () => set.syncInProcess();

before(async () => {
  set = await createSyncSet('p2d-sync-cache-', ['cleaf', 'cmid', 'ctop']);
  ({ dir, index, upstream } = set);
  await publish('cleaf', '1.0', []);
  await publish('cmid', '1.0', ['cleaf>=1.0']);
  await publish('ctop', '1.0', ['cmid', 'six>=1.10']);
  const first = await syncInProcess();
  assert.deepEqual(first.built, ['cleaf=1.0', 'cmid=1.0', 'ctop=1.0']);
});

after(async () => {
  await set?.close();
});

test('sync cache: a no-op sync (real CLI) reuses 304 answers, extracts and renders nothing, starts no container, builds nothing', async () => {
  const out = path.join(dir, 'noop-out');
  index.answers.length = 0;
  const r = await runCli(['--config', configFile(), '--cache-dir', cacheDir(), 'sync', '--json', '--out', out], { cwd: dir });
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  const report = JSON.parse(r.stdout);
  assert.equal(report.containersStarted, 0);
  assert.equal(report.summary.built, 0);
  assert.equal(report.summary.skipped, 3);
  // Every project page and signature was revalidated and answered 304; no sdist was downloaded.
  const pages = index.answers.filter((a) => a.path.startsWith('/simple/') || a.path.endsWith('.asc'));
  assert.equal(pages.length, 6, JSON.stringify(index.answers));
  assert.ok(pages.every((a) => a.status === 304), JSON.stringify(pages));
  assert.ok(!index.answers.some((a) => a.path.endsWith('.tar.gz')));
  // Nothing extracted (sdist-*/) and nothing rendered (render-*/) in the kept work directory.
  const kept = (await readdir(out, { recursive: true })).map(String);
  assert.deepEqual(kept.filter((p) => /(^|\/)(sdist-[^/]*|render-\d+)$/.test(p)), []);
});

test('sync cache: a changed index answer is picked up (new release rebuilt with its dependents)', async () => {
  await publish('cleaf', '1.1', []);
  index.answers.length = 0;
  const { built, report } = await syncInProcess();
  assert.deepEqual(built, ['cleaf=1.1', 'cmid=1.0', 'ctop=1.0']);
  assert.ok(index.answers.some((a) => a.path === '/simple/cleaf/' && a.status === 200));
  assert.equal(report.targets[0]!.packages.find((p) => p.name === 'cleaf')!.version, '1.1');
  // And the next one is a no-op again.
  assert.deepEqual((await syncInProcess()).built, []);
});

/** Each change, if believed, would change the build or the trust: see the comments. */
function tamper(kind: string, value: Record<string, unknown>): void {
  // Another digest rebuilds; another dependency list changes the closure.
  if (kind === 'render') value.digest = '0'.repeat(64);
  if (kind === 'inspected') value.requiresDist = [];
  // An empty index page makes the project vanish.
  if (kind === 'index-answer') value.body = Buffer.from('{"meta":{"api-version":"1.0"},"files":[]}').toString('base64');
  // Another signer would be reported (and trusted).
  if (kind === 'trust-verdict') (value.outcome as Record<string, unknown>).signer = 'F'.repeat(40);
}

test('sync cache: tampered cache entries and packs (index answers, metadata, render digests, trust verdicts) change nothing that is built or trusted', async () => {
  const root = syncCacheDir(cacheDir());
  const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
  const kinds = new Set<string>();
  let packs = 0;
  for (const f of files) {
    const entry = JSON.parse(await readFile(f, 'utf8'));
    if (entry.schema === 'py2distro-sealed-pack/1') {
      // A pack (one file of a run's entries, sealed as a whole): edited without its seal.
      packs++;
      const entries = (JSON.parse(entry.body) as [string, string][]).map(([id, text]): [string, string] => {
        const value = JSON.parse(text);
        tamper(id.split('\0')[0]!, value);
        return [id, JSON.stringify(value)];
      });
      await writeFile(f, JSON.stringify({ ...entry, body: JSON.stringify(entries) }));
      continue;
    }
    const value = JSON.parse(entry.value);
    kinds.add(entry.kind);
    tamper(entry.kind, value);
    await writeFile(f, JSON.stringify({ ...entry, value: JSON.stringify(value) }));
  }
  assert.deepEqual([...kinds].sort(), ['index-answer', 'inspected', 'render', 'trust-verdict']);
  assert.ok(packs >= 1, 'the CLI run left a pack');
  const { built, report } = await syncInProcess();
  assert.deepEqual(built, []);
  assert.deepEqual(report.targets[0]!.packages.map((p) => `${p.name}:${p.version}:${p.status}`), ['cleaf:1.1:skipped', 'cmid:1.0:skipped', 'ctop:1.0:skipped']);
  assert.ok(report.targets[0]!.packages.every((p) => p.signature.signer === upstream.fingerprint), JSON.stringify(report.targets[0]!.packages.map((p) => p.signature)));
  // And the real CLI, which reads the (tampered) pack first, agrees.
  const r = await runCli(['--config', configFile(), '--cache-dir', cacheDir(), 'sync', '--json'], { cwd: dir });
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  const cli = JSON.parse(r.stdout);
  assert.equal(cli.summary.built, 0);
  assert.ok(cli.targets[0].packages.every((p: { signature: { signer?: string } }) => p.signature.signer === upstream.fingerprint));
});
