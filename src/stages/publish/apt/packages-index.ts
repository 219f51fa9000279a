/**
 * A verified Packages text (its sha256 matched the signed InRelease), indexed by paragraph without
 * parsing every one: one pass of indexOf finds each paragraph and the package name on its first
 * line; only the paragraphs a publish touches — the names being added, names over the retention
 * limit — are parsed, strictly (the deb822 shape, the key fields' grammar, Filename inside the pool
 * layout), before anything is decided on them. Untouched paragraphs are carried verbatim: their
 * bytes are exactly what the org key signed. Adding one package to 10,000 is then a few
 * milliseconds of indexOf instead of 10,000 parsed paragraphs.
 */
import { DEB_ARCH, DEB_NAME, DEB_VERSION } from '../../../distro/deb/deb-file.js';
import { compareDebianVersions } from '../../../distro/deb/version-compare.js';
import { checkPoolPath, repoCorrupt } from '../trust.js';

export interface AptIndexEntry {
  package: string;
  version: string;
  architecture: string;
  /** Pool path relative to the deb/ root. */
  filename: string;
  sha256: string;
  size: number;
  /**
   * The paragraph as the index holds it — read back verified (reused verbatim), or formatted once
   * from a new .deb — as a byte string (latin1: one character per byte, so offsets are byte offsets
   * and the bytes come back exactly; see {@link byteString}).
   */
  text: string;
}

/** One paragraph of the text: [start, end) without the blank line after it. */
export interface Span {
  start: number;
  end: number;
  /** The package name: from its first line, or (a paragraph not laid out as py2distro writes it) from parsing it. */
  name: string;
}


/** UTF-8 text as a byte string (what Packages texts are held as). */
export function byteString(text: string): string {
  return NON_ASCII.test(text) ? Buffer.from(text, 'utf8').toString('latin1') : text; // ASCII is its own byte string
}

const NON_ASCII = /[^\x00-\x7f]/;

/** A Packages file's bytes (latin1-decoded: see AptIndexEntry.text), indexed by paragraph. */
export class PackagesText {
  readonly spans: Span[] = [];
  private readonly byName = new Map<string, number[]>();
  private readonly parsed = new Map<number, AptIndexEntry>();

  readonly text: string;
  private bytesHeld: Buffer | undefined;

  /** `source`: the verified file's bytes (kept: a rebuild copies unchanged ranges from them), or its byte string. */
  constructor(source: string | Buffer, private readonly codename: string) {
    const text = typeof source === 'string' ? source : source.toString('latin1');
    this.text = text;
    if (typeof source !== 'string') this.bytesHeld = source;
    if (text.includes('\0') || text.includes('\r')) throw repoCorrupt(`a Packages index of ${codename} contains NUL or CR characters`);
    const n = text.length;
    let pos = 0;
    while (pos < n) {
      while (pos < n && text.charCodeAt(pos) === 10) pos++;
      if (pos >= n) break;
      let end = text.indexOf('\n\n', pos);
      if (end < 0) end = n;
      let last = end;
      while (last > pos && text.charCodeAt(last - 1) === 10) last--;
      // The name from "Package: <name>" on the first line, without a regex or a slice of the line:
      // this loop runs once per paragraph of the whole index.
      let name = '';
      if (text.startsWith('Package: ', pos)) {
        const nl = text.indexOf('\n', pos);
        const lineEnd = nl < 0 || nl > last ? last : nl;
        const candidate = text.slice(pos + 9, lineEnd);
        if (DEB_NAME.test(candidate)) name = candidate;
      }
      const index = this.spans.length;
      const span: Span = { start: pos, end: last, name };
      this.spans.push(span);
      if (!span.name) span.name = this.entry(index).package; // not the layout py2distro writes: parse it now
      const list = this.byName.get(span.name);
      if (list) list.push(index);
      else this.byName.set(span.name, [index]);
      pos = end;
    }
  }

  /** The text's bytes (text is their latin1 decoding: offsets are the same). */
  bytes(): Buffer {
    return (this.bytesHeld ??= Buffer.from(this.text, 'latin1'));
  }

  get size(): number {
    return this.spans.length;
  }

