/**
 * One package's blocks of the yum repodata documents (primary, filelists and other .xml), made
 * from its header exactly as createrepo_c writes them (its parsehdr.c and xml_dump_*.c, libxml2's
 * serialisation: two-space indent, `&<>` escaped in text, `&<>"` and tab/CR/LF in attributes, UTF-8
 * as it is). What the blocks hold:
 *   - primary: name, arch ("src" for a source package), epoch:version-release, the file's sha256,
 *     summary, description, packager, url, times, sizes, location, license, vendor, group,
 *     buildhost, sourcerpm, the main header's byte range, provides / requires / conflicts /
 *     obsoletes / weak dependencies, and the "primary" files (under /etc/, in a bin/ directory,
 *     /usr/lib/sendmail);
 *   - filelists: every file, directories and %ghost files typed;
 *   - other: the newest ten changelog entries (createrepo_c's default limit), oldest first.
 * Requires are filtered as createrepo_c does: rpmlib(…) features, the package's own primary files
 * and what the package itself provides (same name, flags and version) dropped, exact duplicates
 * dropped, and of several libc.so.6(…) only the highest.
 *
 * The header is untrusted input, parsed with bounds checks (header.ts). Text with control
 * characters XML cannot carry is E_PACKAGE_FORMAT (createrepo_c drops such a package: "Forbidden
 * control chars found"). A header that holds anything else this module does not render the way
 * createrepo_c does — text that is not UTF-8, pre-4.x file lists, legacy weak-dependency tags,
 * dependency lists whose lengths disagree — is `undefined`: the caller indexes that package with
 * createrepo_c.
 */
import { Py2DistroError } from '../../lib/errors.js';
import { readRpmLayout, TYPE, type HeaderEntry, type ParsedHeader } from './header.js';
import { rpmvercmp } from './version-compare.js';

export interface RepodataBlocks {
  primary: string;
  filelists: string;
  other: string;
}

export interface RepodataInput {
  /** The signed package file. */
  bytes: Buffer;
  /** Its sha256 (hex): the pkgid. */
  sha256: string;
  /** Where it is published, relative to the repository: Packages/<file>.rpm */
  href: string;
  /** The file's mtime, seconds since the epoch (primary.xml's time file="…"). */
  mtime: number;
}

const TAG = {
  NAME: 1000, VERSION: 1001, RELEASE: 1002, EPOCH: 1003, SUMMARY: 1004, DESCRIPTION: 1005, BUILDTIME: 1006, BUILDHOST: 1007,
  SIZE: 1009, VENDOR: 1011, LICENSE: 1014, PACKAGER: 1015, GROUP: 1016, URL: 1020, ARCH: 1022, OLDFILENAMES: 1027,
  FILEMODES: 1030, FILEFLAGS: 1037, SOURCERPM: 1044, ARCHIVESIZE: 1046, PROVIDENAME: 1047, REQUIREFLAGS: 1048,
  REQUIRENAME: 1049, REQUIREVERSION: 1050, CONFLICTFLAGS: 1053, CONFLICTNAME: 1054, CONFLICTVERSION: 1055,
  CHANGELOGTIME: 1080, CHANGELOGNAME: 1081, CHANGELOGTEXT: 1082, OBSOLETENAME: 1090, SOURCEPACKAGE: 1106,
  PROVIDEFLAGS: 1112, PROVIDEVERSION: 1113, OBSOLETEFLAGS: 1114, OBSOLETEVERSION: 1115, DIRINDEXES: 1116,
  BASENAMES: 1117, DIRNAMES: 1118, OLDSUGGESTSNAME: 1156, OLDENHANCESNAME: 1159, LONGSIZE: 5009,
  RECOMMENDNAME: 5046, RECOMMENDVERSION: 5047, RECOMMENDFLAGS: 5048, SUGGESTNAME: 5049, SUGGESTVERSION: 5050,
  SUGGESTFLAGS: 5051, SUPPLEMENTNAME: 5052, SUPPLEMENTVERSION: 5053, SUPPLEMENTFLAGS: 5054, ENHANCENAME: 5055,
  ENHANCEVERSION: 5056, ENHANCEFLAGS: 5057,
} as const;
const SIGTAG = { LONGARCHIVESIZE: 271, PAYLOADSIZE: 1007 } as const;
const RPMFILE_GHOST = 1 << 6;
const RPMSENSE_PREREQ = 1 << 6;
const RPMSENSE_SCRIPT_PRE = 1 << 9;
const RPMSENSE_SCRIPT_POST = 1 << 10;
const CHANGELOG_LIMIT = 10;

