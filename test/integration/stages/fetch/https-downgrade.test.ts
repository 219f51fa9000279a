/**
 * An https index that redirects to plain http is refused: credentials (netrc is matched by host)
 * and the download would otherwise travel in clear text. The index runs on 127.0.0.1 with a
 * certificate made for the test and trusted through NODE_EXTRA_CA_CERTS.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../../../helpers/cli.ts';

test('a redirect from https to http is refused with E_INDEX_HTTP, credentials never sent', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'https-downgrade-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const seen: string[] = [];
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
    seen.push(`${req.url} auth=${req.headers.authorization ? 'yes' : 'no'}`);
    res.writeHead(302, { location: `http://127.0.0.1:9/simple/${req.url!.split('/')[2]}/` });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const r = await runCli(['--cache-dir', path.join(dir, 'cache'), 'fetch', 'somepkg', '--index-url', `https://alice:s3cret-pw@127.0.0.1:${port}/simple/`],
      { env: { NODE_EXTRA_CA_CERTS: cert } });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.match(r.stderr, /E_INDEX_HTTP/);
    assert.match(r.stderr, /refusing a redirect from https to http:\/\/127\.0\.0\.1:9\//);
    assert.ok(!`${r.stdout}${r.stderr}`.includes('s3cret-pw'), 'the password is never printed');
    assert.deepEqual(seen, ['/simple/somepkg/ auth=yes'], 'asked once over https, never followed to http');
  } finally {
    server.close();
  }
});
