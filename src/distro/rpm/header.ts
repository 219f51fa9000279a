/**
 * The RPM v3/v4 file layout (rpm's lib/header.c and the "RPM file format" page of rpm.org):
 *   lead (96 bytes) | signature header, zero-padded to 8 bytes | main header | payload
 * A header is: magic 8E AD E8 01 + 4 reserved bytes, index count `il`, data length `dl`
 * (both big-endian u32), `il` 16-byte entries {tag, type, offset, count}, then `dl` bytes of data.
 * The first entry of a signed header is a "region" tag (62 in the signature header, 63 in the main
 * header) whose 16-byte trailer sits at the end of the data and holds -(il * 16).
 *
 * Input rpms are untrusted: every length and offset is bounds-checked with rpm's own limits and
 * anything odd is E_PACKAGE_FORMAT.
 */
import { Py2DistroError } from '../../lib/errors.js';

export const RPM_LEAD_SIZE = 96;
const LEAD_MAGIC = 0xedabeedb;
const HEADER_MAGIC = Buffer.from([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);
const HEADER_TAGS_MAX = 0xffff;
const HEADER_DATA_MAX = 0x0fffffff;

export const TYPE = { NULL: 0, CHAR: 1, INT8: 2, INT16: 3, INT32: 4, INT64: 5, STRING: 6, BIN: 7, STRING_ARRAY: 8, I18NSTRING: 9 } as const;
const FIXED_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1 };
const REGION_SIGNATURES = 62;
const REGION_IMMUTABLE = 63;

export interface HeaderEntry {
  tag: number;
  type: number;
  count: number;
  /** The entry's data bytes exactly as stored (strings include their NULs). */
  data: Buffer;
}

export interface ParsedHeader {
  entries: HeaderEntry[];
  /** 62 / 63 when the header is a signed region, else undefined. */
  regionTag?: number;
  /** Byte offsets within the file: start of magic, end of data (before any padding). */
  start: number;
  end: number;
}

export interface RpmLayout {
  signature: ParsedHeader;
  /** Start of the main header (after the signature header's padding). */
  mainStart: number;
  main: ParsedHeader;
}

function bad(message: string): Py2DistroError {
  return new Py2DistroError('E_PACKAGE_FORMAT', `not a valid rpm: ${message}`);
}

export function readRpmLayout(buf: Buffer): RpmLayout {
  if (buf.length < RPM_LEAD_SIZE + 16 || buf.readUInt32BE(0) !== LEAD_MAGIC) throw bad('no rpm lead');
  const signature = parseHeader(buf, RPM_LEAD_SIZE, REGION_SIGNATURES);
  const mainStart = signature.end + padTo8(signature.end - RPM_LEAD_SIZE);
  const main = parseHeader(buf, mainStart, REGION_IMMUTABLE);
  return { signature, mainStart, main };
}

export function padTo8(n: number): number {
  return (8 - (n % 8)) % 8;
}

export function parseHeader(buf: Buffer, start: number, expectedRegion: number): ParsedHeader {
  if (start + 16 > buf.length || !buf.subarray(start, start + 8).equals(HEADER_MAGIC)) throw bad(`no header magic at ${start}`);
  const il = buf.readUInt32BE(start + 8);
  const dl = buf.readUInt32BE(start + 12);
  if (il < 1 || il > HEADER_TAGS_MAX || dl > HEADER_DATA_MAX) throw bad('header size out of range');
  const indexStart = start + 16;
  const dataStart = indexStart + il * 16;
  const end = dataStart + dl;
  if (end > buf.length) throw bad('header runs past the end of the file');
  const entries: HeaderEntry[] = [];
  let regionTag: number | undefined;
  for (let i = 0; i < il; i++) {
    const at = indexStart + i * 16;
    const tag = buf.readUInt32BE(at);
    const type = buf.readUInt32BE(at + 4);
    const offset = buf.readInt32BE(at + 8);
    const count = buf.readUInt32BE(at + 12);
    if (i === 0 && tag === expectedRegion) {
      if (type !== TYPE.BIN || count !== 16 || offset < 0 || offset + 16 > dl) throw bad('malformed region tag');
      regionTag = tag;
      continue;
    }
    if (type > TYPE.I18NSTRING || count === 0 || count > HEADER_DATA_MAX || offset < 0 || offset > dl) {
      throw bad(`malformed entry for tag ${tag}`);
    }
    const len = dataLength(buf, dataStart + offset, end, type, count);
    entries.push({ tag, type, count, data: Buffer.from(buf.subarray(dataStart + offset, dataStart + offset + len)) });
  }
  return { entries, regionTag, start, end };
}

