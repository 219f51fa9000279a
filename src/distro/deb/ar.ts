/**
 * The Unix ar archive as dpkg writes .debs (deb(5)): the global magic "!<arch>\n", then members with
 * a 60-byte text header (name 16, mtime 12, uid 6, gid 6, mode 8, size 10, "`\n") and data padded
 * to an even length. Only what .deb handling needs: list members, and append one (debsigs'
 * `_gpgorigin`). Input is untrusted: sizes are bounds-checked.
 */
import { Py2DistroError } from '../../lib/errors.js';

const AR_MAGIC = '!<arch>\n';
const HEADER_SIZE = 60;

export interface ArMember {
  name: string;
  /** Offset of the member's data in the archive. */
  offset: number;
  size: number;
}

function bad(message: string): Py2DistroError {
  return new Py2DistroError('E_PACKAGE_FORMAT', `not a valid .deb (ar): ${message}`);
}

export function isAr(buf: Buffer): boolean {
  return buf.length >= 8 && buf.toString('latin1', 0, 8) === AR_MAGIC;
}

/** Members of an ar archive, given its first bytes (or all of it) and its total size. */
export function listArMembers(buf: Buffer, totalSize = buf.length, maxMembers = 64): ArMember[] {
  if (!isAr(buf)) throw bad('missing !<arch> magic');
  const members: ArMember[] = [];
  let at = 8;
  while (at < totalSize) {
    if (members.length >= maxMembers) throw bad('too many members');
    if (at + HEADER_SIZE > buf.length) break; // the caller gave only a prefix: stop at what we have
    const header = buf.toString('latin1', at, at + HEADER_SIZE);
    if (header.slice(58, 60) !== '`\n') throw bad(`bad member header at ${at}`);
    // GNU ar ends names with '/', BSD/dpkg pads with spaces.
    const name = header.slice(0, 16).trimEnd().replace(/\/$/, '');
    const sizeText = header.slice(48, 58).trim();
    if (!/^\d+$/.test(sizeText)) throw bad(`bad member size at ${at}`);
    const size = Number(sizeText);
    const offset = at + HEADER_SIZE;
    if (offset + size > totalSize) throw bad(`member ${name} runs past the end`);
    members.push({ name, offset, size });
    at = offset + size + (size % 2);
  }
  return members;
}

/** One ar member (header + data + padding) as dpkg-deb writes it: mtime 0, uid/gid 0, mode 100644. */
export function encodeArMember(name: string, data: Buffer): Buffer {
  if (!/^[A-Za-z0-9_.+-]{1,15}$/.test(name)) throw new Py2DistroError('E_PACKAGE_FORMAT', `invalid ar member name ${name}`);
  const field = (v: string, n: number) => v.padEnd(n, ' ');
  const header = field(name, 16) + field('0', 12) + field('0', 6) + field('0', 6) + field('100644', 8) + field(String(data.length), 10) + '`\n';
  return Buffer.concat([Buffer.from(header, 'latin1'), data, data.length % 2 ? Buffer.from('\n') : Buffer.alloc(0)]);
}
