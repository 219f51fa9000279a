/**
 * getText with AnswerCache.session (lib/http.ts): within one run the same question is asked of the
 * server once — concurrent callers share the request, later ones its answer (or its failure) —
 * while another Accept header or another URL is another question; each run revalidates with
 * If-None-Match and takes the 304.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { getText, type AnswerCache, type CachedAnswer } from '../../../src/lib/http.ts';

let server: http.Server;
let base: string;
const seen: { path: string; accept?: string; inm?: string }[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url!, accept: req.headers.accept, inm: req.headers['if-none-match'] as string | undefined });
    if (req.url === '/missing') return res.writeHead(404).end();
    if (req.url === '/broken') return res.writeHead(403).end();
    const etag = `"${req.url}-${req.headers.accept ?? ''}"`;
    if (req.headers['if-none-match'] === etag) return res.writeHead(304).end();
    setTimeout(() => res.writeHead(200, { etag, 'content-type': 'text/plain' }).end(`body of ${req.url} for ${req.headers.accept}`), 20);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function answers(): AnswerCache {
  const kept = new Map<string, CachedAnswer>();
  return { get: async (k) => kept.get(k), put: async (k, a) => void kept.set(k, a), session: new Map() };
}

test('session: one request per question per run, shared by concurrent and later callers', async () => {
  seen.length = 0;
  const run = answers();
  const [a, b] = await Promise.all([getText(`${base}/page`, { answers: run }), getText(`${base}/page`, { answers: run })]);
  const c = await getText(`${base}/page`, { answers: run });
  assert.equal(a!.text, 'body of /page for undefined');
  assert.equal(b!.text, a!.text);
  assert.equal(c!.text, a!.text);
  await getText(`${base}/page`, { answers: run, accept: 'application/json' });
  assert.deepEqual(seen.map((s) => `${s.path} ${s.accept}`), ['/page undefined', '/page application/json'], 'another Accept is another question');
  // A 404 is an answer too; a failure is shared as well (not retried by the second caller).
  assert.equal(await getText(`${base}/missing`, { answers: run }), null);
  assert.equal(await getText(`${base}/missing`, { answers: run }), null);
  await assert.rejects(getText(`${base}/broken`, { answers: run }), { code: 'E_INDEX_HTTP' });
  await assert.rejects(getText(`${base}/broken`, { answers: run }), { code: 'E_INDEX_HTTP' });
  assert.equal(seen.filter((s) => s.path === '/missing' || s.path === '/broken').length, 2);
});

test('session: the next run asks again, revalidating with If-None-Match (304, the kept body)', async () => {
  const kept = new Map<string, CachedAnswer>();
  const runOf = (): AnswerCache => ({ get: async (k) => kept.get(k), put: async (k, a) => void kept.set(k, a), session: new Map() });
  await getText(`${base}/again`, { answers: runOf() });
  seen.length = 0;
  const second = await getText(`${base}/again`, { answers: runOf() });
  assert.equal(second!.text, 'body of /again for undefined');
  assert.deepEqual(seen.map((s) => s.inm), ['"/again-"']);
  // Without a session every call asks.
  seen.length = 0;
  const plain: AnswerCache = { get: async (k) => kept.get(k), put: async (k, a) => void kept.set(k, a) };
  await getText(`${base}/again`, { answers: plain });
  await getText(`${base}/again`, { answers: plain });
  assert.equal(seen.length, 2);
});
