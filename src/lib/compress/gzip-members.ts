/**
 * A .gz as a series of gzip members (RFC 1952 §2.2: "a gzip file consists of a series of
 * members"; zlib's gzread, gzip -d and Python's gzip read them as one stream), each covering whole
 * records of the text (apt's Packages paragraphs, yum's package blocks), so that a publish
 * recompresses only the members whose records changed and copies the others byte for byte. Each
 * member names its own length in an extra field (FEXTRA, subfield "P2", 4 bytes little-endian: the
 * member's total size, as BGZF does), so the members are found without inflating the file.
 * Callers take members only from a file whose sha256 matched signed metadata, and together the
 * members must tile the verified text exactly (ISIZE per member, boundaries on record starts);
 * anything else — a file written as one plain member — is simply recompressed whole, once.
 */
import { promisify } from 'node:util';
import { BugError } from '../errors.js';
import { gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);

/** A member's place in the uncompressed text and its bytes in the .gz. */
export interface GzMember {
  /** [textStart, textEnd) of the uncompressed text. */
  textStart: number;
  textEnd: number;
  bytes: Buffer;
}

/** Uncompressed text per new member: small enough that one change recompresses little, big enough to compress well. */
export const MEMBER_TARGET = 64 * 1024;

const HEADER = 10;
const EXTRA = 2 + 4 + 4; // XLEN, SI1 SI2 LEN, the length
const TRAILER = 8;
const FLG_FEXTRA = 4;

/** Compress `text` into one member carrying its length. */
export async function gzipMember(text: Buffer, level = 6): Promise<Buffer> {
  const plain = await gzipAsync(text, { level });
  // zlib writes a 10-byte header without optional fields (FLG 0): add FEXTRA right after it.
  if (plain[0] !== 0x1f || plain[1] !== 0x8b || plain[3] !== 0) throw new BugError('zlib wrote an unexpected gzip header');
  const out = Buffer.alloc(plain.length + EXTRA);
  plain.copy(out, 0, 0, HEADER);
  out[3] = FLG_FEXTRA;
  out.writeUInt16LE(8, HEADER); // XLEN: one subfield of 4 + 4 bytes
  out.write('P2', HEADER + 2, 'latin1');
  out.writeUInt16LE(4, HEADER + 4);
  out.writeUInt32LE(out.length, HEADER + 6);
  plain.copy(out, HEADER + EXTRA, HEADER);
  return out;
}

/**
 * The members of a verified .gz, if it is a series py2distro wrote for a text of `textLength`
 * bytes whose boundaries all fall on record starts (`paragraphStarts`); undefined otherwise
 * (then recompress all).
 */
export function readMembers(gz: Buffer, textLength: number, paragraphStarts: Pick<ReadonlySet<number>, 'has'>): GzMember[] | undefined {
  const members: GzMember[] = [];
  let at = 0;
  let textAt = 0;
  while (at < gz.length) {
    if (gz.length - at < HEADER + EXTRA + TRAILER) return undefined;
    if (gz[at] !== 0x1f || gz[at + 1] !== 0x8b || gz[at + 2] !== 8 || gz[at + 3] !== FLG_FEXTRA) return undefined;
    if (gz.readUInt16LE(at + HEADER) !== 8 || gz.toString('latin1', at + HEADER + 2, at + HEADER + 4) !== 'P2' || gz.readUInt16LE(at + HEADER + 4) !== 4) return undefined;
    const length = gz.readUInt32LE(at + HEADER + 6);
    if (length < HEADER + EXTRA + TRAILER || at + length > gz.length) return undefined;
    const isize = gz.readUInt32LE(at + length - 4);
    const textEnd = textAt + isize;
    if (textEnd > textLength || (textEnd < textLength && !paragraphStarts.has(textEnd))) return undefined;
    members.push({ textStart: textAt, textEnd, bytes: gz.subarray(at, at + length) });
    at += length;
    textAt = textEnd;
  }
  return textAt === textLength && members.length ? members : undefined;
}
