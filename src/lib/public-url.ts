/**
 * What of a URL may leave the machine. Private indexes put credentials in three places: userinfo
 * (`https://user:pass@host/`), the query (`?token=…`) and the path (entitlement URLs such as
 * `https://dl.example.com/AbC123…/simple/`). Userinfo and query are dropped whole; the path cannot
 * be told apart by name, so a segment is kept only when it is made of short lowercase words
 * (`simple`, `pypi`, `packages`, `my-org`), the shape of a hand-written path, and replaced by
 * `REDACTED` otherwise: anything with digits, capitals or a long unbroken run of letters, which is
 * the shape of a token (hex, base62, UUID, base36). The fragment (`#sha256=…`) is dropped too:
 * the record carries the hash on its own. `publicUrl` is what provenance records ship;
 * `registerUrlSecrets` masks the same parts in every line py2distro prints.
 */
import { addSecret } from './log.js';

export const REDACTED_SEGMENT = 'REDACTED';

// Each part between . _ - separators: 1–12 lowercase letters. A 13+ letter run has no separator,
// which real path words rarely lack and random tokens always do.
const PLAIN_SEGMENT = /^[a-z]{1,12}(?:[._-][a-z]{1,12})*$/;

/** True when a (decoded) path segment has the shape of a hand-written word, not of a token. */
export function isPlainSegment(segment: string): boolean {
  return segment.length <= 64 && PLAIN_SEGMENT.test(segment);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The URL without userinfo, query and fragment, its path segments that may be secrets replaced.
 * `keepLast`: a final segment equal to it is kept (the sdist's own file name, recorded anyway).
 */
export function publicUrl(url: string, opts: { keepLast?: string } = {}): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return REDACTED_SEGMENT;
  }
  const segments = u.pathname.split('/');
  const last = segments.length - 1;
  const path = segments
    .map((s, i) => (s === '' || isPlainSegment(decode(s)) || (i === last && opts.keepLast !== undefined && decode(s) === opts.keepLast) ? s : REDACTED_SEGMENT))
    .join('/');
  return `${u.protocol}//${u.host}${path}`;
}

/** Registers the parts of `url` that publicUrl hides as secrets, so logs and errors mask them too. */
export function registerUrlSecrets(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return;
  }
  if (u.password) {
    addSecret(u.password);
    addSecret(decode(u.password));
  }
  for (const s of u.pathname.split('/')) {
    const d = decode(s);
    // Short segments (hash directories "ab", versions "1.0") are not worth masking everywhere.
    if (d.length >= 8 && !isPlainSegment(d)) {
      addSecret(s);
      addSecret(d);
    }
  }
  for (const [, value] of u.searchParams) if (value.length >= 4) addSecret(value);
  if (u.search.length > 1) addSecret(u.search.slice(1));
}
