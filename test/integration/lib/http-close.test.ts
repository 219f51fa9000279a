/**
 * Regression test for a crash in undici 7 (nodejs/undici#5360): a server that writes the whole
 * body and closes the connection at once (what HTTP/1.0 servers such as `python3 -m http.server`
 * do) while the body is paused by backpressure made undici throw an uncatchable
 * `AssertionError: assert(!this.paused)` from the socket's 'end' handler, killing the process.
 * Every download must finish with the right bytes instead, also into a deliberately slow consumer
 * (a FIFO drained slowly by another process, standing in for a slow disk).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { downloadFile } from '../../../src/lib/http.ts';

const N = 20;
const SIZE = 4 * 1024 * 1024;
const BODY = Buffer.alloc(SIZE);
for (let i = 0; i < SIZE; i++) BODY[i] = (i * 7919) % 251;
const SHA256 = createHash('sha256').update(BODY).digest('hex');

let server: net.Server;
let base: string;
let dir: string;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'http-close-'));
  // HTTP/1.0, no keep-alive: headers, the whole body and FIN in one go. `/nolength` leaves out
  // Content-Length, so only the close ends the body (as http.server does for generated pages).
  server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (request) => {
      const length = request.toString('latin1').startsWith('GET /nolength') ? '' : `Content-Length: ${SIZE}\r\n`;
      socket.write(`HTTP/1.0 200 OK\r\nContent-Type: application/gzip\r\n${length}Connection: close\r\n\r\n`);
      socket.end(BODY);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});

after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test(`${N} downloads from a server that closes right after the body all complete`, async () => {
  const dest = path.join(dir, 'pkg-1.0.tar.gz');
  for (let i = 0; i < N; i++) {
    const url = `${base}/${i % 2 ? 'nolength' : 'files'}/pkg-1.0.tar.gz`;
    const got = await downloadFile(url, dest, { retries: 0 });
    assert.deepEqual(got, { url, sha256: SHA256, size: SIZE }, `download ${i}`);
    assert.equal(createHash('sha256').update(readFileSync(dest)).digest('hex'), SHA256, `file of download ${i}`);
  }
});

test(`${N} downloads into a slow consumer all complete`, async () => {
  const fifo = path.join(dir, 'slow.fifo');
  execFileSync('mkfifo', [fifo]);
  // Reads 64 KiB at a time with a pause after each chunk, then prints the sha256 of what it read.
  const reader = `
    const h = require('node:crypto').createHash('sha256');
    const s = require('node:fs').createReadStream(process.argv[1], { highWaterMark: 65536 });
    s.on('data', (c) => { h.update(c); s.pause(); setTimeout(() => s.resume(), 2); });
    s.on('end', () => process.stdout.write(h.digest('hex')));`;
  for (let i = 0; i < N; i++) {
    const child = spawn(process.execPath, ['-e', reader, fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = `${base}/${i % 2 ? 'nolength' : 'files'}/pkg-1.0.tar.gz`;
    const got = await downloadFile(url, fifo, { retries: 0 });
    assert.equal(await exited, 0, `reader of download ${i}`);
    assert.deepEqual(got, { url, sha256: SHA256, size: SIZE }, `download ${i}`);
    assert.equal(out, SHA256, `bytes the slow consumer got in download ${i}`);
  }
});
