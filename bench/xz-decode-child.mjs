// The timed part of bench/xz-decode.ts, in plain JavaScript so that it runs under plain `node` as
// the CLI does (no TypeScript loader in the process): node xz-decode-child.mjs MODE LIST ROOT.
// Prints {"cold": ms, "warm": ms}: the first and the second pass over the same inputs.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import xzDecompressModule from 'xz-decompress';

const [mode, listFile, root] = process.argv.slice(2);
const files = JSON.parse(await readFile(listFile, 'utf8'));
const debs = await Promise.all(files.map((f) => readFile(f)));
const { listArMembers } = await import(path.join(root, 'dist/distro/deb/ar.js'));
const members = debs.map((d) => {
  const m = listArMembers(d).find((x) => x.name === 'control.tar.xz');
  return d.subarray(m.offset, m.offset + m.size);
});
let pass;
if (mode === 'ours') {
  const { xzDecompressSync } = await import(path.join(root, 'dist/lib/compress/xz.js'));
  pass = async () => { for (const m of members) xzDecompressSync(m, { maxOutput: 32 << 20 }); };
} else if (mode === 'xz-decompress') {
  // What src/distro/deb/deb-file.ts did before: one chunk in, chunks out, concatenated.
  const { XzReadableStream } = xzDecompressModule;
  pass = async () => {
    for (const m of members) {
      const input = new ReadableStream({ start(c) { c.enqueue(m); c.close(); } });
      const reader = new XzReadableStream(input).getReader();
      const chunks = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
      Buffer.concat(chunks);
    }
  };
} else {
  const { readDebInfo } = await import(path.join(root, 'dist/distro/deb/deb-file.js'));
  pass = async () => { for (const d of debs) await readDebInfo(d); };
}
const t0 = performance.now();
await pass();
const t1 = performance.now();
await pass();
const t2 = performance.now();
console.log(JSON.stringify({ cold: t1 - t0, warm: t2 - t1 }));
