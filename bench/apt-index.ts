/**
 * apt index benchmark: N generated .debs (default 2,000).
 *   full    py2distro publish of all N into an empty repo (pool copy, Packages for 2 arches,
 *           .gz/.xz, by-hash, signed Release/InRelease) next to `apt-ftparchive packages` on the
 *           same pool, in the same run;
 *   add-1   adding one package to that repo, signing included, next to apt-ftparchive re-scanning
 *           the pool (without and with its --db cache).
 * Prints numbers; asserts nothing about time.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { publishPackages } from '../src/stages/publish/publish.ts';
import { parseSigningKey } from '../src/stages/sign/key.ts';
import { silentLogger } from '../src/lib/log.ts';
import { makeOrgKey } from '../test/helpers/packages.ts';

const N = Number(process.env.BENCH_N ?? 2000);
const work = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'py2distro-bench-apt');

async function generateDebs(dir: string, n: number): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const have = new Set(await readdir(dir));
  const files: string[] = [];
  const jobs: Array<() => Promise<void>> = [];
  for (let i = 0; i < n; i++) {
    const name = `python3-bench${i}`;
    const file = path.join(dir, `${name}_1.0-1_all.deb`);
    files.push(file);
    if (have.has(path.basename(file))) continue;
    jobs.push(async () => {
      const root = path.join(dir, `.root-${i}`);
      await mkdir(path.join(root, 'DEBIAN'), { recursive: true });
      await mkdir(path.join(root, 'usr/lib/python3/dist-packages'), { recursive: true });
      await writeFile(path.join(root, 'usr/lib/python3/dist-packages', `bench${i}.py`), `N = ${i}\n`.repeat(50));
      await writeFile(path.join(root, 'DEBIAN/control'), `Package: ${name}\nVersion: 1.0-1\nArchitecture: all\nMaintainer: Bench <b@example.com>\nDepends: python3:any\nSection: python\nDescription: bench package ${i}\n Generated.\n`);
      await execa('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', root, file]);
      await rm(root, { recursive: true, force: true });
    });
  }
  const workers = Array.from({ length: os.cpus().length }, async () => { for (let job = jobs.shift(); job; job = jobs.shift()) await job(); });
  await Promise.all(workers);
  return files;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const r = await fn();
  return [(performance.now() - t0) / 1000, r];
}

const debs = await generateDebs(path.join(work, 'debs'), N + 1);
const extra = debs.pop()!;
const k = await makeOrgKey(path.join(work, 'keys'), 'rsa');
const key = await parseSigningKey(k.armored, undefined);
const repoDir = path.join(work, 'repo');
await rm(repoDir, { recursive: true, force: true });
const env = { log: silentLogger, workDir: work, cacheDir: work };

const [full] = await timed(() => publishPackages({ repoDir, files: debs, key, codename: 'bookworm' }, env));
const pool = path.join(repoDir, 'deb');
const [ftp] = await timed(() => execa('apt-ftparchive', ['packages', 'pool'], { cwd: pool, stdout: 'ignore' }));
const [add1] = await timed(() => publishPackages({ repoDir, files: [extra], key, codename: 'bookworm' }, env));
const [add1cli] = await timed(() => execa('node', ['bin/py2distro.js', 'repo', 'publish', repoDir, debs[0]!, '--codename', 'bookworm', '--sign-key', k.file]));
const db = path.join(work, 'ftparchive.db');
if (existsSync(db)) await rm(db);
await execa('apt-ftparchive', ['--db', db, 'packages', 'pool'], { cwd: pool, stdout: 'ignore' });
const [ftpCached] = await timed(() => execa('apt-ftparchive', ['--db', db, 'packages', 'pool'], { cwd: pool, stdout: 'ignore' }));

const f = (s: number) => `${s.toFixed(2)} s`;
console.log(`apt index, ${N} .debs (${os.cpus().length} cores)`);
console.log(`  py2distro full publish (pool copy + index + sign): ${f(full)}`);
console.log(`  apt-ftparchive packages (index only):             ${f(ftp)}   ratio py2distro/apt-ftparchive = ${(full / ftp).toFixed(2)}`);
console.log(`  py2distro add 1 package (API, incl. signing):     ${f(add1)}`);
console.log(`  py2distro add 1 package (CLI, no-op re-publish):  ${f(add1cli)}`);
console.log(`  apt-ftparchive re-scan with --db cache:           ${f(ftpCached)}   ratio add-1/cached re-scan = ${(add1 / ftpCached).toFixed(2)}`);
console.log(`  ratio add-1 / apt-ftparchive full re-scan:        ${(add1 / ftp).toFixed(3)}`);
