/**
 * Read what an apt index needs from a .deb without dpkg: the ar members (deb(5)), the `control`
 * file inside control.tar{,.gz,.xz,.zst}, the file's size and sha256, and its *identity* — the
 * sha256 of the package without any debsigs `_gpg*` members — so the same package re-signed is
 * recognised as the same content. Everything in the file is untrusted: sizes are capped and the
 * control paragraph is parsed strictly (src/repos/deb822.ts) and checked field by field.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { xzDecompressSync, XzError, XzLimitError } from '../../lib/compress/xz.js';
import { Py2DistroError } from '../../lib/errors.js';
import { runBuffer } from '../../lib/exec.js';
import { listArMembers } from './ar.js';
import { field, parseSingleParagraph, type Paragraph } from './deb822.js';

const MAX_CONTROL_TAR = 32 * 1024 * 1024;

import { DEB_ARCH, DEB_NAME, DEB_VERSION } from './grammar.js';

export { DEB_ARCH, DEB_NAME, DEB_VERSION };
/** Fields the index computes itself; a control file that carries them is refused. */
const INDEX_FIELDS = ['filename', 'size', 'md5sum', 'sha1', 'sha256', 'sha512'];

export interface DebInfo {
  package: string;
  version: string;
  architecture: string;
  /** Source package name (Source: field without its version, else the package name). */
  source: string;
  control: Paragraph;
  size: number;
  sha256: string;
  /** sha256 without trailing debsigs `_gpg*` members. */
  identitySha256: string;
}

function bad(file: string, message: string): Py2DistroError {
  return new Py2DistroError('E_PACKAGE_FORMAT', `${file}: ${message}`);
}

export async function readDebInfo(buf: Buffer, file = 'package'): Promise<DebInfo> {
  let members: ReturnType<typeof listArMembers>;
  try {
    members = listArMembers(buf);
  } catch (err) {
    throw err instanceof Py2DistroError ? bad(file, err.message) : err; // name the file in the refusal
  }
  if (members[0]?.name !== 'debian-binary' || !buf.toString('latin1', members[0].offset, members[0].offset + 4).startsWith('2.')) {
    throw bad(file, 'not a Debian binary package (no debian-binary 2.x member)');
  }
  const controlMember = members.find((m) => /^control\.tar(\.(gz|xz|zst))?$/.test(m.name));
  if (!controlMember) throw bad(file, 'no control.tar member');
  const tar = await decompress(buf.subarray(controlMember.offset, controlMember.offset + controlMember.size), controlMember.name, file);
  const text = findTarFile(tar, 'control', file);
  if (text === undefined) throw bad(file, 'control.tar has no ./control file');
  const control = parseSingleParagraph(text.toString('utf8'), `${file} control`);
  const pkg = field(control, 'Package') ?? '';
  const version = field(control, 'Version') ?? '';
  const architecture = field(control, 'Architecture') ?? '';
  if (!DEB_NAME.test(pkg)) throw bad(file, `invalid Package ${JSON.stringify(pkg)}`);
  if (!DEB_VERSION.test(version)) throw bad(file, `invalid Version ${JSON.stringify(version)}`);
  if (!DEB_ARCH.test(architecture)) throw bad(file, `invalid Architecture ${JSON.stringify(architecture)}`);
  const sourceField = field(control, 'Source');
  const source = sourceField ? sourceField.split(/\s+/)[0]! : pkg;
  if (!DEB_NAME.test(source)) throw bad(file, `invalid Source ${JSON.stringify(sourceField)}`);
  const extra = control.find(([n]) => INDEX_FIELDS.includes(n.toLowerCase()));
  if (extra) throw bad(file, `control file carries the index field ${extra[0]}`);
  const sha256 = createHash('sha256').update(buf).digest('hex');
  const firstSig = members.findIndex((m) => m.name.startsWith('_gpg'));
  const unsignedEnd = firstSig > 0 && members.slice(firstSig).every((m) => m.name.startsWith('_gpg'))
    ? members[firstSig]!.offset - 60
    : buf.length;
  const identitySha256 = unsignedEnd === buf.length ? sha256 : createHash('sha256').update(buf.subarray(0, unsignedEnd)).digest('hex');
  return { package: pkg, version, architecture, source, control, size: buf.length, sha256, identitySha256 };
}

