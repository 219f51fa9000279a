/**
 * The per-package blocks of primary, filelists and other.xml (stages/publish/yum-metadata.ts) and
 * the repomd.xml py2distro renders (yum-published.ts): what a generation carries over from the
 * previous one must be exactly one package per block, the three documents must agree, and
 * anything else is E_REPO_CORRUPT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  alignDocuments, blockText, documentMembers, parseDocument, planDocuments, primaryEntries, writeDocument, type RepodataPackage, type RepodataType, type YumDocument,
} from '../../../../src/stages/publish/yum-metadata.js';
import { parseRepomd, renderRepomd } from '../../../../src/stages/publish/yum-published.js';

const corrupt = (e: unknown) => (e as { code?: string }).code === 'E_REPO_CORRUPT';
const where = { primary: 'p', filelists: 'f', other: 'o' };

function pkg(name: string, sum: string) {
  const file = `Packages/${name}-1.0-1.noarch.rpm`;
  return {
    primary: `<package type="rpm">\n  <name>${name}</name>\n  <arch>noarch</arch>\n  <version epoch="0" ver="1.0" rel="1"/>\n`
      + `  <checksum type="sha256" pkgid="YES">${sum}</checksum>\n  <summary>a &lt;b&gt;</summary>\n  <packager></packager>\n  <location href="${file}"/>\n</package>\n`,
    filelists: `<package pkgid="${sum}" name="${name}" arch="noarch">\n  <version epoch="0" ver="1.0" rel="1"/>\n  <file>/usr/lib/${name}.py</file>\n</package>\n`,
    other: `<package pkgid="${sum}" name="${name}" arch="noarch">\n  <version epoch="0" ver="1.0" rel="1"/>\n</package>\n`,
  };
}

const HEAD: Record<RepodataType, string> = {
  primary: '<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm"',
  filelists: '<filelists xmlns="http://linux.duke.edu/metadata/filelists"',
  other: '<otherdata xmlns="http://linux.duke.edu/metadata/other"',
};
const CLOSE: Record<RepodataType, string> = { primary: '</metadata>', filelists: '</filelists>', other: '</otherdata>' };
const doc = (type: RepodataType, blocks: string[], count = blocks.length) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${HEAD[type]} packages="${count}">\n${blocks.join('')}${CLOSE[type]}`;

const a = pkg('python3-a', 'a'.repeat(64));
const b = pkg('python3-b', 'b'.repeat(64));
const docsOf = (...ps: Array<ReturnType<typeof pkg>>) =>
  ({ primary: doc('primary', ps.map((p) => p.primary)), filelists: doc('filelists', ps.map((p) => p.filelists)), other: doc('other', ps.map((p) => p.other)) });

const parse = (xml: string, type: RepodataType, where = 'x') => parseDocument(Buffer.from(xml, 'utf8'), type, where);
const blocksOf = (d: YumDocument) => d.starts.map((_, i) => blockText(d, i));
const added = (p: ReturnType<typeof pkg>): RepodataPackage => {
  const [entry] = primaryEntries(parse(doc('primary', [p.primary]), 'primary'));
  return { entry: entry!, blocks: { primary: Buffer.from(p.primary), filelists: Buffer.from(p.filelists), other: Buffer.from(p.other) } };
};

/** Write all three documents of `packages` (new, or on top of `base`), and read them back as published. */
async function publish(items: (base?: Base) => ReturnType<typeof planDocuments>, base?: Base) {
  const out = {} as Record<RepodataType, { xml: string; gz: Buffer; reused: number; compressed: number; doc: YumDocument }>;
  for (const type of ['primary', 'filelists', 'other'] as const) {
    const w = await writeDocument(type, items(base), base?.[type]);
    const text = gunzipSync(w.gz);
    assert.equal(w.openSize, text.length);
    assert.equal(w.openSha256, createHash('sha256').update(text).digest('hex'), 'open-checksum is that of the XML inside');
    out[type] = { xml: text.toString('utf8'), gz: w.gz, reused: w.reused, compressed: w.compressed, doc: parseDocument(text, type, type) };
  }
  return out;
}
type Base = Record<RepodataType, { doc: YumDocument; members?: ReturnType<typeof documentMembers> }> & { entries: ReturnType<typeof primaryEntries> };
const asBase = (w: Awaited<ReturnType<typeof publish>>): Base => ({
  entries: primaryEntries(w.primary.doc),
  primary: { doc: w.primary.doc, members: documentMembers(w.primary.gz, w.primary.doc) },
  filelists: { doc: w.filelists.doc, members: documentMembers(w.filelists.gz, w.filelists.doc) },
  other: { doc: w.other.doc, members: documentMembers(w.other.gz, w.other.doc) },
});