/** Not renderable like createrepo_c: the caller falls back to it. */
class Unrenderable extends Error {}

interface Dep {
  name: string;
  flags?: string;
  epoch?: string;
  version?: string;
  release?: string;
  pre?: boolean;
}

/** The three blocks of one package, or undefined when createrepo_c should index it (see above). */
export function renderRepodata(input: RepodataInput): RepodataBlocks | undefined {
  try {
    return render(input);
  } catch (err) {
    if (err instanceof Unrenderable) return undefined;
    throw err;
  }
}

function render(input: RepodataInput): RepodataBlocks {
  const layout = readRpmLayout(input.bytes);
  const h = new Tags(layout.main);
  const sig = new Tags(layout.signature);
  if (h.has(TAG.OLDFILENAMES) || h.has(TAG.OLDSUGGESTSNAME) || h.has(TAG.OLDENHANCESNAME)) throw new Unrenderable();
  const name = h.string(TAG.NAME) ?? '';
  const arch = h.has(TAG.SOURCEPACKAGE) ? 'src' : h.string(TAG.ARCH) ?? '';
  // createrepo_c 0.17 writes no vcs attribute (the VCS tag is not carried).
  const version = `<version epoch="${attr(String(h.number(TAG.EPOCH) ?? 0))}" ver="${attr(h.string(TAG.VERSION) ?? '')}" rel="${attr(h.string(TAG.RELEASE) ?? '')}"/>`;

  // Files: dirname + basename, typed dir (by mode) or ghost (by flag).
  const dirs = h.strings(TAG.DIRNAMES);
  const bases = h.strings(TAG.BASENAMES);
  const indexes = h.numbers(TAG.DIRINDEXES);
  const fileFlags = h.numbers(TAG.FILEFLAGS);
  const modes = h.numbers(TAG.FILEMODES);
  const files: Array<{ path: string; type: '' | 'dir' | 'ghost' }> = [];
  if (bases.length && indexes.length && fileFlags.length && modes.length) {
    if (indexes.length !== bases.length || fileFlags.length !== bases.length || modes.length !== bases.length) throw new Unrenderable();
    bases.forEach((base, i) => {
      const dir = dirs[indexes[i]!];
      if (dir === undefined) throw new Unrenderable();
      const mode = modes[i]! & 0xffff;
      files.push({ path: dir + base, type: (mode & 0o170000) === 0o040000 ? 'dir' : fileFlags[i]! & RPMFILE_GHOST ? 'ghost' : '' });
    });
  }
  const fileSet = new Set(files.map((f) => f.path));

  // Dependencies, as createrepo_c filters them.
  const provides = deps(h, TAG.PROVIDENAME, TAG.PROVIDEFLAGS, TAG.PROVIDEVERSION);
  const depKey = (d: FullDep) => `${d.name}\0${d.flags ?? ''}\0${d.full}`;
  const provided = new Set(provides.map(depKey));
  const requires: Dep[] = [];
  const seen = new Map<string, FullDep>();
  let libc: Dep | undefined;
  for (const d of deps(h, TAG.REQUIRENAME, TAG.REQUIREFLAGS, TAG.REQUIREVERSION, true)) {
    if (d.name.startsWith('rpmlib(')) continue;
    if (fileSet.has(d.name) && isPrimaryFile(d.name)) continue;
    if (provided.has(depKey(d))) continue;
    const previous = seen.get(d.name);
    if (previous && previous.flags === d.flags && previous.full === d.full && previous.pre === d.pre) continue;
    if (d.name.startsWith('libc.so.6')) {
      if (!libc || compareLibc(libc.name, d.name) === 2) libc = d;
      continue;
    }
    requires.push(d);
    seen.set(d.name, d);
  }
  if (libc) requires.push(libc);
  const sections: Array<[string, Dep[]]> = [
    ['provides', provides],
    ['requires', requires],
    ['conflicts', deps(h, TAG.CONFLICTNAME, TAG.CONFLICTFLAGS, TAG.CONFLICTVERSION)],
    ['obsoletes', deps(h, TAG.OBSOLETENAME, TAG.OBSOLETEFLAGS, TAG.OBSOLETEVERSION)],
    ['suggests', deps(h, TAG.SUGGESTNAME, TAG.SUGGESTFLAGS, TAG.SUGGESTVERSION)],
    ['enhances', deps(h, TAG.ENHANCENAME, TAG.ENHANCEFLAGS, TAG.ENHANCEVERSION)],
    ['recommends', deps(h, TAG.RECOMMENDNAME, TAG.RECOMMENDFLAGS, TAG.RECOMMENDVERSION)],
    ['supplements', deps(h, TAG.SUPPLEMENTNAME, TAG.SUPPLEMENTFLAGS, TAG.SUPPLEMENTVERSION)],
  ];

  const size = h.number(TAG.SIZE) ?? h.number(TAG.LONGSIZE) ?? 0;
  const archive = h.number(TAG.ARCHIVESIZE) ?? sig.number(SIGTAG.PAYLOADSIZE) ?? sig.number(SIGTAG.LONGARCHIVESIZE) ?? 0;
  const p: string[] = [
    '<package type="rpm">',
    `  <name>${text(name)}</name>`,
    `  <arch>${text(arch)}</arch>`,
    `  ${version}`,
    `  <checksum type="sha256" pkgid="YES">${input.sha256}</checksum>`,
    `  <summary>${text(h.string(TAG.SUMMARY) ?? '')}</summary>`,
    `  <description>${text(h.string(TAG.DESCRIPTION) ?? '')}</description>`,
    `  <packager>${text(h.string(TAG.PACKAGER) ?? '')}</packager>`,
    `  <url>${text(h.string(TAG.URL) ?? '')}</url>`,
    `  <time file="${input.mtime}" build="${h.number(TAG.BUILDTIME) ?? 0}"/>`,
    `  <size package="${input.bytes.length}" installed="${size}" archive="${archive}"/>`,
    `  <location href="${attr(input.href)}"/>`,
    '  <format>',
    `    <rpm:license>${text(h.string(TAG.LICENSE) ?? '')}</rpm:license>`,
    `    <rpm:vendor>${text(h.string(TAG.VENDOR) ?? '')}</rpm:vendor>`,
    `    <rpm:group>${text(h.string(TAG.GROUP) ?? '')}</rpm:group>`,
    `    <rpm:buildhost>${text(h.string(TAG.BUILDHOST) ?? '')}</rpm:buildhost>`,
    `    <rpm:sourcerpm>${text(h.string(TAG.SOURCERPM) ?? '')}</rpm:sourcerpm>`,
    `    <rpm:header-range start="${layout.mainStart}" end="${layout.main.end}"/>`,
  ];
  for (const [section, list] of sections) {
    const entries = list.filter((d) => d.name !== '');
    if (!entries.length) continue;
    p.push(`    <rpm:${section}>`);
    for (const d of entries) {
      let e = `      <rpm:entry name="${attr(d.name)}"`;
      if (d.flags) {
        e += ` flags="${d.flags}"`;
        if (d.epoch) e += ` epoch="${attr(d.epoch)}"`;
        if (d.version) e += ` ver="${attr(d.version)}"`;
        if (d.release) e += ` rel="${attr(d.release)}"`;
      }
      if (section === 'requires' && d.pre) e += ' pre="1"';
      p.push(`${e}/>`);
    }
    p.push(`    </rpm:${section}>`);
  }
  for (const f of files) if (isPrimaryFile(f.path)) p.push(`    ${fileElement(f)}`);
  p.push('  </format>', '</package>', '');

  const head = `<package pkgid="${input.sha256}" name="${attr(name)}" arch="${attr(arch)}">`;
  const fl = [head, `  ${version}`, ...files.map((f) => `  ${fileElement(f)}`), '</package>', ''];
  const o = [head, `  ${version}`, ...changelogs(h).map((c) => `  <changelog author="${attr(c.author)}" date="${c.date}">${text(c.text)}</changelog>`), '</package>', ''];
  return { primary: p.join('\n'), filelists: fl.join('\n'), other: o.join('\n') };
}