function dataLength(buf: Buffer, from: number, limit: number, type: number, count: number): number {
  const fixed = FIXED_SIZE[type];
  if (fixed !== undefined) {
    const len = fixed * count;
    if (from + len > limit) throw bad('entry data out of bounds');
    return len;
  }
  if (type === TYPE.NULL) return 0;
  if (type === TYPE.STRING && count !== 1) throw bad('STRING entry with count != 1');
  let at = from;
  for (let i = 0; i < count; i++) {
    const nul = buf.indexOf(0, at);
    if (nul < 0 || nul >= limit) throw bad('unterminated string');
    at = nul + 1;
  }
  return at - from;
}

const ALIGN: Record<number, number> = { 3: 2, 4: 4, 5: 8 };

/**
 * Encode a header as rpm's headerReload() does: one region tag first, the other entries sorted
 * by tag, each entry's data aligned to its type, the region trailer at the end of the data.
 */
export function encodeHeader(entriesIn: readonly HeaderEntry[], regionTag: number): Buffer {
  const entries = [...entriesIn].sort((a, b) => a.tag - b.tag);
  const il = entries.length + 1;
  const index = Buffer.alloc(il * 16);
  const chunks: Buffer[] = [];
  let dl = 0;
  entries.forEach((e, i) => {
    const align = ALIGN[e.type] ?? 1;
    const pad = (align - (dl % align)) % align;
    if (pad) chunks.push(Buffer.alloc(pad));
    dl += pad;
    const at = (i + 1) * 16;
    index.writeUInt32BE(e.tag, at);
    index.writeUInt32BE(e.type, at + 4);
    index.writeInt32BE(dl, at + 8);
    index.writeUInt32BE(e.count, at + 12);
    chunks.push(e.data);
    dl += e.data.length;
  });
  const trailer = Buffer.alloc(16);
  trailer.writeUInt32BE(regionTag, 0);
  trailer.writeUInt32BE(TYPE.BIN, 4);
  trailer.writeInt32BE(-il * 16, 8);
  trailer.writeUInt32BE(16, 12);
  index.writeUInt32BE(regionTag, 0);
  index.writeUInt32BE(TYPE.BIN, 4);
  index.writeInt32BE(dl, 8);
  index.writeUInt32BE(16, 12);
  chunks.push(trailer);
  dl += 16;
  const head = Buffer.alloc(16);
  HEADER_MAGIC.copy(head, 0);
  head.writeUInt32BE(il, 8);
  head.writeUInt32BE(dl, 12);
  return Buffer.concat([head, index, ...chunks]);
}

/** Read a STRING / I18NSTRING (first) / INT32 value of a tag from a parsed header. */
export function headerString(h: ParsedHeader, tag: number): string | undefined {
  const e = h.entries.find((x) => x.tag === tag);
  if (!e || (e.type !== TYPE.STRING && e.type !== TYPE.I18NSTRING && e.type !== TYPE.STRING_ARRAY)) return undefined;
  const nul = e.data.indexOf(0);
  return e.data.subarray(0, nul < 0 ? e.data.length : nul).toString('utf8');
}

export function headerInt32(h: ParsedHeader, tag: number): number | undefined {
  const e = h.entries.find((x) => x.tag === tag);
  return e && e.type === TYPE.INT32 && e.data.length >= 4 ? e.data.readUInt32BE(0) : undefined;
}
