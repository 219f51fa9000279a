/**
 * A real package index on 127.0.0.1 for tests: PEP 691 JSON (with HTML when the client asks for it,
 * like PyPI) or PEP 503 HTML only (like static-file mirrors), optional basic auth, redirects,
 * yanked files, requires-python, detached signatures at `<file>.asc`, PEP 740 provenance served as
 * PyPI does (listed as `provenance` in JSON api-version 1.3 and `data-provenance` in HTML, answered
 * by the Integrity API at `/integrity/<project>/<version>/<filename>/provenance`), strong ETags
 * on text answers with 304 Not Modified for a matching If-None-Match (RFC 9110 §13.1.2), as PyPI's
 * CDN does, and injected transient failures.
 *
 *   const index = await startIndexServer({ mode: 'html' });
 *   index.addFile('hello', { filename: 'hello-1.0.tar.gz', content, signature });
 *   await runCli(['fetch', 'hello', '--index-url', index.url]);
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface IndexFile {
  filename: string;
  content: Buffer;
  /** Armored detached signature served at `<file-url>.asc`. */
  signature?: string;
  /** PEP 592: true, or the reason string. */
  yanked?: boolean | string;
  requiresPython?: string;
  /** Advertise the signature (data-gpg-sig / gpg-sig). Default: true when a signature exists. */
  advertiseSignature?: boolean;
  /** Publish this sha256 instead of the real one (the "index lies" case). */
  sha256Override?: string;
  /** Leave the hash out of the listing entirely. */
  omitHash?: boolean;
  /** PEP 740 provenance JSON, served by the Integrity API. */
  provenance?: string | Buffer;
  /** List the provenance URL but answer 404 there (a listing that lies). */
  provenanceMissing?: boolean;
  /** Serve the provenance but leave it out of the listing (a mirror that drops it). */
  unlistedProvenance?: boolean;
}

export interface IndexServerOptions {
  /** 'json': PEP 691 JSON when asked for, HTML otherwise. 'html': PEP 503 HTML only, Accept ignored. */
  mode: 'json' | 'html';
  auth?: { user: string; password: string };
  projects?: Record<string, IndexFile[]>;
  /** Serve file downloads through a 302 from /redirect/… (like PyPI's files host). */
  redirectFiles?: boolean;
  /** Use absolute file URLs instead of relative ones. */
  absoluteUrls?: boolean;
  /** Send no ETag (and ignore If-None-Match), like a plain static file server. */
  noEtags?: boolean;
  /** Entitlement-style index: everything lives under /<pathToken>/ and answers 404 elsewhere. */
  pathToken?: string;
}