test('documents are parsed into blocks and written back byte for byte, sorted by location like createrepo_c', async () => {
  const docs = docsOf(a, b);
  const primary = parse(docs.primary, 'primary');
  assert.deepEqual(primaryEntries(primary).map((e) => e.file), ['Packages/python3-a-1.0-1.noarch.rpm', 'Packages/python3-b-1.0-1.noarch.rpm']);
  assert.deepEqual(blocksOf(primary), [a.primary, b.primary]);
  const fresh = await publish(() => planDocuments([], [added(b), added(a)], () => true));
  assert.deepEqual({ primary: fresh.primary.xml, filelists: fresh.filelists.xml, other: fresh.other.xml }, docs, 'order of input does not matter');
  const empty = await publish(() => planDocuments([], [], () => true));
  assert.deepEqual({ primary: empty.primary.xml, filelists: empty.filelists.xml, other: empty.other.xml }, docsOf(), 'an empty repository');
  // Documents with a trailing newline (other createrepo_c versions) and without xmlns:rpm read the same.
  assert.equal(parse(`${docs.filelists}\n`, 'filelists').starts.length, 2);
  assert.equal(parse(docs.primary.replace(' xmlns:rpm="http://linux.duke.edu/metadata/rpm"', ''), 'primary').starts.length, 2);
});

test('a publish recompresses only the gzip members its change falls into; the XML is the same as written whole', async () => {
  const many = Array.from({ length: 1500 }, (_, i) => pkg(`python3-p${String(i).padStart(4, '0')}`, createHash('sha256').update(String(i)).digest('hex')));
  const first = await publish(() => planDocuments([], many.map(added), () => true));
  assert.ok(first.primary.compressed > 4, 'the primary document spans several members');
  const base = asBase(first);
  for (const type of ['primary', 'filelists', 'other'] as const) assert.ok(base[type].members?.length, `${type}: members found again`);
  const extra = pkg('python3-p0750x', 'e'.repeat(64));
  const next = await publish((bs) => planDocuments(bs!.entries, [added(extra)], (f) => f !== 'Packages/python3-p0003-1.0-1.noarch.rpm'), base);
  const whole = await publish(() => planDocuments([], [...many, extra].map(added), (f) => f !== 'Packages/python3-p0003-1.0-1.noarch.rpm'));
  for (const type of ['primary', 'filelists', 'other'] as const) {
    assert.equal(next[type].xml, whole[type].xml, `${type}: the same document as written from scratch`);
    // The root start tag (its count), the member with the insertion and the one with the removal.
    assert.ok(next[type].compressed <= 3 && next[type].reused >= first[type].compressed - 3, `${type}: ${next[type].compressed} compressed, ${next[type].reused} reused`);
  }
  assert.deepEqual(primaryEntries(next.primary.doc).map((e) => e.file).filter((f) => /p0750|p0003/.test(f)), ['Packages/python3-p0750-1.0-1.noarch.rpm', 'Packages/python3-p0750x-1.0-1.noarch.rpm']);
  // Many single adds, each at a member boundary or inside one: no member of one package appears,
  // the number of members stays that of the whole document written at once.
  let current = asBase(next);
  let all = [...many.filter((_, i) => i !== 3), extra];
  for (let k = 0; k < 12; k++) {
    const add = pkg(`python3-p${String(k * 125).padStart(4, '0')}z`, createHash('sha256').update(`add${k}`).digest('hex'));
    all = [...all, add];
    const w = await publish((bs) => planDocuments(bs!.entries, [added(add)], () => true), current);
    current = asBase(w);
    for (const type of ['primary', 'filelists', 'other'] as const) {
      const sizes = current[type].members!.map((m) => m.textEnd - m.textStart);
      // Every member but the root start tag and close holds whole runs of blocks, never one alone.
      assert.ok(sizes.slice(1, -1).every((size) => size > 1000), `${type}: no member of one block (${sizes.join(' ')})`);
      assert.ok(w[type].compressed <= 3, `${type}: ${w[type].compressed} compressed`);
    }
  }
  const fromScratch = await publish(() => planDocuments([], all.map(added), () => true));
  assert.equal(current.primary.members!.length, fromScratch.primary.compressed, 'as many members as the document written whole');
  // A .gz of one plain member (an older py2distro, createrepo_c) has no reusable members: written whole once.
  const plain = gzipSync(Buffer.from(docsOf(a, b).primary));
  assert.equal(documentMembers(plain, parse(docsOf(a, b).primary, 'primary')), undefined);
});

