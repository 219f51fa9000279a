/**
 * The HTTP client for indexes and downloads (undici). It follows redirects itself so that
 * credentials are chosen per origin on every hop (URL userinfo, then ~/.netrc) and never forwarded
 * to another host; it honours HTTP(S)_PROXY/NO_PROXY through undici's EnvHttpProxyAgent; and it
 * retries transient failures (network errors, timeouts, 429, 5xx) a bounded number of times with
 * exponential backoff — never a 404, which is an answer, not a hiccup. Text answers can be
 * revalidated (RFC 9110 §13.1.2 If-None-Match, §15.4.5 304 Not Modified) against a caller's
 * {@link AnswerCache}: an unchanged index page costs one empty 304 instead of its body.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { EnvHttpProxyAgent, request, type Dispatcher } from 'undici';
import { Py2DistroError, type ErrorCode } from './errors.js';
import { addSecret, silentLogger, type Logger } from './log.js';
import { netrcCredentials } from './netrc.js';

export interface HttpOptions {
  signal?: AbortSignal;
  log?: Logger;
  accept?: string;
  /** Extra attempts after the first for transient failures (default 3). */
  retries?: number;
  /** Per-request header/body inactivity timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Refuse bodies larger than this many bytes. */
  maxBytes?: number;
  /**
   * The index that listed this URL (or the index itself). ~/.netrc credentials are never sent over
   * plain http for URLs an https index listed, and its `default` entry only to the index's host.
   */
  indexUrl?: string;
  /** Which catalogue code a failure maps to (index pages vs downloads). */
  errorCode?: Extract<ErrorCode, 'E_INDEX_HTTP' | 'E_DOWNLOAD'>;
  /** Earlier answers with their ETag (getText only): sent as If-None-Match, reused on 304. */
  answers?: AnswerCache;
}

/** A 200 answer kept for revalidation: the final URL it came from, its strong or weak ETag, the body. */
export interface CachedAnswer {
  url: string;
  etag: string;
  contentType: string;
  /** base64 */
  body: string;
}

/** Where {@link getText} keeps answers, keyed by the requested URL (credentials removed). */
export interface AnswerCache {
  get(url: string): Promise<CachedAnswer | undefined>;
  put(url: string, answer: CachedAnswer): Promise<void>;
  /**
   * Answers already asked for during this run (one run = one sync): the same question is asked of
   * the index once, and a caller that comes second (the closure after its prefetch) shares the
   * answer, or the failure, of the first. Absent: every call asks.
   */
  session?: Map<string, Promise<TextResponse | null>>;
}

export interface TextResponse {
  /** Final URL after redirects, credentials removed. */
  url: string;
  status: number;
  contentType: string;
  text: string;
  bytes: Buffer;
}

const MAX_REDIRECTS = 10;
// undici 7 kills the process with an uncatchable `AssertionError: assert(!this.paused)` when the
// server closes the connection while a response body is paused by backpressure: HTTP/1.0 servers
// such as `python3 -m http.server` do that on every response (nodejs/undici#5360; fixed only in
// undici 8, which needs Node >= 22). So a body must never ask undici to pause: its buffer has no
// high-water mark, and each consumer takes every chunk as it arrives (downloadFile writes it to
// disk synchronously, which keeps memory bounded and leaves the throttling to TCP).
const NO_BACKPRESSURE = Number.MAX_SAFE_INTEGER;
const TRANSIENT_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
// Credentials seen in a URL apply to later URLs of the same origin (relative file links, redirects).
const originCredentials = new Map<string, { user: string; password: string }>();
let dispatcher: Dispatcher | undefined;

function agent(timeoutMs: number): Dispatcher {
  dispatcher ??= new EnvHttpProxyAgent({ headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connectTimeout: Math.min(timeoutMs, 15_000) });
  return dispatcher;
}

