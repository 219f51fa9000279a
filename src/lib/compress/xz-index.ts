/**
 * The .xz index and its integers (xz file format 1.x, section 4 "Index" and 1.2 "Multibyte
 * Integers"). The index repeats, for every block, its unpadded size (header + compressed data +
 * check, without padding) and its uncompressed size; a decoder that trusted the blocks alone would
 * accept a stream whose index lies, so every record is compared with what the blocks really were.
 */
import { crc32 } from './crc.js';
import { XzError } from './xz-error.js';

export interface BlockRecord {
  unpaddedSize: number;
  uncompressedSize: number;
}

export function le32(data: Uint8Array, at: number): number {
  return (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
}

/**
 * 1.2: 7 bits a byte, little-endian, high bit = more; at most 9 bytes, and no trailing zero byte
 * (each value has one encoding). Values past 2^53 are refused: no real size is that large.
 */
export function readVli(data: Uint8Array, cursor: { pos: number }, limit: number): number {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (cursor.pos >= limit) throw new XzError('corrupt xz file (integer runs past its field)');
    const b = data[cursor.pos++]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (i > 0 && b === 0) throw new XzError('corrupt xz file (integer is not minimally encoded)');
      if (value > Number.MAX_SAFE_INTEGER) throw new XzError('corrupt xz file (integer too large)');
      return value;
    }
  }
  throw new XzError('corrupt xz file (integer longer than 9 bytes)');
}

/** 4 Index at data[start] (its indicator 0x00), checked against `records`; returns the offset after it. */
export function decodeIndex(data: Uint8Array, start: number, records: BlockRecord[]): number {
  const cursor = { pos: start + 1 };
  const end = data.length;
  // 4.2 Number of Records, 4.3 List of Records.
  if (readVli(data, cursor, end) !== records.length) throw new XzError('corrupt xz index (number of records differs from the blocks)');
  for (const record of records) {
    if (readVli(data, cursor, end) !== record.unpaddedSize) throw new XzError('corrupt xz index (a block size differs from the block)');
    if (readVli(data, cursor, end) !== record.uncompressedSize) throw new XzError('corrupt xz index (an uncompressed size differs from the block)');
  }
  // 4.4 Index Padding, 4.5 CRC32 of everything from the indicator.
  for (; (cursor.pos - start) % 4 !== 0; cursor.pos++) {
    if (cursor.pos >= end) throw new XzError('truncated xz index');
    if (data[cursor.pos] !== 0) throw new XzError('corrupt xz index (non-zero padding)');
  }
  if (cursor.pos + 4 > end) throw new XzError('truncated xz index');
  if (crc32(data, start, cursor.pos) !== le32(data, cursor.pos)) throw new XzError('corrupt xz index (CRC32 mismatch)');
  return cursor.pos + 4;
}
