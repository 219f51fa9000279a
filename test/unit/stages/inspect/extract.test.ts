/**
 * Safe extraction: hostile archives are built header by header (node-tar's writer would refuse to
 * produce them) and must be refused before anything is written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Header } from 'tar';
import { extractSdist } from '../../../../src/stages/inspect/extract.js';

interface RawEntry { path: string; type?: string; body?: string; size?: number; linkpath?: string }

function rawTar(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const h = new Header({ path: e.path, type: (e.type ?? 'File') as never, size: e.size ?? body.length, mode: 0o644, mtime: new Date('2024-05-01T00:00:00Z'), linkpath: e.linkpath, uid: 0, gid: 0 });
    const block = Buffer.alloc(512);
    h.encode(block, 0);
    blocks.push(block);
    if (body.length) blocks.push(Buffer.concat([body, Buffer.alloc((512 - (body.length % 512)) % 512)]));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

function archive(entries: RawEntry[]): { file: string; dest: string; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'extract-test-'));
  const file = path.join(dir, 'pkg-1.0.tar.gz');
  writeFileSync(file, rawTar(entries));
  return { file, dest: path.join(dir, 'out'), dir };
}

const ok = [{ path: 'pkg-1.0/', type: 'Directory' }, { path: 'pkg-1.0/PKG-INFO', body: 'Name: pkg\n' }];

test('a normal sdist is extracted with its top directory, files and newest mtime', async () => {
  const a = archive([...ok, { path: 'pkg-1.0/pkg/__init__.py', body: 'x = 1\n' }, { path: 'pkg-1.0/link', type: 'SymbolicLink', linkpath: 'pkg/__init__.py' }]);
  const r = await extractSdist(a.file, a.dest);
  assert.equal(r.topName, 'pkg-1.0');
  assert.deepEqual(r.files, ['PKG-INFO', 'pkg/__init__.py']);
  assert.equal(r.newestMtime, Date.parse('2024-05-01T00:00:00Z') / 1000);
  assert.ok(existsSync(path.join(a.dest, 'pkg-1.0/pkg/__init__.py')));
});

const hostile: [string, RawEntry[], RegExp][] = [
  ['parent traversal', [...ok, { path: 'pkg-1.0/../../evil.sh', body: 'x' }], /E_SDIST_UNSAFE|\.\./],
  ['absolute path', [...ok, { path: '/tmp/evil-abs', body: 'x' }], /absolute|top-level/],
  ['symlink out of the tree', [...ok, { path: 'pkg-1.0/etc', type: 'SymbolicLink', linkpath: '../../../etc' }], /points outside/],
  ['absolute symlink', [...ok, { path: 'pkg-1.0/etc', type: 'SymbolicLink', linkpath: '/etc' }], /points outside/],
  ['write through a symlink', [...ok, { path: 'pkg-1.0/d', type: 'SymbolicLink', linkpath: 'pkg' }, { path: 'pkg-1.0/d/x', body: 'x' }], /below a symbolic link/],
  ['hardlink out of the tree', [...ok, { path: 'pkg-1.0/h', type: 'Link', linkpath: 'etc/passwd' }], /points outside/],
  // Each link looks inside when ".." is normalised lexically; on disk u2 is three levels above the
  // tree. README is listed first so node-tar's own check (which looks at what exists) lets it pass.
  ['symlink chain climbing through other links', [...ok, { path: 'pkg-1.0/sub/', type: 'Directory' },
    { path: 'pkg-1.0/README', type: 'SymbolicLink', linkpath: 'sub/u2/etc/hostname' },
    { path: 'pkg-1.0/sub/u0', type: 'SymbolicLink', linkpath: '..' },
    { path: 'pkg-1.0/sub/u1', type: 'SymbolicLink', linkpath: 'u0/..' },
    { path: 'pkg-1.0/sub/u2', type: 'SymbolicLink', linkpath: 'u1/..' }], /through another symbolic link/],
  ['hardlink through a symlink', [...ok, { path: 'pkg-1.0/d', type: 'SymbolicLink', linkpath: '.' }, { path: 'pkg-1.0/h', type: 'Link', linkpath: 'pkg-1.0/d/PKG-INFO' }], /through another symbolic link/],
  ['a checked file replaced by a later entry of the same name', [...ok, { path: 'pkg-1.0/setup.py', body: 'x' }, { path: 'pkg-1.0/setup.py', type: 'SymbolicLink', linkpath: 'PKG-INFO' }], /more than once/],
  ['write through a symlink of another case', [...ok, { path: 'pkg-1.0/D', type: 'SymbolicLink', linkpath: 'pkg' }, { path: 'pkg-1.0/d/x', body: 'x' }], /below a symbolic link/],
  ['character device', [...ok, { path: 'pkg-1.0/null', type: 'CharacterDevice' }], /device/],
  ['FIFO', [...ok, { path: 'pkg-1.0/fifo', type: 'FIFO' }], /device, FIFO/],
  ['two top-level directories', [...ok, { path: 'other/x', body: 'x' }], /more than one top-level/],
  ['file at the top', [{ path: 'setup.py', body: 'x' }], /not a directory/],
];

for (const [name, entries, why] of hostile) {
  test(`refused: ${name}, and nothing is written`, async () => {
    const a = archive(entries);
    await assert.rejects(extractSdist(a.file, a.dest), why);
    assert.equal(existsSync(a.dest), false);
    assert.deepEqual(readdirSync(a.dir), ['pkg-1.0.tar.gz']);
  });
}

test('a decompression bomb fails on its headers (declared size, entry count)', async () => {
  const big = archive([...ok, { path: 'pkg-1.0/zeros', size: 8 * 1024 * 1024 * 1024 }]);
  await assert.rejects(extractSdist(big.file, big.dest), /E_SDIST_TOO_LARGE|bytes uncompressed/);
  const many = archive([...ok, ...Array.from({ length: 50 }, (_, i) => ({ path: `pkg-1.0/f${i}`, body: 'x' }))]);
  await assert.rejects(extractSdist(many.file, many.dest, { maxFiles: 20, maxBytes: 1 << 20 }), /more than 20 entries/);
  assert.equal(existsSync(many.dest), false);
});

function zip(entries: Record<string, string>, symlink?: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'extract-zip-'));
  const file = path.join(dir, 'pkg-1.0.zip');
  const script = `import zipfile,sys,json
z=zipfile.ZipFile(sys.argv[1],'w')
for k,v in json.loads(sys.argv[2]).items(): z.writestr(k,v)
if sys.argv[3]:
    i=zipfile.ZipInfo(sys.argv[3]); i.external_attr=(0o120777<<16); z.writestr(i,'/etc/passwd')
z.close()`;
  execFileSync('/usr/bin/python3', ['-c', script, file, JSON.stringify(entries), symlink ?? '']);
  return file;
}

test('zip sdists: extracted when clean; traversal and symlinks refused', async () => {
  const good = zip({ 'pkg-1.0/PKG-INFO': 'Name: pkg\n', 'pkg-1.0/pkg/__init__.py': '' });
  const r = await extractSdist(good, path.join(path.dirname(good), 'out'));
  assert.deepEqual(r.files, ['PKG-INFO', 'pkg/__init__.py']);
  const evil = zip({ 'pkg-1.0/PKG-INFO': 'x', 'pkg-1.0/../../evil': 'x' });
  await assert.rejects(extractSdist(evil, path.join(path.dirname(evil), 'out')), /E_SDIST_UNSAFE|invalid relative path|\.\./);
  const link = zip({ 'pkg-1.0/PKG-INFO': 'x' }, 'pkg-1.0/passwd');
  await assert.rejects(extractSdist(link, path.join(path.dirname(link), 'out')), /special file/);
});

test('setuid, setgid, sticky and group/other-write bits are not extracted', async () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'extract-mode-'));
  const src = path.join(work, 'src');
  execFileSync('mkdir', ['-p', path.join(src, 'modes-1.0')]);
  writeFileSync(path.join(src, 'modes-1.0', 'PKG-INFO'), 'Metadata-Version: 2.1\nName: modes\nVersion: 1.0\n');
  writeFileSync(path.join(src, 'modes-1.0', 'run.sh'), '#!/bin/sh\n');
  execFileSync('chmod', ['6777', path.join(src, 'modes-1.0', 'run.sh')]);
  const archive = path.join(work, 'modes-1.0.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', src, 'modes-1.0']);
  const r = await extractSdist(archive, path.join(work, 'out'));
  assert.equal((statSync(path.join(r.topDir, 'run.sh')).mode & 0o7777).toString(8), '755');
});