function fileElement(f: { path: string; type: string }): string {
  return `<file${f.type ? ` type="${f.type}"` : ''}>${text(f.path)}</file>`;
}

/** createrepo_c's "primary" files: listed in primary.xml too. */
function isPrimaryFile(file: string): boolean {
  return file.startsWith('/etc/') || file === '/usr/lib/sendmail' || file.includes('bin/');
}

interface FullDep extends Dep {
  /** The version string as stored ([epoch:]version[-release]). */
  full: string;
}

function deps(h: Tags, nameTag: number, flagsTag: number, versionTag: number, requires = false): FullDep[] {
  const names = h.strings(nameTag);
  if (!names.length) return [];
  const flags = h.numbers(flagsTag);
  const versions = h.strings(versionTag);
  // createrepo_c needs all three tags and stops at the shortest list; rpm writes them equally long.
  if (flags.length !== names.length || versions.length !== names.length) throw new Unrenderable();
  return names.map((name, i) => {
    const f = flags[i]!;
    const full = versions[i]!;
    const d: FullDep = { name, full, flags: flagString(f), ...evr(full) };
    if (requires) d.pre = (f & (RPMSENSE_PREREQ | RPMSENSE_SCRIPT_PRE | RPMSENSE_SCRIPT_POST)) !== 0;
    return d;
  });
}

