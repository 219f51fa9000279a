/**
 * The incremental Packages / Packages.gz (stages/publish/apt/index-update.ts): after any sequence
 * of additions and removals the text is exactly the sorted join of the entries a full rebuild
 * would write, the .gz decompresses (zlib, and gzip(1)) to exactly that text, and unchanged
 * members are copied rather than recompressed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { rebuildIndex, retentionEdit } from '../../../../src/stages/publish/apt/index-update.js';
import { readMembers, gzipMember, MEMBER_TARGET } from '../../../../src/lib/compress/gzip-members.js';
import { byteString, compareEntries, PackagesText, type AptIndexEntry } from '../../../../src/stages/publish/apt/packages-index.js';

const CODENAME = 'bookworm';

/** A deterministic pseudo-random sequence (tests must replay). */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

function entry(name: string, version: string, arch = 'all', extra = ''): AptIndexEntry {
  const filename = `pool/${CODENAME}/main/p/${name}_${version}_${arch}.deb`;
  const text = byteString(`Package: ${name}\nVersion: ${version}\nArchitecture: ${arch}\nMaintainer: Zoë Example <z@example.com>\n`
    + `Filename: ${filename}\nSize: 100\nSHA256: ${'c'.repeat(64)}\nDescription: package ${name}${extra}\n long text ${'x'.repeat(200)}`);
  return { package: name, version, architecture: arch, filename, sha256: 'c'.repeat(64), size: 100, text };
}

function expected(entries: AptIndexEntry[]): Buffer {
  const sorted = [...entries].sort(compareEntries);
  return Buffer.from(sorted.map((e) => e.text).join('\n\n') + (sorted.length ? '\n' : ''), 'latin1');
}

/** What the next publish reads back: the text indexed and the members of the .gz. */
function readBack(text: Buffer, gz: Buffer) {
  const packages = new PackagesText(text.toString('latin1'), CODENAME);
  const members = readMembers(gz, packages.text.length, new Set(packages.spans.map((s) => s.start)));
  return { base: packages, members };
}

test('random additions and removals: text and .gz equal a full rebuild, unchanged members are copied', async () => {
  const random = rng(42);
  let current: AptIndexEntry[] = [];
  let text = Buffer.alloc(0);
  let gz = await gzipMember(Buffer.alloc(0));
  let reusedSomewhere = false;
  for (let round = 0; round < 40; round++) {
    const { base: packages, members } = readBack(text, gz);
    if (round > 0) assert.ok(members, `round ${round}: the .gz written last round is read back as members`);
    const inserts: AptIndexEntry[] = [];
    const count = round === 0 ? 1500 : Math.floor(random() * 4);
    for (let i = 0; i < count; i++) {
      const name = `python3-r${Math.floor(random() * 3000)}`;
      const version = `${1 + Math.floor(random() * 5)}.${round}-1`;
      const arch = random() < 0.2 ? 'amd64' : 'all';
      const e = entry(name, version, arch);
      if (![...current, ...inserts].some((x) => x.filename === e.filename)) inserts.push(e);
    }
    const removed = new Set<number>();
    if (round > 0) for (let i = 0; i < Math.floor(random() * 3); i++) removed.add(Math.floor(random() * packages.size));
    const kept = packages.all().filter((_, i) => !removed.has(i));
    const out = await rebuildIndex({ base: packages, members, inserts, removed });
    current = [...kept, ...inserts];
    assert.deepEqual(out.text, expected(current), `round ${round}: text`);
    assert.deepEqual(gunzipSync(out.gz), out.text, `round ${round}: zlib reads the members as one stream`);
    if (round > 0 && out.reused > 0) reusedSomewhere = true;
    if (round > 0) assert.ok(out.compressed <= 2 * (inserts.length + removed.size) + 1, `round ${round}: ${out.compressed} members recompressed for ${inserts.length + removed.size} change(s)`);
    text = out.text;
    gz = out.gz;
  }
  assert.ok(reusedSomewhere);
  assert.ok(text.length > 4 * MEMBER_TARGET, 'the index spans many members');
  assert.deepEqual(execFileSync('gzip', ['-dc'], { input: gz, maxBuffer: 64 * 1024 * 1024 }), text, 'gzip(1) reads it too');
});

