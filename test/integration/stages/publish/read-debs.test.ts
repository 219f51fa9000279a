/**
 * Reading publish inputs in worker threads (stages/publish/read-debs.ts, compiled: workers run
 * dist/): the same facts as this thread reads, in input order; a broken .deb is the same refusal;
 * what is not a .deb comes back for this thread; the CLI publishing hundreds of inputs uses them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli, ROOT } from '../../../helpers/cli.ts';
import { makeDeb, makeOrgKey } from '../../../helpers/packages.ts';

const dist = (rel: string) => import(path.join(ROOT, 'dist', rel));

test('workers read what this thread reads, in order; refusals and non-debs come back as such', async () => {
  const { readInWorkers, workerError } = await dist('stages/publish/read-debs.js');
  const { readDebInfo } = await dist('distro/deb/deb-file.js');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-read-debs-'));
  try {
    const debs = [await makeDeb(dir, { name: 'python3-a', version: '1.0-1' }), await makeDeb(dir, { name: 'python3-b', version: '2:3.0-1', arch: 'amd64' })];
    const broken = path.join(dir, 'broken.deb');
    const bytes = await readFile(debs[0]!);
    await writeFile(broken, bytes.subarray(0, bytes.length - 40));
    const other = path.join(dir, 'notes.txt');
    await writeFile(other, 'not a package\n');
    const files = [debs[0]!, other, debs[1]!, broken, debs[0]!];
    for (const threads of [1, 2]) {
      const results = await readInWorkers(files, threads);
      assert.equal(results.length, files.length);
      for (const i of [0, 2, 4]) {
        assert.equal(results[i].kind, 'deb');
        assert.deepEqual(results[i].info, await readDebInfo(await readFile(files[i]!), path.basename(files[i]!)));
        assert.equal(results[i].source.path, files[i]);
      }
      assert.equal(results[1].kind, 'other');
      assert.equal(results[3].kind, 'error');
      const err = workerError(results[3]);
      assert.equal(err.code, 'E_PACKAGE_FORMAT');
      assert.equal(err.exitCode, 1);
      assert.match(err.message, /broken\.deb/);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the CLI publishing hundreds of .debs reads them with workers: all indexed, a broken one refused with nothing published', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-read-debs-'));
  try {
    const key = await makeOrgKey(path.join(dir, 'keys'), 'ed25519');
    const names = Array.from({ length: 420 }, (_, i) => `python3-w${i}`);
    const debs: string[] = [];
    for (let i = 0; i < names.length; i += 8) {
      debs.push(...await Promise.all(names.slice(i, i + 8).map((name) => makeDeb(path.join(dir, 'in'), { name, version: '1.0-1' }))));
    }
    const broken = path.join(dir, 'in', 'broken.deb');
    await writeFile(broken, (await readFile(debs[0]!)).subarray(0, 100));
    const refused = await runCli(['repo', 'publish', path.join(dir, 'bad'), ...debs, broken, '--codename', 'bookworm', '--sign-key', key.file]);
    assert.equal(refused.exitCode, 1, refused.stderr);
    assert.match(refused.stderr, /E_PACKAGE_FORMAT[\s\S]*broken\.deb/);
    const ok = await runCli(['repo', 'publish', path.join(dir, 'repo'), ...debs, '--codename', 'bookworm', '--sign-key', key.file, '--json']);
    assert.equal(ok.exitCode, 0, ok.stderr);
    const added = JSON.parse(ok.stdout).added as Array<{ package: string; path: string }>;
    assert.deepEqual(added.map((a) => a.package), names, 'every input, in input order');
    const packages = await readFile(path.join(dir, 'repo/deb/dists/bookworm/main/binary-amd64/Packages'), 'utf8');
    assert.equal(packages.match(/^Package: /gm)?.length, names.length);
    const copy = path.join(dir, 'copy.deb');
    await copyFile(debs[7]!, copy);
    assert.deepEqual(await readFile(path.join(dir, 'repo', added[7]!.path)), await readFile(copy));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
