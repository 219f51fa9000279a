/**
 * readDebInfo / readControlMembers on control.tar.xz through our own xz decoder
 * (src/lib/compress/xz.ts): real dpkg-deb output is read as before, a corrupt or oversized
 * control.tar.xz is refused as E_PACKAGE_FORMAT with the decoder's reason, and the 32 MiB cap
 * holds for a control.tar that claims little and expands a lot.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { encodeArMember, listArMembers } from '../../../../src/distro/deb/ar.js';
import { readControlMembers, readDebInfo } from '../../../../src/distro/deb/deb-file.js';
import { makeDeb } from '../../../helpers/packages.js';

let dir: string;
let deb: Buffer;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-debfile-'));
  deb = await readFile(await makeDeb(dir, { name: 'python3-xzdeb', version: '1:2.0-3' }));
});
after(() => rm(dir, { recursive: true, force: true }));

/** The .deb with its control.tar.xz replaced (ar rebuilt as dpkg-deb writes it). */
function withControl(data: Buffer, name = 'control.tar.xz'): Buffer {
  const members = listArMembers(deb);
  const parts: Buffer[] = [Buffer.from('!<arch>\n')];
  for (const m of members) parts.push(encodeArMember(m.name.startsWith('control.tar') ? name : m.name, m.name.startsWith('control.tar') ? data : deb.subarray(m.offset, m.offset + m.size)));
  return Buffer.concat(parts);
}

function controlXz(): Buffer {
  const m = listArMembers(deb).find((x) => x.name === 'control.tar.xz')!;
  return Buffer.from(deb.subarray(m.offset, m.offset + m.size));
}

test('a dpkg-deb .deb (control.tar.xz) reads as it did: fields and members', async () => {
  const info = await readDebInfo(deb, 'x.deb');
  assert.equal(info.package, 'python3-xzdeb');
  assert.equal(info.version, '1:2.0-3');
  const members = await readControlMembers(deb, 'x.deb');
  // The same entries GNU tar lists from what `xz -dc` makes of the member, with the same bytes.
  const tar = execFileSync('xz', ['-dc'], { input: controlXz() });
  const listed = execFileSync('tar', ['-t'], { input: tar }).toString().split('\n').map((n) => n.replace(/^\.\//, '').replace(/\/$/, '')).filter(Boolean);
  assert.deepEqual([...members.keys()].sort(), listed.sort());
  assert.ok(members.has('control'));
  for (const [name, body] of members) assert.deepEqual(body, execFileSync('tar', ['-xO', `./${name}`], { input: tar }), name);
});

test('a corrupt control.tar.xz is E_PACKAGE_FORMAT with the reason', async () => {
  const xz = controlXz();
  xz[xz.length - 40] ^= 0x20; // inside the compressed data or its check
  await assert.rejects(readDebInfo(withControl(xz), 'bad.deb'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'E_PACKAGE_FORMAT');
    assert.match(err.message, /^bad\.deb: cannot decompress control\.tar\.xz \(.+\)$/);
    return true;
  });
  await assert.rejects(readControlMembers(withControl(Buffer.from('not xz at all')), 'bad.deb'), /cannot decompress control\.tar\.xz \(not an xz file \(bad magic bytes\)\)/);
  await assert.rejects(readDebInfo(withControl(execFileSync('xz', ['-c', '--x86', '--lzma2'], { input: execFileSync('xz', ['-dc'], { input: controlXz() }) })), 'bcj.deb'), /unsupported xz filter x86 BCJ/);
});

test('a control.tar.xz that expands past 32 MiB is refused as too large', async () => {
  const bomb = execFileSync('xz', ['-c', '-1', '-T1'], { input: Buffer.alloc(40 * 1024 * 1024) });
  await assert.rejects(readDebInfo(withControl(bomb), 'bomb.deb'), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'E_PACKAGE_FORMAT');
    assert.equal(err.message, 'bomb.deb: control.tar is too large');
    return true;
  });
  await assert.rejects(readControlMembers(withControl(bomb), 'bomb.deb'), /control\.tar is too large/);
});
