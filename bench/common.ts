/**
 * Shared by the publish benchmarks: 3 runs, medians, the reference tool timed in the same run on
 * the same generated files, and one JSON row per measure (appended to $BENCH_ROWS for `make bench`,
 * which prints them as one table). Nothing here asserts anything about time.
 */
import { appendFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';

export const RUNS = Number(process.env.BENCH_RUNS ?? 3);

export async function seconds(fn: () => Promise<unknown>): Promise<number> {
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