/** The URL without user:password@ — what provenance records and messages show. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url.replace(/\/\/[^/@]*@/, '//');
  }
}

/** Splits credentials off a URL, remembers them for its origin and registers the password as a secret. */
function authorise(url: string, indexUrl?: string): { bare: string; header?: string } {
  const u = new URL(url);
  if (u.username || u.password) {
    const creds = { user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
    addSecret(creds.password);
    addSecret(u.password);
    originCredentials.set(u.origin, creds);
  }
  const bare = redactUrl(url);
  const known = originCredentials.get(u.origin);
  const index = indexUrl ? new URL(indexUrl) : undefined;
  // An https index vouches for TLS: a plain-http link it lists (a file host, a mirror) would carry
  // the netrc password in clear text to anyone on the path. URL credentials were given on purpose.
  const cleartextFromSecure = u.protocol === 'http:' && index?.protocol === 'https:';
  const netrc = known || cleartextFromSecure ? undefined : netrcCredentials(u.hostname, { allowDefault: index?.hostname === u.hostname });
  const user = known?.user ?? netrc?.login;
  const password = known?.password ?? netrc?.password;
  if (user === undefined && password === undefined) return { bare };
  return { bare, header: 'Basic ' + Buffer.from(`${user ?? ''}:${password ?? ''}`).toString('base64') };
}

class TransientError extends Error {
  constructor(message: string, readonly retryAfterMs?: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** GET with redirects; resolves with the final response whose body the caller consumes. */
async function open(url: string, opts: HttpOptions, cached?: CachedAnswer): Promise<{ res: Dispatcher.ResponseData; url: string } | null> {
  const code = opts.errorCode ?? 'E_INDEX_HTTP';
  let current = url;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const { bare, header } = authorise(current, opts.indexUrl);
    const headers: Record<string, string> = { 'user-agent': 'py2distro' };
    if (opts.accept) headers.accept = opts.accept;
    if (header) headers.authorization = header;
    // Only the URL that gave the cached answer may answer 304 for it (a redirect may have moved).
    if (cached && cached.url === bare) headers['if-none-match'] = cached.etag;
    opts.log?.debug(`GET ${bare}${headers['if-none-match'] ? ` (If-None-Match ${cached!.etag})` : ''}`);
    let res: Dispatcher.ResponseData;
    try {
      res = await request(bare, { method: 'GET', headers, signal: opts.signal, highWaterMark: NO_BACKPRESSURE, dispatcher: agent(opts.timeoutMs ?? 30_000) });
    } catch (err) {
      if (opts.signal?.aborted) throw new Py2DistroError('E_ABORTED', `GET ${bare} was interrupted`, { cause: err });
      throw new TransientError(`GET ${bare}: ${(err as Error).message}`, undefined, { cause: err });
    }
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
      await res.body.dump();
      const next = new URL(String(res.headers.location), bare);
      // An https page that redirects to plain http would expose credentials (netrc is matched by
      // host) and the file to anyone on the path: refuse, as browsers and pip's secure mode do.
      if (new URL(bare).protocol === 'https:' && next.protocol !== 'https:') {
        throw new Py2DistroError('E_INDEX_HTTP', `GET ${redactUrl(bare)}: refusing a redirect from https to ${redactUrl(next.toString())}`, {
          hint: 'The index (or a proxy in front of it) downgrades to an insecure URL; fix its redirect, or use its https address.',
        });
      }
      // A redirect inherits nothing: credentials are looked up again for the new origin.
      current = next.toString();
      continue;
    }
    if (res.statusCode === 304 && headers['if-none-match']) return { res, url: bare };
    if (res.statusCode === 404 || res.statusCode === 410) {
      await res.body.dump();
      return null;
    }
    if (TRANSIENT_STATUS.has(res.statusCode)) {
      await res.body.dump();
      const retryAfter = Number(res.headers['retry-after']);
      throw new TransientError(`GET ${bare}: HTTP ${res.statusCode}`, Number.isFinite(retryAfter) ? retryAfter * 1000 : undefined);
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump();
      const auth = res.statusCode === 401 || res.statusCode === 403;
      throw new Py2DistroError(code, `GET ${bare}: HTTP ${res.statusCode}`, {
        hint: auth ? 'The index wants credentials: put them in the URL (https://user:pass@host/simple/) or in ~/.netrc.' : undefined,
        details: { url: bare, status: res.statusCode },
      });
    }
    return { res, url: bare };
  }
  throw new Py2DistroError(code, `GET ${redactUrl(url)}: more than ${MAX_REDIRECTS} redirects`);
}

/** Runs `attempt`, retrying TransientError with exponential backoff (0.5 s, 1 s, 2 s … capped at 10 s). */
async function withRetries<T>(what: string, opts: HttpOptions, attempt: () => Promise<T>): Promise<T> {
  const retries = opts.retries ?? Number(process.env.PY2DISTRO_HTTP_RETRIES ?? 3);
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof TransientError)) throw err;
      if (n >= retries) {
        throw new Py2DistroError(opts.errorCode ?? 'E_INDEX_HTTP', `${err.message} (gave up after ${n + 1} attempts)`, { cause: err.cause ?? err });
      }
      const delay = Math.min(err.retryAfterMs ?? 500 * 2 ** n, 10_000);
      (opts.log ?? silentLogger).warn(`${err.message}; retrying ${what} in ${(delay / 1000).toFixed(1)} s (${n + 1}/${retries})`);
      await sleep(delay, undefined, { signal: opts.signal }).catch(() => {
        throw new Py2DistroError('E_ABORTED', `${what} was interrupted`);
      });
    }
  }
}

