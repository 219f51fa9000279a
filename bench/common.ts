/**
 * Shared by the publish benchmarks: 3 runs, medians, the reference tool timed in the same run on
 * the same generated files, and one JSON row per measure (appended to $BENCH_ROWS for `make bench`,
 * which prints them as one table). Nothing here asserts anything about time.
 */
import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';

export const RUNS = Number(process.env.BENCH_RUNS ?? 3);

/**
 * Wall time of `fn`, for py2distro and the reference alike. Untimed first: `sync`, so that the
 * writeback of the set-up before it (removing the last run's repository: thousands of unlinks in
 * one journal transaction) is not paid by whichever tool happens to be measured next.
 */
export async function seconds(fn: () => Promise<unknown>): Promise<number> {
  await execa('sync');
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export interface Row {
  measure: string;
  n: number;
  py2distro: number;
  reference: number;
  referenceTool: string;
  goal: string;
}

/** Print one measure and append it to $BENCH_ROWS (JSON lines) when set. */
export async function report(row: Row): Promise<void> {
  const ratio = row.py2distro / row.reference;
  console.log(`${row.measure} (n=${row.n}): py2distro ${row.py2distro.toFixed(3)} s, ${row.referenceTool} ${row.reference.toFixed(3)} s, ratio ${ratio.toFixed(2)} (goal ${row.goal})`);
  if (process.env.BENCH_ROWS) await appendFile(process.env.BENCH_ROWS, `${JSON.stringify({ ...row, ratio })}\n`);
}

/** A throw-away GnuPG home holding the org secret key (for the reference tools: gpg, rpmsign). */
export async function gpgHomeWith(armoredSecretKey: string): Promise<{ home: string; fingerprint: string }> {
  const home = await mkdtemp(path.join(os.tmpdir(), 'p2d-bench-gpg-'));
  const keyFile = path.join(home, 'key.asc');
  await writeFile(keyFile, armoredSecretKey, { mode: 0o600 });
  await execa('gpg', ['--homedir', home, '--batch', '--import', keyFile]);
  const listed = await execa('gpg', ['--homedir', home, '--with-colons', '--list-secret-keys']);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listed.stdout)![1]!;
  await mkdir(home, { recursive: true });
  return { home, fingerprint };
}

/**
 * N small .debs as `dpkg-deb --build` makes them by default (control.tar.xz + data.tar.xz), named
 * python3-bench<i>_1.0-1_all.deb in `dir`; files already there are reused (bench/apt-publish.ts,
 * bench/xz-decode.ts).
 */
export async function generateDebs(dir: string, n: number): Promise<string[]> {
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
