/**
 * Hand-made .xz files for the decoder's tests: every field of the container (xz file format 1.x,
 * sections 2-4) built from parts, so a test can put exactly one thing wrong and see it refused.
 * CRC32 comes from node:zlib (not from the code under test); the LZMA2 payloads here use
 * uncompressed chunks (or bytes a test gives), which need no encoder.
 */
import { createHash } from 'node:crypto';
import { crc32 as zlibCrc32 } from 'node:zlib';

export const crc32 = (b: Uint8Array): number => zlibCrc32(b) >>> 0;

export function le32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** 1.2 Multibyte integer. */
export function vli(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

export function streamHeader(check: number): Buffer {
  const flags = Buffer.from([0, check]);
  return Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), flags, le32(crc32(flags))]);
}

export function streamFooter(indexSize: number, check: number): Buffer {
  const body = Buffer.concat([le32(indexSize / 4 - 1), Buffer.from([0, check])]);
  return Buffer.concat([le32(crc32(body)), body, Buffer.from('YZ')]);
}

export interface BlockSpec {
  /** Raw LZMA2 data (ending with the 0x00 end byte) or whatever a test wants there. */
  payload: Buffer;
  /** The block's uncompressed bytes, for the check and the index. */
  plain: Buffer;
  filters?: Array<[number, Buffer]>;
  compressedSize?: number;
  uncompressedSize?: number;
  /** Extra bits for the flags byte (e.g. reserved ones). */
  flagBits?: number;
  /** Header padding byte (must be 0). */
  padByte?: number;
}

export function blockHeader(spec: BlockSpec): Buffer {
  const filters = spec.filters ?? [[0x21, Buffer.from([0x16])]];
  let flags = (filters.length - 1) | (spec.flagBits ?? 0);
  const parts: Buffer[] = [];
  if (spec.compressedSize !== undefined) {
    flags |= 0x40;
    parts.push(vli(spec.compressedSize));
  }
  if (spec.uncompressedSize !== undefined) {
    flags |= 0x80;
    parts.push(vli(spec.uncompressedSize));
  }
  for (const [id, props] of filters) parts.push(vli(id), vli(props.length), props);
  let body = Buffer.concat([Buffer.from([0, flags]), ...parts]);
  const padded = Math.ceil((body.length + 4) / 4) * 4;
  body = Buffer.concat([body, Buffer.alloc(padded - 4 - body.length, spec.padByte ?? 0)]);
  body[0] = padded / 4 - 1;
  return Buffer.concat([body, le32(crc32(body))]);
}

export function checkOf(check: number, plain: Buffer): Buffer {
  if (check === 0) return Buffer.alloc(0);
  if (check === 1) return le32(crc32(plain));
  if (check === 10) return createHash('sha256').update(plain).digest();
  throw new Error(`the craft helper has no check ${check}`);
}

export function index(records: Array<[number, number]>): Buffer {
  let body = Buffer.concat([Buffer.from([0]), vli(records.length), ...records.flatMap(([u, n]) => [vli(u), vli(n)])]);
  body = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  return Buffer.concat([body, le32(crc32(body))]);
}

/** A whole stream of the given blocks (check: 0 none, 1 CRC32, 10 SHA-256). */
export function stream(blocks: BlockSpec[], check = 1): Buffer {
  const parts: Buffer[] = [streamHeader(check)];
  const records: Array<[number, number]> = [];
  for (const b of blocks) {
    const header = blockHeader(b);
    const sum = checkOf(check, b.plain);
    parts.push(header, b.payload, Buffer.alloc((4 - (b.payload.length % 4)) % 4), sum);
    records.push([header.length + b.payload.length + sum.length, b.plain.length]);
  }
  const idx = index(records);
  parts.push(idx, streamFooter(idx.length, check));
  return Buffer.concat(parts);
}

/** LZMA2 data of uncompressed chunks (the first resets the dictionary), then the end byte. */
export function lzma2Stored(plain: Buffer, chunk = 65536): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < plain.length; at += chunk) {
    const piece = plain.subarray(at, at + chunk);
    parts.push(Buffer.from([at === 0 ? 0x01 : 0x02, (piece.length - 1) >> 8, (piece.length - 1) & 0xff]), piece);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

/** A valid one-block stream of stored LZMA2 chunks. */
export function storedStream(plain: Buffer, check = 1): Buffer {
  return stream([{ payload: lzma2Stored(plain), plain }], check);
}
