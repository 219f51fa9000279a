/**
 * Parsing a project page of a "simple" repository: PEP 691 JSON or PEP 503 HTML, into one shape.
 * Both carry the same facts — file URL (relative URLs resolved against the page), sha256,
 * requires-python, PEP 592 yanked status and whether a detached signature is advertised
 * (`gpg-sig` / `data-gpg-sig`, or the legacy JSON `has_sig`), and PEP 740's provenance URL
 * (`provenance` in JSON from api-version 1.3, `data-provenance` in HTML), which points at the
 * index's Integrity API.
 */
import { Py2DistroError } from '../../lib/errors.js';
import { redactUrl } from '../../lib/http.js';

export interface IndexFileEntry {
  filename: string;
  /** Absolute URL, credentials removed. */
  url: string;
  sha256?: string;
  requiresPython?: string;
  yanked: boolean;
  yankedReason?: string;
  /** true/false when the index says; undefined when it does not (then the client probes `<url>.asc`). */
  signatureAdvertised?: boolean;
  /** PEP 740: absolute URL of the file's provenance (Integrity API), credentials removed. */
  provenanceUrl?: string;
}

export const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
/** PEP 691's recommended Accept header: JSON preferred, HTML as fallback (static mirrors). */
export const INDEX_ACCEPT = `${JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01`;

export function parseProjectPage(body: string, contentType: string, pageUrl: string): { format: 'json' | 'html'; files: IndexFileEntry[] } {
  const type = contentType.split(';')[0].trim().toLowerCase();
  const looksJson = type === JSON_TYPE || type === 'application/json' || (!type.includes('html') && body.trimStart().startsWith('{'));
  if (looksJson) return { format: 'json', files: parseJsonPage(body, pageUrl) };
  if (type.includes('html') || /<a[\s>]/i.test(body)) return { format: 'html', files: parseHtmlPage(body, pageUrl) };
  throw new Py2DistroError('E_INDEX_PARSE', `${redactUrl(pageUrl)}: unexpected content type ${JSON.stringify(contentType)}`);
}

function absolute(href: string, base: string): string {
  const u = new URL(href, base);
  u.hash = '';
  return u.toString();
}

/** The provenance URL, absolute; only http(s) (a `file:` or `data:` URL from an index is refused). */
function provenanceUrl(href: string, base: string): string {
  const u = new URL(href, base);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new Py2DistroError('E_INDEX_PARSE', `${redactUrl(base)}: provenance URL ${JSON.stringify(href)} is not http(s)`);
  }
  return redactUrl(absolute(href, base));
}

function parseJsonPage(body: string, pageUrl: string): IndexFileEntry[] {
  let doc: { meta?: { 'api-version'?: string }; files?: unknown };
  try {
    doc = JSON.parse(body);
  } catch (err) {
    throw new Py2DistroError('E_INDEX_PARSE', `${redactUrl(pageUrl)}: invalid JSON`, { cause: err });
  }
  const [major, minor = '0'] = String(doc.meta?.['api-version'] ?? '1').split('.');
  // PEP 740 adds `provenance` in api-version 1.3; an older page's key of that name means nothing.
  const hasProvenance = major === '1' && Number(minor) >= 3;
  if (major !== '1') {
    throw new Py2DistroError('E_INDEX_PARSE', `${redactUrl(pageUrl)}: unsupported simple API version ${doc.meta?.['api-version']}`);
  }
  if (!Array.isArray(doc.files)) throw new Py2DistroError('E_INDEX_PARSE', `${redactUrl(pageUrl)}: no "files" list`);
  return doc.files.map((raw: Record<string, unknown>) => {
    if (typeof raw?.filename !== 'string' || typeof raw.url !== 'string') {
      throw new Py2DistroError('E_INDEX_PARSE', `${redactUrl(pageUrl)}: a file entry lacks filename/url`);
    }
    const hashes = (raw.hashes ?? {}) as Record<string, unknown>;
    if (hashes.sha256 !== undefined && !(typeof hashes.sha256 === 'string' && /^[0-9a-fA-F]{64}$/.test(hashes.sha256))) {
      throw new Py2DistroError('E_INDEX_PARSE', `${redactUrl(pageUrl)}: ${raw.filename} has a malformed sha256 ${JSON.stringify(hashes.sha256)}`);
    }
    const yanked = raw.yanked;
    const sig = raw['gpg-sig'] ?? raw.has_sig;
    const provenance = hasProvenance ? raw.provenance : undefined;
    if (provenance !== undefined && provenance !== null && typeof provenance !== 'string') {
      throw new Py2DistroError('E_INDEX_PARSE', `${redactUrl(pageUrl)}: ${raw.filename} has a malformed provenance ${JSON.stringify(provenance)}`);
    }
    return {
      filename: raw.filename,
      url: redactUrl(absolute(raw.url, pageUrl)),
      ...(typeof hashes.sha256 === 'string' ? { sha256: hashes.sha256.toLowerCase() } : {}),
      ...(typeof raw['requires-python'] === 'string' ? { requiresPython: raw['requires-python'] } : {}),
      yanked: yanked === true || typeof yanked === 'string',
      ...(typeof yanked === 'string' && yanked ? { yankedReason: yanked } : {}),
      ...(typeof sig === 'boolean' ? { signatureAdvertised: sig } : {}),
      ...(provenance ? { provenanceUrl: provenanceUrl(provenance, pageUrl) } : {}),
    };
  });
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

function attributes(tag: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of tag.matchAll(re)) attrs.set(m[1].toLowerCase(), decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  return attrs;
}

function parseHtmlPage(body: string, pageUrl: string): IndexFileEntry[] {
  const html = body.replace(/<!--[\s\S]*?-->/g, '');
  // pip honours <base href>; so do we.
  const baseTag = /<base\s([^>]*)>/i.exec(html);
  const base = baseTag?.[1] ? absolute(attributes(baseTag[1]).get('href') ?? pageUrl, pageUrl) : pageUrl;
  const files: IndexFileEntry[] = [];
  for (const m of html.matchAll(/<a\s([^>]*)>([\s\S]*?)<\/a\s*>/gi)) {
    const attrs = attributes(m[1]);
    const href = attrs.get('href');
    if (!href) continue;
    const fragment = /#sha256=([0-9a-fA-F]{64})/.exec(href)?.[1];
    const url = absolute(href, base);
    const filename = decodeEntities(m[2].replace(/<[^>]*>/g, '').trim()) || decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
    const yanked = attrs.has('data-yanked');
    const sig = attrs.get('data-gpg-sig');
    const provenance = attrs.get('data-provenance');
    files.push({
      filename,
      url: redactUrl(url),
      ...(fragment ? { sha256: fragment.toLowerCase() } : {}),
      ...(attrs.get('data-requires-python') ? { requiresPython: attrs.get('data-requires-python') } : {}),
      yanked,
      ...(yanked && attrs.get('data-yanked') ? { yankedReason: attrs.get('data-yanked') } : {}),
      ...(sig !== undefined ? { signatureAdvertised: sig === 'true' } : {}),
      ...(provenance ? { provenanceUrl: provenanceUrl(provenance, base) } : {}),
    });
  }
  return files;
}
