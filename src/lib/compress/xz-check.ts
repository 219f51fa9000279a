/**
 * The integrity checks of .xz blocks (xz file format 1.x, section 3.4 "Check" and 2.1.1.2 "Stream
 * Flags"): none (0x00), CRC32 (0x01, 4 bytes little-endian), CRC64 (0x04, 8 bytes little-endian)
 * and SHA-256 (0x0A, 32 bytes). The spec reserves other IDs with known sizes; a decoder may skip
 * them, but we fail closed: an unverifiable stream is refused.
 */
import { createHash } from 'node:crypto';
import { crc32 } from './crc.js';
import { crc64 } from './crc64-zeros.js';
import { XzError } from './xz-error.js';

export const CHECK_NONE = 0x00;
const CHECK_CRC32 = 0x01;
const CHECK_CRC64 = 0x04;
const CHECK_SHA256 = 0x0a;

/** Size of the check field of a supported check type, else an error. */
export function checkSize(type: number): number {
  switch (type) {
    case CHECK_NONE: return 0;
    case CHECK_CRC32: return 4;
    case CHECK_CRC64: return 8;
    case CHECK_SHA256: return 32;
    default: throw new XzError(`unsupported integrity check type 0x${type.toString(16)}`);
  }
}

/** Throws unless `stored` is the check of data[from, to) (the block's uncompressed bytes). */
export function verifyCheck(type: number, data: Uint8Array, from: number, to: number, stored: Uint8Array): void {
  let ok: boolean;
  switch (type) {
    case CHECK_NONE:
      return;
    case CHECK_CRC32: {
      const c = crc32(data, from, to);
      ok = stored[0] === (c & 0xff) && stored[1] === ((c >>> 8) & 0xff) && stored[2] === ((c >>> 16) & 0xff) && stored[3] === c >>> 24;
      break;
    }
    case CHECK_CRC64: {
      const c = crc64(data, from, to);
      ok = true;
      for (let i = 0; i < 8; i++) if (c[i] !== stored[i]) ok = false;
      break;
    }
    case CHECK_SHA256:
      ok = createHash('sha256').update(data.subarray(from, to)).digest().equals(stored);
      break;
    default:
      throw new XzError(`unsupported integrity check type 0x${type.toString(16)}`);
  }
  if (!ok) throw new XzError('integrity check failed: the decompressed data is corrupt');
}