  /** Whether a paragraph starts at this offset (binary search: spans are in text order). */
  isParagraphStart(offset: number): boolean {
    let lo = 0;
    let hi = this.spans.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const start = this.spans[mid]!.start;
      if (start === offset) return true;
      if (start < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** The paragraphs (indexes into spans) of one package name. */
  indexesOf(name: string): readonly number[] {
    return this.byName.get(name) ?? [];
  }

  /** How many paragraphs each name has (retention: only names over the limit are parsed). */
  *nameCounts(): IterableIterator<[string, number]> {
    for (const [name, list] of this.byName) yield [name, list.length];
  }

  /** Paragraph `index`, parsed strictly (once). */
  entry(index: number): AptIndexEntry {
    let e = this.parsed.get(index);
    if (!e) {
      const span = this.spans[index]!;
      e = parseEntry(this.text.slice(span.start, span.end), this.codename);
      if (span.name && e.package !== span.name) throw repoCorrupt(`a Packages index of ${this.codename} does not parse: a paragraph names two packages`);
      this.parsed.set(index, e);
    }
    return e;
  }

  /** Every entry, strictly parsed (resign, a new architecture seeded from arch "all", tests). */
  all(): AptIndexEntry[] {
    return this.spans.map((_, i) => this.entry(i));
  }

  /**
   * Where an entry sorts in (Packages are written sorted by package, version, architecture): the
   * index of the first paragraph after it. Names are compared from the index; only paragraphs of
   * the same name are parsed for their versions. A text that is not sorted still gets a valid
   * position (apt does not need the order).
   */
  insertionPoint(e: Pick<AptIndexEntry, 'package' | 'version' | 'architecture'>): number {
    let lo = 0;
    let hi = this.spans.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const name = this.spans[mid]!.name;
      const c = name < e.package ? -1 : name > e.package ? 1 : compareEntries(this.entry(mid), e);
      if (c <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Packages order: package, then Debian version, then architecture. */
export function compareEntries(a: Pick<AptIndexEntry, 'package' | 'version' | 'architecture'>, b: Pick<AptIndexEntry, 'package' | 'version' | 'architecture'>): number {
  if (a.package !== b.package) return a.package < b.package ? -1 : 1;
  return compareDebianVersions(a.version, b.version) || (a.architecture < b.architecture ? -1 : a.architecture > b.architecture ? 1 : 0);
}

/** The fields of a Packages entry that publishing uses; every other field is carried verbatim in `text`. */
const KEY_FIELDS = new Map<string, keyof ScannedFields>([
  ['package', 'package'], ['version', 'version'], ['architecture', 'architecture'], ['filename', 'filename'], ['sha256', 'sha256'], ['size', 'size'],
]);
type ScannedFields = { package?: string; version?: string; architecture?: string; filename?: string; sha256?: string; size?: string };
const FIELD_NAME = /^[!-9;-~]+$/; // deb822 field names (Policy §5.1), as distro/deb/deb822.ts checks them

/**
 * One paragraph, as strict as parseParagraphs about the deb822 shape (every line a field or a
 * continuation, no duplicate field) but without building a field list: only the key fields are
 * extracted, checked against their grammar and the pool layout.
 */
export function parseEntry(chunk: string, codename: string): AptIndexEntry {
  const seen = new Set<string>();
  const f: ScannedFields = {};
  let first = true;
  for (const line of chunk.split('\n')) {
    const c = line.charCodeAt(0);
    if (c === 32 || c === 9) {
      if (first) throw repoCorrupt(`a Packages index of ${codename} does not parse: continuation line without a field`);
      if (line.trim() === '') throw repoCorrupt(`a Packages index of ${codename} does not parse: a blank continuation line`);
      continue;
    }
    first = false;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    const lower = name.toLowerCase();
    if (!FIELD_NAME.test(name) || name.startsWith('#') || name.startsWith('-') || seen.has(lower)) {
      throw repoCorrupt(`a Packages index of ${codename} does not parse: ${seen.has(lower) ? `duplicate field ${name}` : `malformed line ${JSON.stringify(line.slice(0, 60))}`}`);
    }
    seen.add(lower);
    const key = KEY_FIELDS.get(lower);
    if (key) f[key] = line.slice(colon + 1).trim();
  }
  const get = (n: keyof ScannedFields, label: string, grammar: RegExp) => {
    const v = f[n];
    if (!v || !grammar.test(v)) throw repoCorrupt(`a Packages entry of ${codename} has no valid ${label} (${JSON.stringify(v)})`);
    return v;
  };
  const entry: AptIndexEntry = {
    package: get('package', 'Package', DEB_NAME), version: get('version', 'Version', DEB_VERSION), architecture: get('architecture', 'Architecture', DEB_ARCH),
    filename: get('filename', 'Filename', /^pool\//), sha256: get('sha256', 'SHA256', /^[0-9a-f]{64}$/), size: Number(get('size', 'Size', /^[0-9]{1,15}$/)),
    text: chunk,
  };
  checkPoolPath(entry.filename, entry, codename);
  return entry;
}