async function decompress(data: Buffer, name: string, file: string): Promise<Buffer> {
  try {
    if (name.endsWith('.gz')) return gunzipSync(data, { maxOutputLength: MAX_CONTROL_TAR });
    if (name.endsWith('.zst')) {
      const r = await runBuffer('zstd', ['-dc', '--no-progress'], { input: data, timeout: 60_000 });
      return capped(r.stdout, file);
    }
    // Our own synchronous decoder (src/lib/compress/xz.ts): it checks the cap before writing.
    if (name.endsWith('.xz')) return xzDecompressSync(data, { maxOutput: MAX_CONTROL_TAR });
    return data;
  } catch (err) {
    if (err instanceof Py2DistroError) throw err;
    if (err instanceof XzLimitError) throw bad(file, 'control.tar is too large');
    const reason = err instanceof XzError ? ` (${err.message})` : '';
    throw new Py2DistroError('E_PACKAGE_FORMAT', `${file}: cannot decompress ${name}${reason}`, { cause: err });
  }
}

function capped(buf: Buffer, file: string): Buffer {
  if (buf.length > MAX_CONTROL_TAR) throw bad(file, 'control.tar is too large');
  return buf;
}

/** The contents of a regular file named `name` (or `./name`) in a ustar/GNU/pax tar image. */
export function findTarFile(tar: Buffer, name: string, file = 'archive'): Buffer | undefined {
  let found: Buffer | undefined;
  walkTar(tar, file, (entryName, type, body) => {
    if (found === undefined && (type === '0' || type === '\0') && entryName.replace(/^\.\//, '') === name) found = Buffer.from(body);
  });
  return found;
}

/**
 * Every entry of control.tar but the top directory: name (without `./`) → content; an entry that
 * is not a regular file is listed as `<name> (type X)` with empty content, so a check refuses it.
 */
export async function readControlMembers(buf: Buffer, file = 'package'): Promise<Map<string, Buffer>> {
  const controlMember = listArMembers(buf).find((m) => /^control\.tar(\.(gz|xz|zst))?$/.test(m.name));
  if (!controlMember) throw bad(file, 'no control.tar member');
  const tar = await decompress(buf.subarray(controlMember.offset, controlMember.offset + controlMember.size), controlMember.name, file);
  const out = new Map<string, Buffer>();
  walkTar(tar, file, (entryName, type, body) => {
    const name = entryName.replace(/^\.\//, '').replace(/\/$/, '');
    if (name === '' || name === '.') return;
    if (type === '0' || type === '\0') out.set(name, Buffer.from(body));
    else out.set(`${name} (type ${type})`, Buffer.alloc(0));
  });
  return out;
}

const ZERO_BLOCK = Buffer.alloc(512);

function walkTar(tar: Buffer, file: string, visit: (name: string, type: string, body: Buffer) => void): void {
  let at = 0;
  let longName: string | undefined;
  while (at + 512 <= tar.length) {
    const header = tar.subarray(at, at + 512);
    if (header[0] === 0 && header.equals(ZERO_BLOCK)) return;
    const cstr = (from: number, len: number) => {
      const nul = header.indexOf(0, from);
      return header.toString('utf8', from, nul < 0 || nul > from + len ? from + len : nul);
    };
    const sizeText = cstr(124, 12).trim();
    if (!/^[0-7]*$/.test(sizeText)) throw bad(file, 'corrupt tar header in control.tar');
    const size = parseInt(sizeText || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = at + 512;
    if (dataStart + size > tar.length) throw bad(file, 'truncated control.tar');
    const body = tar.subarray(dataStart, dataStart + size);
    const prefix = header[345] === 0 ? '' : cstr(345, 155);
    const entryName = longName ?? (prefix ? `${prefix}/${cstr(0, 100)}` : cstr(0, 100));
    longName = undefined;
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === 'x') {
      const path = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'));
      if (path) longName = path[1];
    } else if (type !== 'g') visit(entryName, type, body);
    at = dataStart + Math.ceil(size / 512) * 512;
  }
}