test('edge cases: append after the last member, remove the tail, remove everything, empty to one', async () => {
  const many = Array.from({ length: 600 }, (_, i) => entry(`python3-e${String(i).padStart(4, '0')}`, '1.0-1'));
  let out = await rebuildIndex({ base: new PackagesText('', CODENAME), inserts: many, removed: new Set() });
  let state = readBack(out.text, out.gz);
  assert.ok(state.members && state.members.length > 1);
  // After the last one (sorts last): the last member changes (its final newline), the others are copied.
  out = await rebuildIndex({ ...state, inserts: [entry('python3-zzz', '1.0-1')], removed: new Set() });
  assert.deepEqual(out.text, expected([...many, entry('python3-zzz', '1.0-1')]));
  assert.equal(out.compressed, 1);
  state = readBack(out.text, out.gz);
  // Remove the whole last member's paragraphs: the member before it must not end the file with a blank line.
  const lastMember = state.members!.at(-1)!;
  const tail = new Set(state.base.spans.map((s, i) => [s, i] as const).filter(([s]) => s.start >= lastMember.textStart).map(([, i]) => i));
  out = await rebuildIndex({ ...state, inserts: [], removed: tail });
  assert.deepEqual(out.text, expected(state.base.all().filter((_, i) => !tail.has(i))));
  assert.ok(out.text.toString('latin1').endsWith('\n') && !out.text.toString('latin1').endsWith('\n\n'));
  assert.deepEqual(gunzipSync(out.gz), out.text);
  state = readBack(out.text, out.gz);
  out = await rebuildIndex({ ...state, inserts: [], removed: new Set(state.base.spans.map((_, i) => i)) });
  assert.equal(out.text.length, 0);
  assert.equal(gunzipSync(out.gz).length, 0);
  state = readBack(out.text, out.gz);
  out = await rebuildIndex({ ...state, inserts: [entry('python3-one', '1.0-1')], removed: new Set() });
  assert.deepEqual(out.text, expected([entry('python3-one', '1.0-1')]));
});

test('a Packages.gz that is not a series of P2 members, or does not tile the text, is not reused', async () => {
  const entries = Array.from({ length: 500 }, (_, i) => entry(`python3-m${i}`, '1.0-1'));
  const out = await rebuildIndex({ base: new PackagesText('', CODENAME), inserts: entries, removed: new Set() });
  const packages = new PackagesText(out.text.toString('latin1'), CODENAME);
  const starts = new Set(packages.spans.map((s) => s.start));
  assert.ok(readMembers(out.gz, out.text.length, starts));
  const { gzipSync } = await import('node:zlib');
  assert.equal(readMembers(gzipSync(out.text), out.text.length, starts), undefined, 'one plain member (older py2distro)');
  assert.equal(readMembers(out.gz, out.text.length + 1, starts), undefined, 'another text length');
  assert.equal(readMembers(out.gz.subarray(0, out.gz.length - 1), out.text.length, starts), undefined, 'truncated');
  const lying = Buffer.from(out.gz);
  lying.writeUInt32LE(lying.readUInt32LE(16) + 1, 16); // the first member's length field
  assert.equal(readMembers(lying, out.text.length, starts), undefined, 'a length that does not end on a member');
  assert.equal(readMembers(out.gz, out.text.length, new Set([0])), undefined, 'boundaries that are not paragraph starts');
});

test('retention: only names over the limit, per architecture, newest kept', () => {
  const base = new PackagesText(expected([entry('python3-a', '1.0-1'), entry('python3-a', '2.0-1'), entry('python3-b', '1.0-1'), entry('python3-a', '1.0-1', 'amd64')]).toString('latin1'), CODENAME);
  const r = retentionEdit(base, [entry('python3-a', '3.0-1'), entry('python3-c', '0.1-1')], 2);
  assert.deepEqual(r.pruned.map((e) => `${e.package} ${e.version} ${e.architecture}`), ['python3-a 1.0-1 all']);
  assert.deepEqual([...r.removed].map((i) => base.entry(i).version), ['1.0-1']);
  assert.equal(r.inserts.length, 2);
  const older = retentionEdit(base, [entry('python3-a', '0.5-1')], 2);
  assert.deepEqual(older.pruned.map((e) => e.version), ['0.5-1']);
  assert.equal(older.inserts.length, 0, 'an added version older than the kept ones is pruned at once');
});

test('an index py2distro did not lay out (Package not first, unsorted) is still read right and spliced validly', async () => {
  const a = entry('python3-a', '1.0-1');
  const z = entry('python3-z', '1.0-1');
  const movedFirst = (e: AptIndexEntry) => e.text.replace(/^(Package: [^\n]*)\n(Version: [^\n]*)\n/, '$2\n$1\n');
  const text = `${movedFirst(z)}\n\n${a.text}\n`;
  const base = new PackagesText(text, CODENAME);
  assert.deepEqual(base.spans.map((s) => s.name), ['python3-z', 'python3-a'], 'the name found by parsing when it is not the first line');
  assert.deepEqual(base.indexesOf('python3-z'), [0]);
  const out = await rebuildIndex({ base, inserts: [entry('python3-m', '1.0-1')], removed: new Set([1]) });
  const names = new PackagesText(out.text.toString('latin1'), CODENAME).all().map((e) => e.package).sort();
  assert.deepEqual(names, ['python3-m', 'python3-z']);
  assert.deepEqual(gunzipSync(out.gz), out.text);
});