function flagString(flags: number): string | undefined {
  switch (flags & 0xf) {
    case 2: return 'LT';
    case 4: return 'GT';
    case 8: return 'EQ';
    case 10: return 'LE';
    case 12: return 'GE';
    default: return undefined;
  }
}

/** createrepo_c's cr_str_to_evr: "[epoch:]version[-release]", epoch "0" when absent; nothing for "". */
function evr(full: string): { epoch?: string; version?: string; release?: string } {
  if (full === '') return {};
  let rest = full;
  let epoch = '0';
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const e = rest.slice(0, colon);
    if (/^[0-9]+$/.test(e)) epoch = e;
    else throw new Unrenderable();
    rest = rest.slice(colon + 1);
  }
  const dash = rest.lastIndexOf('-');
  return dash >= 0 ? { epoch, version: rest.slice(0, dash), release: rest.slice(dash + 1) } : { epoch, version: rest };
}

/**
 * createrepo_c's comparison of two libc.so.6 requires ("libc.so.6(GLIBC_2.14)(64bit)"): 2 when the
 * second is higher, by the number inside the first parentheses.
 */
function compareLibc(a: string, b: string): number {
  const inner = (s: string) => {
    const open = s.indexOf('(');
    if (open < 0) return { kind: 'none' as const };
    const close = s.indexOf(')', open);
    if (close < 0) return { kind: 'unclosed' as const };
    const body = s.slice(open + 1, close);
    if (body === '') return { kind: 'empty' as const };
    const digit = body.search(/[0-9]/);
    if (digit < 0) return { kind: 'noversion' as const };
    return { kind: 'version' as const, version: body.slice(digit) };
  };
  const x = inner(a);
  const y = inner(b);
  if (x.kind === 'none' && y.kind === 'none') return 0;
  if (x.kind === 'none') return 2;
  if (y.kind === 'none') return 1;
  if (x.kind === 'unclosed' && y.kind === 'unclosed') return -1;
  if (x.kind === 'unclosed') return 2;
  if (y.kind === 'unclosed') return 1;
  if (x.kind === 'empty' && y.kind === 'empty') return 0;
  if (x.kind === 'empty') return 2;
  if (y.kind === 'empty') return 1;
  if (x.kind === 'noversion' && y.kind === 'noversion') return 0;
  if (x.kind === 'noversion') return 2;
  if (y.kind === 'noversion') return 1;
  const c = rpmvercmp(x.version, y.version);
  return c < 0 ? 2 : c;
}

