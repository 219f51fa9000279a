/**
 * The per-package blocks of primary, filelists and other.xml (stages/publish/yum-metadata.ts) and
 * the repomd.xml py2distro renders (yum-state.ts): what a generation carries over from the
 * previous one must be exactly one package per block, the three documents must agree, and
 * anything else is E_REPO_CORRUPT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignBlocks, joinRepodata, splitDocument, splitRepodata, type RepodataType } from '../../../../src/stages/publish/yum-metadata.js';
import { parseRepomd, renderRepomd } from '../../../../src/stages/publish/yum-state.js';

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

test('split and join round-trip byte for byte, sorted by location like createrepo_c', () => {
  const docs = docsOf(a, b);
  const packages = splitRepodata(docs, where);
  assert.deepEqual(packages.map((p) => p.entry.file), ['Packages/python3-a-1.0-1.noarch.rpm', 'Packages/python3-b-1.0-1.noarch.rpm']);
  assert.deepEqual(joinRepodata(packages), docs);
  assert.deepEqual(joinRepodata([...packages].reverse()), docs, 'order of input does not matter');
  assert.deepEqual(joinRepodata([]), docsOf(), 'an empty repository');
  // Documents with a trailing newline (other createrepo_c versions) and without xmlns:rpm read the same.
  assert.equal(splitDocument(`${docs.filelists}\n`, 'filelists', 'f').length, 2);
  assert.equal(splitDocument(docs.primary.replace(' xmlns:rpm="http://linux.duke.edu/metadata/rpm"', ''), 'primary', 'p').length, 2);
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
    assert.throws(() => splitDocument(xml, type, 'x'), corrupt, why);
  }
  // <packager> is not a second <package>.
  assert.equal(splitDocument(doc('primary', [a.primary]), 'primary', 'p').length, 1);
});

test('the three documents must describe the same packages in the same order', () => {
  const blocks = { primary: [a.primary, b.primary], filelists: [a.filelists, b.filelists], other: [a.other, b.other] };
  assert.equal(alignBlocks(blocks, where).length, 2);
  assert.throws(() => alignBlocks({ ...blocks, filelists: [b.filelists, a.filelists] }, where), corrupt, 'swapped order');
  assert.throws(() => alignBlocks({ ...blocks, other: [a.other] }, where), corrupt, 'one missing');
  assert.throws(() => alignBlocks({ ...blocks, other: [a.other, a.other] }, where), corrupt, 'a duplicate');
  const otherSum = pkg('python3-b', 'c'.repeat(64));
  assert.throws(() => alignBlocks({ ...blocks, filelists: [a.filelists, otherSum.filelists] }, where), corrupt, 'another pkgid');
  const renamed = b.other.replace('name="python3-b"', 'name="python3-evil"');
  assert.throws(() => alignBlocks({ ...blocks, other: [a.other, renamed] }, where), corrupt, 'another name');
  const outside = b.primary.replace('Packages/python3-b-1.0-1.noarch.rpm', '../../python3-b-1.0-1.noarch.rpm');
  assert.throws(() => alignBlocks({ ...blocks, primary: [a.primary, outside] }, where), corrupt, 'a location outside Packages/');
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
