/**
 * The OpenPGP corrections of the security review, through the real CLI against local indexes:
 * a signed release relabelled as another version or another project is refused once its metadata
 * is read (render), a stale key copy cannot hide a revocation in a second keyring, ~/.netrc
 * credentials never go over plain http for a file an https index lists, and a netrc `default`
 * entry goes only to the index host.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openpgp } from '../../../../src/lib/openpgp.js';
import { runCli } from '../../../helpers/cli.ts';
import { startIndexServer, type IndexServer } from '../../../helpers/index-server.ts';
import { generateKey, signDetached, writeKeyring, type TestKey } from '../../../helpers/keys.ts';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.ts';

let dir: string;
let key: TestKey;
let keyring: string;
const servers: { close(): Promise<void> | void }[] = [];

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'openpgp-corr-'));
  key = await generateKey({ name: 'Shared Maintainer' });
  keyring = await writeKeyring(path.join(dir, 'keys.asc'), [key]);
});

after(async () => {
  for (const s of servers) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function signedSdist(name: string, version: string): Promise<{ content: Buffer; signature: string }> {
  const file = await makeSdist(purePythonProject(name, version), await mkdtemp(path.join(dir, 'sdist-')));
  const content = await readFile(file);
  return { content, signature: await signDetached(content, key) };
}

async function index(): Promise<IndexServer> {
  const s = await startIndexServer({ mode: 'json' });
  servers.push(s);
  return s;
}

describe('rollback and substitution: what was verified must be what is built', () => {
  test('an old signed release served as a newer version, or another project\'s signed sdist: exit 3 before rendering', async () => {
    const old = await signedSdist('hello-pkg', '1.0.0');
    const other = await signedSdist('other-pkg', '3.1.0');
    const cases = [
      { served: { filename: 'hello_pkg-2.0.0.tar.gz', ...old }, mention: 'says version "1.0.0", not 2.0.0' },
      { served: { filename: 'hello_pkg-3.1.0.tar.gz', ...other }, mention: 'names the project "other-pkg", not hello-pkg' },
    ];
    for (const [i, c] of cases.entries()) {
      const s = await index();
      s.addFile('hello-pkg', c.served);
      const out = path.join(dir, `render-${i}`);
      const r = await runCli(['render', 'hello-pkg', '--index-url', s.url, '--target', 'deb', '--out', out, '--cache-dir', path.join(dir, `cache-${i}`),
        '--keyring', keyring, '--trust', `hello-pkg=${key.fingerprint}`], { env: { NETRC: '/nonexistent' } });
      assert.equal(r.exitCode, 3, r.stderr);
      assert.match(r.stderr, /\[E_METADATA_MISMATCH\]/);
      assert.ok(r.stderr.includes(c.served.filename) && r.stderr.includes(c.mention), r.stderr);
    }
  });
});

describe('keyrings: every copy of a key counts', () => {
  test('a stale copy first and the revoked copy in a second --keyring: refused as revoked (gpg honours it too)', async () => {
    const { content, signature } = await signedSdist('hello-pkg', '1.0.0');
    const { publicKey: revoked } = await openpgp.revokeKey({ key: key.privateKey, format: 'armored' });
    const second = path.join(dir, 'fresh-copy.asc');
    await writeFile(second, revoked);
    const s = await index();
    s.addFile('hello-pkg', { filename: 'hello_pkg-1.0.0.tar.gz', content, signature });
    const r = await runCli(['fetch', 'hello-pkg', '--index-url', s.url, '--cache-dir', path.join(dir, 'cache-rev'),
      '--keyring', keyring, '--keyring', second, '--trust', `hello-pkg=${key.fingerprint}`], { env: { NETRC: '/nonexistent' } });
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /\[E_SIGNATURE_KEY_REVOKED\]/);
    assert.ok(r.stderr.includes(key.fingerprint));
  });
});

/** A plain http server that records whether each request carried credentials. */
async function recordingServer(handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) });
  return { seen, port: (server.address() as AddressInfo).port };
}

/** Serves the sdist at any path, and no `.asc` (the fetch probes for one). */
const serveFile = (content: Buffer) => (req: http.IncomingMessage, res: http.ServerResponse) => {
  if (req.url?.endsWith('.asc')) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  res.end(content);
};

describe('~/.netrc: credentials only where the index says they belong', () => {
  test('an https index listing a plain-http file: the netrc password goes to the index only, never over http', async () => {
    const { content } = await signedSdist('hello-pkg', '1.0.0');
    const files = await recordingServer(serveFile(content));
    const tls = mkdtempSync(path.join(os.tmpdir(), 'netrc-tls-'));
    const keyPem = path.join(tls, 'key.pem');
    const cert = path.join(tls, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPem, '-out', cert], { stdio: 'ignore' });
    const seen: string[] = [];
    const sha = (await import('node:crypto')).createHash('sha256').update(content).digest('hex');
    const server = https.createServer({ key: readFileSync(keyPem), cert: readFileSync(cert) }, (req, res) => {
      seen.push(`${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
      const page = { meta: { 'api-version': '1.3' }, name: 'hello-pkg', files: [{ filename: 'hello_pkg-1.0.0.tar.gz', url: `http://127.0.0.1:${files.port}/f/hello_pkg-1.0.0.tar.gz`, hashes: { sha256: sha } }] };
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
      res.end(JSON.stringify(page));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const netrc = path.join(tls, 'netrc');
    await writeFile(netrc, 'machine 127.0.0.1 login alice password n3trc-secret\n');
    const port = (server.address() as AddressInfo).port;
    const r = await runCli(['fetch', 'hello-pkg', '--index-url', `https://127.0.0.1:${port}/simple/`, '--cache-dir', path.join(tls, 'cache')],
      { env: { NETRC: netrc, NODE_EXTRA_CA_CERTS: cert } });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(seen, ['/simple/hello-pkg/ auth=yes'], 'the https index gets the credentials');
    assert.ok(files.seen.length >= 1 && files.seen.every((l) => l.endsWith('auth=no')), `no credentials over http: ${files.seen.join(', ')}`);
    assert.ok(!`${r.stdout}${r.stderr}`.includes('n3trc-secret'));
  });

  test('a netrc `default` entry goes to the index host only, not to another host the index lists', async () => {
    const { content } = await signedSdist('hello-pkg', '1.0.0');
    const sha = (await import('node:crypto')).createHash('sha256').update(content).digest('hex');
    const files = await recordingServer(serveFile(content));
    const idx = await recordingServer((_req, res) => {
      // The file lives on another host name (localhost) than the index (127.0.0.1).
      const page = { meta: { 'api-version': '1.3' }, name: 'hello-pkg', files: [{ filename: 'hello_pkg-1.0.0.tar.gz', url: `http://localhost:${files.port}/f/hello_pkg-1.0.0.tar.gz`, hashes: { sha256: sha } }] };
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
      res.end(JSON.stringify(page));
    });
    const netrc = path.join(dir, 'netrc-default');
    await writeFile(netrc, 'default login anon password catch-all-pw\n');
    const r = await runCli(['fetch', 'hello-pkg', '--index-url', `http://127.0.0.1:${idx.port}/simple/`, '--cache-dir', path.join(dir, 'cache-default')], { env: { NETRC: netrc } });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(idx.seen, ['/simple/hello-pkg/ auth=yes']);
    assert.ok(files.seen.length >= 1 && files.seen.every((l) => l.endsWith('auth=no')), files.seen.join(', '));
  });
});