/** The newest CHANGELOG_LIMIT entries, oldest first; equal times made distinct as createrepo_c does. */
function changelogs(h: Tags): Array<{ author: string; date: number; text: string }> {
  const times = h.numbers(TAG.CHANGELOGTIME);
  const names = h.strings(TAG.CHANGELOGNAME);
  const texts = h.strings(TAG.CHANGELOGTEXT);
  if (!times.length || !names.length || !texts.length) return [];
  if (names.length !== times.length || texts.length !== times.length) throw new Unrenderable();
  // Built newest-last by prepending, as createrepo_c's list: out[0] is the latest taken.
  const out: Array<{ author: string; date: number; text: string }> = [];
  let last = 0;
  for (let i = 0; i < Math.min(times.length, CHANGELOG_LIMIT); i++) {
    const date = times[i]!;
    out.unshift({ author: names[i]!.replace(/(?<=.) +$/, ''), date, text: texts[i]! });
    if (last === date) {
      let t = date;
      for (let j = 1; j < out.length && out[j]!.date === t; j++) {
        out[j]!.date++;
        t++;
      }
    } else {
      last = date;
    }
  }
  return out;
}

// XML as libxml2 serialises it into createrepo_c's documents: UTF-8 as it is in text, as hexadecimal
// character references in attributes.
const SPECIAL_TEXT = /[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]/g;
const SPECIAL_ATTR = /[&<>"\t\n\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\u{10ffff}]/gu;

function escape(s: string, inAttribute: boolean): string {
  return s.replace(inAttribute ? SPECIAL_ATTR : SPECIAL_TEXT, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return inAttribute ? '&quot;' : c;
      case '\n': return inAttribute ? '&#10;' : c;
      case '\t': return inAttribute ? '&#9;' : c;
      case '\r': return '&#13;';
      default: {
        const code = c.codePointAt(0)!;
        if (code < 0x20) {
          throw new Py2DistroError('E_PACKAGE_FORMAT', `the rpm header holds a control character (0x${code.toString(16).padStart(2, '0')}) in ${JSON.stringify(s.slice(0, 60))}: repository metadata cannot carry it`, {
            hint: 'Fix the text in the spec (summary, description, changelog…) and rebuild the package; createrepo_c refuses it too.',
          });
        }
        // DEL, U+FFFE/U+FFFF: what createrepo_c makes of them is not modelled.
        if (code === 0x7f || code === 0xfffe || code === 0xffff) throw new Unrenderable();
        return `&#x${code.toString(16).toUpperCase()};`;
      }
    }
  });
}
const text = (s: string) => escape(s, false);
const attr = (s: string) => escape(s, true);

/** Tag lookup over a parsed header; strings must be valid UTF-8. */
class Tags {
  private readonly byTag = new Map<number, HeaderEntry>();
  constructor(header: ParsedHeader) {
    for (const e of header.entries) if (!this.byTag.has(e.tag)) this.byTag.set(e.tag, e);
  }
  has(tag: number): boolean {
    return this.byTag.has(tag);
  }
  strings(tag: number): string[] {
    const e = this.byTag.get(tag);
    if (!e) return [];
    if (e.type !== TYPE.STRING && e.type !== TYPE.STRING_ARRAY && e.type !== TYPE.I18NSTRING) throw new Unrenderable();
    const out: string[] = [];
    let at = 0;
    for (let i = 0; i < e.count; i++) {
      const nul = e.data.indexOf(0, at);
      out.push(utf8(e.data.subarray(at, nul)));
      at = nul + 1;
    }
    return out;
  }
  /** A STRING's value, an I18NSTRING's first (the C locale's). */
  string(tag: number): string | undefined {
    const e = this.byTag.get(tag);
    if (!e) return undefined;
    if (e.type === TYPE.STRING_ARRAY) throw new Unrenderable();
    return this.strings(tag)[0];
  }
  numbers(tag: number): number[] {
    const e = this.byTag.get(tag);
    if (!e) return [];
    const size = e.type === TYPE.INT16 ? 2 : e.type === TYPE.INT32 ? 4 : e.type === TYPE.INT64 ? 8 : e.type === TYPE.INT8 || e.type === TYPE.CHAR ? 1 : 0;
    if (!size) throw new Unrenderable();
    const out: number[] = [];
    for (let i = 0; i < e.count; i++) {
      const at = i * size;
      out.push(size === 1 ? e.data[at]! : size === 2 ? e.data.readUInt16BE(at) : size === 4 ? e.data.readUInt32BE(at) : Number(e.data.readBigUInt64BE(at)));
    }
    return out;
  }
  number(tag: number): number | undefined {
    return this.has(tag) ? this.numbers(tag)[0] : undefined;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });
function utf8(b: Buffer): string {
  try {
    return decoder.decode(b);
  } catch {
    throw new Unrenderable();
  }
}