export interface IndexServer {
  /** The simple index URL, ending in `/simple/`. Without credentials. */
  url: string;
  /** `http://user:password@127.0.0.1:port/simple/` when auth is configured. */
  urlWithAuth: string;
  origin: string;
  addFile(project: string, file: IndexFile): void;
  /** Answer the next `count` requests whose path starts with `pathPrefix` with `status` (e.g. 503). */
  failNext(pathPrefix: string, count: number, status?: number): void;
  /** Paths requested so far (in order), for asserting "downloaded once". */
  requests: string[];
  /** Each answer: path and status (304 when the client's If-None-Match matched). */
  answers: { path: string; status: number }[];
  close(): Promise<void>;
}

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export async function startIndexServer(opts: IndexServerOptions): Promise<IndexServer> {
  const projects = new Map<string, { display: string; files: IndexFile[] }>();
  const failures: { prefix: string; count: number; status: number }[] = [];
  const requests: string[] = [];
  const answers: { path: string; status: number }[] = [];
  let origin = '';

  const addFile = (project: string, file: IndexFile) => {
    const key = normaliseName(project);
    const entry = projects.get(key) ?? { display: project, files: [] };
    entry.files = entry.files.filter((f) => f.filename !== file.filename);
    entry.files.push(file);
    projects.set(key, entry);
  };
  for (const [p, files] of Object.entries(opts.projects ?? {})) for (const f of files) addFile(p, f);

  const fileUrl = (project: string, filename: string) => {
    const rel = `${opts.pathToken && opts.absoluteUrls ? `${opts.pathToken}/` : ''}${opts.redirectFiles ? 'redirect' : 'files'}/${project}/${encodeURIComponent(filename)}`;
    // Relative to /simple/<project>/ — clients must resolve it against the page URL.
    return opts.absoluteUrls ? `${origin}/${rel}` : `../../${rel}`;
  };
  const sha256 = (f: IndexFile) => f.sha256Override ?? createHash('sha256').update(f.content).digest('hex');
  const advertised = (f: IndexFile) => f.signature !== undefined && f.advertiseSignature !== false;
  // PyPI's Integrity API URL; the version is what follows the project name in the filename.
  const versionOf = (filename: string) => filename.replace(/\.(tar\.gz|zip|whl)$/, '').split('-')[1] ?? '';
  const provenanceUrl = (key: string, f: IndexFile) =>
    (f.provenance !== undefined || f.provenanceMissing) && !f.unlistedProvenance
      ? `${origin}/integrity/${key}/${encodeURIComponent(versionOf(f.filename))}/${encodeURIComponent(f.filename)}/provenance`
      : undefined;

  const projectJson = (key: string) => {
    const p = projects.get(key)!;
    return {
      meta: { 'api-version': '1.3' },
      name: key,
      versions: [],
      files: p.files.map((f) => ({
        filename: f.filename,
        url: fileUrl(key, f.filename),
        hashes: f.omitHash ? {} : { sha256: sha256(f) },
        'requires-python': f.requiresPython,
        yanked: f.yanked ?? false,
        'gpg-sig': advertised(f) ? true : undefined,
        provenance: provenanceUrl(key, f) ?? null,
        size: f.content.length,
      })),
    };
  };
  const projectHtml = (key: string) => {
    const links = projects.get(key)!.files.map((f) => {
      const attrs = [`href="${escapeHtml(fileUrl(key, f.filename) + (f.omitHash ? '' : `#sha256=${sha256(f)}`))}"`];
      if (f.requiresPython) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
      if (f.yanked !== undefined && f.yanked !== false) attrs.push(`data-yanked="${escapeHtml(f.yanked === true ? '' : f.yanked)}"`);
      if (advertised(f)) attrs.push('data-gpg-sig="true"');
      const prov = provenanceUrl(key, f);
      if (prov) attrs.push(`data-provenance="${escapeHtml(prov)}"`);
      return `    <a ${attrs.join(' ')}>${escapeHtml(f.filename)}</a><br/>`;
    });
    return `<!DOCTYPE html>\n<html>\n  <head><meta name="pypi:repository-version" content="1.0"><title>Links for ${key}</title></head>\n  <body>\n    <h1>Links for ${key}</h1>\n${links.join('\n')}\n  </body>\n</html>\n`;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    requests.push(url.pathname);
    const send = (status: number, body: string | Buffer, type = 'text/plain', extra: Record<string, string> = {}) => {
      // Text answers (pages, signatures, provenance) carry a strong ETag: a hash of the body and its type.
      if (status === 200 && !opts.noEtags && type !== 'application/octet-stream') {
        const etag = `"${createHash('sha256').update(type).update('\0').update(body).digest('hex').slice(0, 32)}"`;
        const inm = String(req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
        if (inm.includes(etag)) {
          answers.push({ path: url.pathname, status: 304 });
          res.writeHead(304, { etag });
          return void res.end();
        }
        extra = { ...extra, etag };
      }
      answers.push({ path: url.pathname, status });
      res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), ...extra });
      res.end(body);
    };
    if (opts.auth) {
      const expected = 'Basic ' + Buffer.from(`${opts.auth.user}:${opts.auth.password}`).toString('base64');
      if (req.headers.authorization !== expected) return send(401, 'unauthorized', 'text/plain', { 'www-authenticate': 'Basic realm="index"' });
    }
    const fail = failures.find((f) => url.pathname.startsWith(f.prefix) && f.count > 0);
    if (fail) {
      fail.count--;
      return send(fail.status, 'transient failure');
    }
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const prefix = opts.pathToken ? `/${opts.pathToken}` : '';
    if (opts.pathToken && parts.shift() !== opts.pathToken) return send(404, 'not found');
    const wantsJson = opts.mode === 'json' && /application\/vnd\.pypi\.simple\.v1\+json/.test(req.headers.accept ?? '');

    if (parts[0] === 'simple' && parts.length === 1) {
      if (wantsJson) {
        return send(200, JSON.stringify({ meta: { 'api-version': '1.1' }, projects: [...projects.keys()].map((name) => ({ name })) }), 'application/vnd.pypi.simple.v1+json');
      }
      const links = [...projects.keys()].map((k) => `<a href="${k}/">${k}</a>`).join('\n');
      return send(200, `<!DOCTYPE html><html><body>\n${links}\n</body></html>\n`, 'text/html');
    }
    if (parts[0] === 'simple' && parts.length === 2) {
      const key = normaliseName(parts[1]);
      if (!projects.has(key)) return send(404, 'not found');
      // PEP 503: non-normalised names redirect to the normalised URL (PyPI does this).
      if (key !== parts[1] || !url.pathname.endsWith('/')) return send(301, '', 'text/plain', { location: `${prefix}/simple/${key}/` });
      if (wantsJson) return send(200, JSON.stringify(projectJson(key)), 'application/vnd.pypi.simple.v1+json');
      return send(200, projectHtml(key), 'text/html');
    }
    if (parts[0] === 'integrity' && parts.length === 5 && parts[4] === 'provenance') {
      const f = projects.get(normaliseName(parts[1]))?.files.find((x) => x.filename === parts[3] && versionOf(x.filename) === parts[2]);
      if (!f || f.provenance === undefined || f.provenanceMissing) return send(404, 'not found');
      return send(200, f.provenance, 'application/vnd.pypi.integrity.v1+json');
    }
    if ((parts[0] === 'files' || parts[0] === 'redirect') && parts.length === 3) {
      const p = projects.get(normaliseName(parts[1]));
      const isSig = parts[2].endsWith('.asc');
      const filename = isSig ? parts[2].slice(0, -4) : parts[2];
      const f = p?.files.find((x) => x.filename === filename);
      if (!f || (isSig && f.signature === undefined)) return send(404, 'not found');
      if (parts[0] === 'redirect') return send(302, '', 'text/plain', { location: `${prefix}/files/${parts[1]}/${encodeURIComponent(parts[2])}` });
      return isSig ? send(200, f.signature!, 'application/pgp-signature') : send(200, f.content, 'application/octet-stream');
    }
    return send(404, 'not found');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const auth = opts.auth ? `${encodeURIComponent(opts.auth.user)}:${encodeURIComponent(opts.auth.password)}@` : '';
  const base = opts.pathToken ? `/${opts.pathToken}` : '';
  return {
    url: `${origin}${base}/simple/`,
    urlWithAuth: `${origin.replace('http://', `http://${auth}`)}${base}/simple/`,
    origin,
    addFile,
    failNext(prefix, count, status = 503) {
      failures.push({ prefix, count, status });
    },
    requests,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
