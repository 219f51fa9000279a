/**
 * `py2distro fetch` and the index client: credentials (URL, ~/.netrc) never printed, version choice
 * (yanked, pre-releases, requires-python), no-sdist listings, redirects, retries, the cache,
 * local sdists and an HTTP proxy.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../helpers/cli.ts';
import { startIndexServer, type IndexServer, type IndexServerOptions } from '../../../helpers/index-server.ts';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.ts';

let dir: string;
const sdists = new Map<string, Buffer>();
const servers: IndexServer[] = [];
const PASSWORD = 'hunter2-Zq9';

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'fetch-index-'));
  for (const v of ['1.0.0', '1.1.0', '2.0.0rc1']) sdists.set(v, await readFile(await makeSdist(purePythonProject('hello-pkg', v), dir)));
});

after(async () => {
  for (const s of servers) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function index(opts: Partial<IndexServerOptions> = {}, versions = ['1.0.0', '1.1.0', '2.0.0rc1']): Promise<IndexServer> {
  const s = await startIndexServer({ mode: 'json', ...opts });
  servers.push(s);
  for (const v of versions) s.addFile('hello-pkg', { filename: `hello_pkg-${v}.tar.gz`, content: sdists.get(v)! });
  return s;
}

let n = 0;
async function fetch(args: string[], env: Record<string, string> = {}) {
  const cache = path.join(dir, `cache-${++n}`);
  const r = await runCli(['fetch', ...args, '--cache-dir', cache, '--json'], { env: { NETRC: '/nonexistent', ...env } });
  return { ...r, json: r.stdout ? JSON.parse(r.stdout) : undefined, cache };
}

describe('fetch: index client', () => {
  test('basic auth from the URL works and the password is never printed', async () => {
    const s = await index({ auth: { user: 'alice', password: PASSWORD }, mode: 'html' });
    const r = await runCli(['-v', 'fetch', 'hello-pkg', '--index-url', s.urlWithAuth, '--cache-dir', path.join(dir, 'auth')], { env: { NETRC: '/nonexistent' } });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(PASSWORD), 'password leaked');
    const j = await fetch(['hello-pkg', '--index-url', s.urlWithAuth]);
    assert.ok(!j.stdout.includes(PASSWORD));
    assert.equal(j.json.files[0].provenance.indexUrl, s.url, 'provenance records the index without credentials');
  });

  test('missing credentials → exit 1 with a hint; ~/.netrc supplies them', async () => {
    const s = await index({ auth: { user: 'alice', password: PASSWORD } });
    const denied = await fetch(['hello-pkg', '--index-url', s.url]);
    assert.equal(denied.exitCode, 1);
    assert.equal(denied.json.errors[0].code, 'E_INDEX_HTTP');
    assert.match(denied.json.errors[0].message, /HTTP 401/);
    const netrc = path.join(dir, 'netrc');
    await writeFile(netrc, `machine 127.0.0.1\n  login alice\n  password ${PASSWORD}\n`);
    const r = await runCli(['-v', 'fetch', 'hello-pkg', '--index-url', s.url, '--cache-dir', path.join(dir, 'netrc-cache')], { env: { NETRC: netrc } });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(PASSWORD));
  });

  test('newest final release by default; --pre and pins allow pre-releases; specifiers are PEP 440', async () => {
    const s = await index();
    assert.equal((await fetch(['hello-pkg', '--index-url', s.url])).json.files[0].version, '1.1.0');
    assert.equal((await fetch(['hello-pkg', '--pre', '--index-url', s.url])).json.files[0].version, '2.0.0rc1');
    assert.equal((await fetch(['hello-pkg==2.0.0rc1', '--index-url', s.url])).json.files[0].version, '2.0.0rc1');
    assert.equal((await fetch(['hello-pkg>=1.0,<1.1', '--index-url', s.url])).json.files[0].version, '1.0.0');
    const none = await fetch(['hello-pkg>=3', '--index-url', s.url]);
    assert.equal(none.exitCode, 1);
    assert.equal(none.json.errors[0].code, 'E_NO_MATCHING_VERSION');
    assert.match(none.json.errors[0].message, /available: 2\.0\.0rc1, 1\.1\.0, 1\.0\.0/);
  });

  test('yanked files are skipped unless pinned with ==', async () => {
    const s = await index({}, ['1.0.0']);
    s.addFile('hello-pkg', { filename: 'hello_pkg-1.1.0.tar.gz', content: sdists.get('1.1.0')!, yanked: 'broken build' });
    assert.equal((await fetch(['hello-pkg', '--index-url', s.url])).json.files[0].version, '1.0.0');
    const pinned = await fetch(['hello-pkg==1.1.0', '--index-url', s.url]);
    assert.equal(pinned.exitCode, 0, pinned.stderr);
    assert.match(pinned.stderr, /yanked \(broken build\)/);
  });

  test('requires-python is respected for the target Python', async () => {
    const s = await index({ mode: 'html' }, ['1.0.0']);
    s.addFile('hello-pkg', { filename: 'hello_pkg-1.1.0.tar.gz', content: sdists.get('1.1.0')!, requiresPython: '>=3.12' });
    assert.equal((await fetch(['hello-pkg', '--python-version', '3.11', '--index-url', s.url])).json.files[0].version, '1.0.0');
    assert.equal((await fetch(['hello-pkg', '--python-version', '3.12', '--index-url', s.url])).json.files[0].version, '1.1.0');
  });

  test('no sdist → says so and lists what exists', async () => {
    const s = await index({}, []);
    s.addFile('hello-pkg', { filename: 'hello_pkg-1.0.0-py3-none-any.whl', content: Buffer.from('wheel') });
    const r = await fetch(['hello-pkg', '--index-url', s.url]);
    assert.equal(r.exitCode, 1);
    assert.equal(r.json.errors[0].code, 'E_NO_SDIST');
    assert.match(r.json.errors[0].message, /hello_pkg-1\.0\.0-py3-none-any\.whl/);
  });

  test('unknown project → E_NOT_FOUND; non-normalised names and file redirects are followed', async () => {
    const s = await index({ redirectFiles: true, absoluteUrls: true });
    const missing = await fetch(['no-such-project', '--index-url', s.url]);
    assert.equal(missing.exitCode, 1);
    assert.equal(missing.json.errors[0].code, 'E_NOT_FOUND');
    const r = await fetch(['Hello.Pkg', '--index-url', s.url]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(s.requests.some((p) => p.startsWith('/redirect/')));
  });

  test('transient 503s are retried; a 404 is not', async () => {
    const s = await index();
    s.failNext('/simple/hello-pkg/', 2, 503);
    const r = await fetch(['hello-pkg', '--index-url', s.url], { PY2DISTRO_HTTP_RETRIES: '3' });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stderr, /HTTP 503; retrying/);
    const before = s.requests.length;
    await fetch(['other-missing', '--index-url', s.url]);
    assert.equal(s.requests.length - before, 1, 'a 404 is asked once');
  });

  test('fetching the same file twice downloads it once', async () => {
    const s = await index();
    const cache = path.join(dir, 'shared-cache');
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['fetch', 'hello-pkg', '--index-url', s.url, '--cache-dir', cache], { env: { NETRC: '/nonexistent' } });
      assert.equal(r.exitCode, 0, r.stderr);
    }
    assert.equal(s.requests.filter((p) => p.endsWith('hello_pkg-1.1.0.tar.gz')).length, 1);
  });

  test('a local sdist path is hashed and copied to --out', async () => {
    const local = path.join(dir, 'hello_pkg-1.0.0.tar.gz');
    const out = path.join(dir, 'local-out');
    const r = await fetch([local, '--out', out]);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.json.files[0].name, 'hello-pkg');
    assert.equal(r.json.files[0].signature.status, 'unsigned');
    assert.deepEqual(await readFile(path.join(out, 'hello_pkg-1.0.0.tar.gz')), sdists.get('1.0.0'));
  });

  test('HTTP_PROXY is honoured (and NO_PROXY bypasses it)', async () => {
    const s = await index();
    let tunnels = 0;
    const proxy = http.createServer();
    proxy.on('connect', (req, client, head) => {
      tunnels++;
      const [host, port] = String(req.url).split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).on('error', () => {});
        client.pipe(upstream).on('error', () => {});
      });
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    try {
      const r = await fetch(['hello-pkg', '--index-url', s.url], { HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, NO_PROXY: '', no_proxy: '' });
      assert.equal(r.exitCode, 0, r.stderr);
      assert.ok(tunnels > 0, 'requests went through the proxy');
      const seen = tunnels;
      const direct = await fetch(['hello-pkg', '--index-url', s.url], { HTTP_PROXY: proxyUrl, http_proxy: proxyUrl, NO_PROXY: '127.0.0.1', no_proxy: '127.0.0.1' });
      assert.equal(direct.exitCode, 0, direct.stderr);
      assert.equal(tunnels, seen, 'NO_PROXY bypasses the proxy');
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