test('each document: the createrepo_c root, one package per block, the count it declares', () => {
  for (const [why, xml] of [
    ['count too high', doc('primary', [a.primary], 2)],
    ['count too low', doc('primary', [a.primary, b.primary], 1)],
    ['no count', doc('primary', [a.primary]).replace(/ packages="1"/, '')],
    ['another root', doc('primary', [a.primary]).replace('<metadata', '<filelists')],
    ['unterminated block', doc('primary', [a.primary.replace('</package>\n', '')])],
    ['two packages in one block', doc('primary', [a.primary.replace('</package>\n', b.primary.replace('</package>\n', '') + '</package>\n')], 1)],
    ['text between blocks', doc('primary', [a.primary, 'junk\n', b.primary])],
    ['no root close', doc('primary', [a.primary]).replace('</metadata>', '')],
    ['a forged block in other', doc('other', [a.other.replace('<package pkgid=', '<package evil="1" pkgid=')])],
  ] as const) {
    const type = why === 'a forged block in other' ? 'other' : 'primary';
    assert.throws(() => parse(xml, type), corrupt, why);
  }
  // <packager> is not a second <package>.
  assert.equal(parse(doc('primary', [a.primary]), 'primary').starts.length, 1);
});

test('the three documents must describe the same packages in the same order', () => {
  const primary = parse(doc('primary', [a.primary, b.primary]), 'primary', 'p');
  const entries = primaryEntries(primary);
  const check = (f: string[], o: string[]) => alignDocuments(entries, primary, parse(doc('filelists', f), 'filelists', 'f'), parse(doc('other', o), 'other', 'o'));
  assert.doesNotThrow(() => check([a.filelists, b.filelists], [a.other, b.other]));
  assert.throws(() => check([b.filelists, a.filelists], [a.other, b.other]), corrupt, 'swapped order');
  assert.throws(() => check([a.filelists, b.filelists], [a.other]), corrupt, 'one missing');
  assert.throws(() => check([a.filelists, b.filelists], [a.other, a.other]), corrupt, 'a duplicate');
  const otherSum = pkg('python3-b', 'c'.repeat(64));
  assert.throws(() => check([a.filelists, otherSum.filelists], [a.other, b.other]), corrupt, 'another pkgid');
  const renamed = b.other.replace('name="python3-b"', 'name="python3-evil"');
  assert.throws(() => check([a.filelists, b.filelists], [a.other, renamed]), corrupt, 'another name');
  const outside = b.primary.replace('Packages/python3-b-1.0-1.noarch.rpm', '../../python3-b-1.0-1.noarch.rpm');
  assert.throws(() => primaryEntries(parse(doc('primary', [a.primary, outside]), 'primary')), corrupt, 'a location outside Packages/');
});

test('renderRepomd writes what parseRepomd reads back', () => {
  const files = (['primary', 'filelists', 'other'] as const).map((type, i) => ({
    type, sha256: String(i + 1).repeat(64), size: 10 + i, openSha256: String(i + 4).repeat(64), openSize: 100 + i,
  }));
  const xml = renderRepomd(files, 1796121433);
  assert.deepEqual(parseRepomd(xml, 'r'), files.map((f) => ({ type: f.type, sha256: f.sha256, name: `${f.sha256}-${f.type}.xml.gz` })));
  assert.match(xml, /<revision>1796121433<\/revision>/);
  assert.throws(() => parseRepomd(renderRepomd(files.slice(0, 2), 1), 'r'), corrupt, 'other missing');
});
