/**
 * Field-aware filters for untrusted sdist metadata. Every value a template places into a control
 * file, a spec, a changelog or a man page passes through one of these; the templates never see raw
 * metadata in a position where it is interpreted (see docs/templates.md).
 *
 * - Debian control (Policy §5.1, §5.6.13): a field value is one line; continuation lines start with a
 *   space; " ." is an empty line; a line starting with " ." + text is reserved, so it is indented.
 *   With every body line indented, a line reading "Depends: x" cannot become a field.
 * - RPM spec: every `%` is a macro start, so `%(cmd)`, `%{lua:…}`, `%{expand:…}` in a summary would
 *   run at parse time; `%` → `%%` everywhere, and tag values stay on one line.
 * - debian/rules and %build/%install never receive metadata; the names they do receive are checked
 *   against {@link SHELL_INERT}.
 */
import { Py2DistroError } from '../lib/errors.js';

// C0/C1 controls except \n and \t, plus bidi overrides and zero-width characters that disguise text.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Removes control characters and normalises line endings; keeps valid Unicode text. */
export function cleanText(text: string | undefined): string {
  return (text ?? '').replace(/\r\n?/g, '\n').replace(/\t/g, '    ').replace(CONTROL, '');
}

/** One line: newlines and runs of whitespace collapse to one space. */
export function oneLine(text: string | undefined): string {
  return cleanText(text).replace(/\s+/g, ' ').trim();
}

const SYNOPSIS_MAX = 79;

/**
 * The Debian synopsis / RPM Summary: one line, under 80 characters (lintian: synopsis-too-long),
 * no trailing full stop (Developer's Reference §6.2.2).
 */
export function synopsis(summary: string | undefined, fallback: string): string {
  let s = oneLine(summary) || oneLine(fallback);
  // lintian description-synopsis-starts-with-article: "The foo library" → "Foo library".
  s = s.replace(/^(an?|the)\s+(\S)/i, (_m, _a, c: string) => c.toUpperCase());
  if (s.length > SYNOPSIS_MAX) {
    const cut = s.slice(0, SYNOPSIS_MAX - 3);
    const space = cut.lastIndexOf(' ');
    s = `${(space > 30 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}...`;
  } else {
    s = s.replace(/\.+$/, '');
  }
  return s;
}

/** Word-wraps one paragraph line to `width` columns (long words are kept whole). */
function wrap(line: string, width: number): string[] {
  if (line.length <= width) return [line];
  const out: string[] = [];
  let cur = '';
  for (const word of line.split(' ')) {
    if (cur && cur.length + 1 + word.length > width) { out.push(cur); cur = word; }
    else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out;
}

/**
 * Long description lines (without the leading continuation space), wrapped to 78 columns, blank
 * runs collapsed, at most `maxLines` lines (a README used as description can be thousands).
 */
export function descriptionLines(text: string | undefined, maxLines = 24): string[] {
  const lines: string[] = [];
  let blank = true;
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) lines.push(...wrap(paragraph.join(' '), 78));
    paragraph = [];
  };
  for (const rawLine of cleanText(text).split('\n')) {
    const line = rawLine.replace(/\s+$/, '');
    if (!line.trim()) {
      flush();
      if (!blank) lines.push('');
      blank = true;
      continue;
    }
    blank = false;
    // Indented lines (code, lists) are shown verbatim by dpkg; other text is reflowed per paragraph.
    if (/^\s/.test(line) || /^([-*+] |#|\d+\. |[=~^-]{3,}$)/.test(line)) {
      flush();
      lines.push(line.length > 78 ? line.slice(0, 78) : line);
    } else paragraph.push(line.trim());
  }
  flush();
  while (lines.length && lines[lines.length - 1] === '') lines.pop();
  if (lines.length > maxLines) {
    lines.length = maxLines;
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    lines.push('', '[...]');
  }
  return lines;
}

/** A Debian control continuation block: each line prefixed by one space, blank lines as " .". */
export function debianContinuation(lines: readonly string[]): string {
  return lines
    .map((l) => (l === '' ? ' .' : l.startsWith('.') ? `  ${l}` : ` ${l}`))
    .join('\n');
}

/**
 * Debian extended description, never empty (lintian extended-description-is-empty): from free text,
 * or from lines already laid out (wrapped to 78 columns; stages/render/description.ts).
 */