/** GET a text resource (index page, signature). Returns null on 404/410. */
export async function getText(url: string, opts: HttpOptions = {}): Promise<TextResponse | null> {
  const session = opts.answers?.session;
  if (!session) return askText(url, opts);
  // Same question, same answer within the run: URL (with credentials: they may change the answer), Accept, limits.
  const key = `${opts.accept ?? '*/*'}\0${url}\0${opts.maxBytes ?? ''}\0${opts.errorCode ?? ''}`;
  let answer = session.get(key);
  if (!answer) {
    answer = askText(url, opts);
    session.set(key, answer);
  }
  return answer;
}

async function askText(url: string, opts: HttpOptions): Promise<TextResponse | null> {
  const max = opts.maxBytes ?? 64 * 1024 * 1024;
  // The answer depends on what was asked for: the Accept header is part of the key.
  const key = `${opts.accept ?? '*/*'} ${redactUrl(url)}`;
  const cached = opts.answers ? await opts.answers.get(key) : undefined;
  return withRetries(redactUrl(url), opts, async () => {
    const opened = await open(url, opts, cached);
    if (!opened) return null;
    if (opened.res.statusCode === 304 && cached) {
      await opened.res.body.dump();
      const bytes = Buffer.from(cached.body, 'base64');
      if (bytes.length > max) throw new Py2DistroError(opts.errorCode ?? 'E_INDEX_HTTP', `GET ${opened.url}: response larger than ${max} bytes`);
      opts.log?.debug(`GET ${opened.url}: 304 Not Modified, reusing the kept answer`);
      return { url: opened.url, status: 200, contentType: cached.contentType, text: bytes.toString('utf8'), bytes };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of opened.res.body) {
        size += (chunk as Buffer).length;
        if (size > max) {
          opened.res.body.destroy();
          throw new Py2DistroError(opts.errorCode ?? 'E_INDEX_HTTP', `GET ${opened.url}: response larger than ${max} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      if (err instanceof Py2DistroError) throw err;
      throw new TransientError(`GET ${opened.url}: ${(err as Error).message}`, undefined, { cause: err });
    }
    const bytes = Buffer.concat(chunks);
    const contentType = String(opened.res.headers['content-type'] ?? '');
    const etag = opened.res.headers.etag;
    if (opts.answers && typeof etag === 'string' && etag) {
      await opts.answers.put(key, { url: opened.url, etag, contentType, body: bytes.toString('base64') });
    }
    return { url: opened.url, status: opened.res.statusCode, contentType, text: bytes.toString('utf8'), bytes };
  });
}

/** Streams a download into `dest` (a temp path the caller owns), hashing on the way. Null on 404. */
export async function downloadFile(url: string, dest: string, opts: HttpOptions = {}): Promise<{ url: string; sha256: string; size: number } | null> {
  const o = { ...opts, errorCode: opts.errorCode ?? ('E_DOWNLOAD' as const) };
  return withRetries(redactUrl(url), o, async () => {
    const opened = await open(url, o);
    if (!opened) return null;
    const body = opened.res.body;
    // A declared length over the limit fails before a byte is written; the stream check below
    // catches servers that lie or send no length.
    const declared = Number(opened.res.headers['content-length']);
    if (o.maxBytes !== undefined && Number.isFinite(declared) && declared > o.maxBytes) {
      body.destroy();
      throw new Py2DistroError('E_DOWNLOAD_TOO_LARGE', `GET ${opened.url}: ${declared} bytes, more than the limit of ${o.maxBytes}`);
    }
    const hash = createHash('sha256');
    let size = 0;
    try {
      const fd = openSync(dest, 'w');
      try {
        await new Promise<void>((resolve, reject) => {
          body.on('error', reject).on('end', resolve).on('data', (chunk: Buffer) => {
            if (body.destroyed) return;
            try {
              size += chunk.length;
              if (o.maxBytes !== undefined && size > o.maxBytes) throw new Py2DistroError('E_DOWNLOAD_TOO_LARGE', `GET ${opened.url}: larger than the limit of ${o.maxBytes} bytes`);
              hash.update(chunk);
              for (let at = 0; at < chunk.length; ) at += writeSync(fd, chunk, at);
            } catch (err) {
              body.destroy(err as Error);
            }
          });
        });
      } finally {
        closeSync(fd);
      }
    } catch (err) {
      body.destroy();
      if (err instanceof Py2DistroError) throw err;
      if (o.signal?.aborted) throw new Py2DistroError('E_ABORTED', `download of ${opened.url} was interrupted`, { cause: err });
      throw new TransientError(`GET ${opened.url}: ${(err as Error).message}`, undefined, { cause: err });
    }
    return { url: opened.url, sha256: hash.digest('hex'), size };
  });
}
