/**
 * Our xz decoder (src/lib/compress/xz.ts) against the one it replaced, xz-decompress (wasm,
 * stream-based; kept as a devDependency for this benchmark only), on the same real
 * control.tar.xz members of N small .debs built by dpkg-deb (-Zxz, as bench/apt-publish.ts
 * builds them; BENCH_DIR/debs is reused when it has enough). Each measure runs in a fresh Node
 * plain-node process (bench/xz-decode-child.mjs), because a publishing CLI pays the engine's
 * warm-up: "cold" is the first pass over the N members, "warm" a second pass in that process. Also readDebInfo over the N .debs
 * (cold), and, when BENCH_BEFORE names another checkout with dist/ built (e.g. main), its
 * readDebInfo in the same run. Uses dist/ (run `make build` first). BENCH_XZ_N (2000),
 * BENCH_RUNS (3); medians. Nothing here asserts anything about time.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generateDebs, median, report, RUNS } from './common.ts';

const N = Number(process.env.BENCH_XZ_N ?? 2000);
const work = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'py2distro-bench-apt');
const ROOT = path.resolve('.');

async function measure(mode: string, listFile: string, root = ROOT): Promise<{ cold: number; warm: number }> {
  const colds: number[] = [];
  const warms: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const r = await execa('node', ['bench/xz-decode-child.mjs', mode, listFile, root]);
    const { cold, warm } = JSON.parse(r.stdout.trim().split('\n').pop()!);
    colds.push(cold);
    warms.push(warm);
  }
  return { cold: median(colds), warm: median(warms) };
}

if (!existsSync('dist/lib/compress/xz.js')) throw new Error('dist/ is not built: run `make build` first');
const files = await generateDebs(path.join(work, 'debs'), N);
const listFile = path.join(work, `xz-bench-${N}.json`);
await writeFile(listFile, JSON.stringify(files));
const us = (ms: number) => ((ms * 1000) / N).toFixed(1);
const ours = await measure('ours', listFile);
const wasm = await measure('xz-decompress', listFile);
console.log(`control.tar.xz of ${N} dpkg-deb .debs, ${RUNS} fresh processes each, medians:`);
console.log(`  py2distro xz     cold ${us(ours.cold)} µs/file (${ours.cold.toFixed(1)} ms)   warm ${us(ours.warm)} µs/file`);
console.log(`  xz-decompress    cold ${us(wasm.cold)} µs/file (${wasm.cold.toFixed(1)} ms)   warm ${us(wasm.warm)} µs/file`);
console.log(`  ratio xz-decompress / py2distro: cold ${(wasm.cold / ours.cold).toFixed(1)}x, warm ${(wasm.warm / ours.warm).toFixed(1)}x`);
const info = await measure('readDebInfo', listFile);
console.log(`readDebInfo x ${N}: cold ${info.cold.toFixed(1)} ms (${us(info.cold)} µs/file), warm ${info.warm.toFixed(1)} ms`);
const beforeRoot = process.env.BENCH_BEFORE;
if (beforeRoot) {
  const before = await measure('readDebInfo', listFile, path.resolve(beforeRoot));
  console.log(`readDebInfo x ${N} at ${beforeRoot}: cold ${before.cold.toFixed(1)} ms (${us(before.cold)} µs/file), warm ${before.warm.toFixed(1)} ms; ratio before / now: cold ${(before.cold / info.cold).toFixed(1)}x`);
}
await report({ measure: 'xz decode of control.tar.xz (cold, s total)', n: N, py2distro: ours.cold / 1000, reference: wasm.cold / 1000, referenceTool: 'xz-decompress (wasm, the decoder replaced)', goal: '<= 10 µs/file' });