export function debianDescription(text: string | readonly string[] | undefined, closing: string): string {
  const lines = Array.isArray(text) ? text.map((l) => cleanText(l).slice(0, 79)) : descriptionLines(text as string | undefined);
  if (lines.length) lines.push('');
  lines.push(...wrap(closing, 78));
  return debianContinuation(lines);
}

/** RPM: `%` doubled so nothing expands; other characters are inert in tag values and %description. */
export function rpmEscape(text: string): string {
  return text.replace(/%/g, '%%');
}

/** RPM single-line tag value (Summary, URL, License). */
export function rpmTag(text: string | undefined): string {
  return rpmEscape(oneLine(text));
}

/**
 * RPM %description body. rpmbuild expands a line before it looks at it, and it skips leading blanks
 * when it looks for %if/%else/%endif/%include (rpm 4.18 parseSpec.c readLine), so "%%include /etc/x"
 * would still read a host file into the package and "%%if 0" would swallow the spec that follows.
 * Indenting only stops section keywords (%files), which are matched at column 0. So the leading %
 * of such a line is escaped twice: after the one expansion the line starts with "%%", which is no
 * directive, and shows as "%%" in the package's description.
 */
export function rpmDescription(text: string | readonly string[] | undefined, closing: string): string {
  const lines = Array.isArray(text) ? text.map((l) => cleanText(l)) : descriptionLines(text as string | undefined, 40);
  if (lines.length) lines.push('');
  lines.push(...wrap(closing, 78));
  return lines.map((l) => rpmEscape(/^\s*%/.test(l) ? ` ${l.replace(/^(\s*)%/, '$1%%')}` : l)).join('\n');
}

/** roff (man pages): backslash escaped, a leading . or ' disarmed with \&. */
export function roff(text: string | undefined): string {
  return oneLine(text).replace(/\\/g, '\\e').replace(/^([.'])/, '\\&$1').replace(/-/g, '\\-');
}

/** Values allowed in debian/rules and spec scriptlets: no shell or make metacharacters at all. */
export const SHELL_INERT = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

export function requireShellInert(value: string, what: string): string {
  if (!SHELL_INERT.test(value)) {
    throw new Py2DistroError('E_NAME_INVALID', `${what} ${JSON.stringify(value)} contains characters that are not safe in build scripts`);
  }
  return value;
}

/** Debian package names (Policy §5.6.1): lowercase alphanumerics and + - ., at least two, alnum first. */
export const DEBIAN_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** Debian upstream version with optional epoch (Policy §5.6.12), no hyphen (we add the revision). */
export const DEBIAN_VERSION = /^(\d+:)?\d[A-Za-z0-9.+~]*$/;
/** RPM Name: what rpm and dnf accept without quoting; we are stricter than rpm. */
export const RPM_PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;
/** RPM Version: no '-', no whitespace, no '%'. */
export const RPM_VERSION = /^[A-Za-z0-9][A-Za-z0-9._+~^]*$/;

export function requireGrammar(value: string, grammar: RegExp, what: string): string {
  if (!grammar.test(value)) {
    throw new Py2DistroError('E_NAME_INVALID', `${what} ${JSON.stringify(value)} is not valid (${grammar.source})`);
  }
  return value;
}

/** An http(s) URL without whitespace, quotes, or characters that mean something to a shell or rpm. */
export function safeUrl(url: string | undefined): string | undefined {
  const u = oneLine(url);
  if (!/^https?:\/\/[^\s<>"'`$\\%{}|^]+$/.test(u)) return undefined;
  try {
    return new URL(u).toString() === u || new URL(u).toString() === `${u}/` ? u : undefined;
  } catch {
    return undefined;
  }
}

/** `Name <email>` for Maintainer / changelog / spec %changelog; refuses anything else. */
export function requireMaintainer(value: string): string {
  const v = oneLine(value);
  if (!/^[^<>%$`\\,]+ <[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}>$/.test(v)) {
    throw new Py2DistroError('E_CONFIG', `maintainer ${JSON.stringify(value)} must look like "Full Name <user@example.org>"`, {
      hint: 'Set maintainer in py2distro.yaml or pass --maintainer "Name <email>".',
    });
  }
  return v;
}

/** Person names for copyright and comments: one line, no angle brackets. */
export function personName(text: string | undefined): string {
  return oneLine(text).replace(/[<>]/g, '');
}
