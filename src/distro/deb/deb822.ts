/**
 * deb822 paragraphs (Debian Policy §5.1): "Field: value" lines, continuation lines starting with
 * a space or tab, paragraphs separated by blank lines. Control data from a .deb is untrusted and
 * ends up in Packages files that apt trusts, so parsing is strict and serialising re-checks every
 * line: a value can never smuggle a blank line (a new paragraph) or a field of its own.
 */
import { Py2DistroError } from '../../lib/errors.js';

/** Fields in order; a value keeps its continuation lines (each with its leading space) joined by "\n". */
export type Paragraph = Array<[name: string, value: string]>;

const FIELD_NAME = /^[!-9;-~][!-9;-~]*$/; // US-ASCII printable except ':' and space; Policy §5.1

function bad(what: string, message: string): Py2DistroError {
  return new Py2DistroError('E_PACKAGE_FORMAT', `${what}: ${message}`);
}

/** Parse text holding one or more paragraphs. Comment lines ('#') are refused: binary control files have none. */
export function parseParagraphs(text: string, what = 'control data'): Paragraph[] {
  if (text.includes('\0') || text.includes('\r')) throw bad(what, 'contains NUL or CR characters');
  const out: Paragraph[] = [];
  let current: Paragraph | undefined;
  let names = new Set<string>(); // the current paragraph's field names, lower-cased
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      current = undefined;
      continue;
    }
    if (line.startsWith(' ') || line.startsWith('\t')) {
      const last = current?.at(-1);
      if (!last) throw bad(what, 'continuation line without a field');
      last[1] += `\n${line}`;
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!FIELD_NAME.test(name) || name.startsWith('#') || name.startsWith('-')) throw bad(what, `malformed line ${JSON.stringify(line.slice(0, 60))}`);
    if (!current) {
      current = [];
      out.push(current);
      names = new Set();
    }
    const lower = name.toLowerCase();
    if (names.has(lower)) throw bad(what, `duplicate field ${name}`);
    names.add(lower);
    current.push([name, line.slice(colon + 1).trim()]);
  }
  return out;
}

export function parseSingleParagraph(text: string, what = 'control data'): Paragraph {
  const paragraphs = parseParagraphs(text, what);
  if (paragraphs.length !== 1) throw bad(what, `expected one paragraph, found ${paragraphs.length}`);
  return paragraphs[0]!;
}

export function field(p: Paragraph, name: string): string | undefined {
  const lower = name.toLowerCase();
  return p.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Serialise one paragraph (no trailing blank line), re-validating names and every value line. */
export function formatParagraph(p: Paragraph): string {
  const lines: string[] = [];
  for (const [name, value] of p) {
    if (!FIELD_NAME.test(name)) throw bad('index', `invalid field name ${JSON.stringify(name)}`);
    if (value.includes('\0') || value.includes('\r')) throw bad('index', `field ${name} contains NUL or CR`);
    if (!value.includes('\n')) {
      lines.push(value ? `${name}: ${value}` : `${name}:`);
      continue;
    }
    const [first, ...rest] = value.split('\n');
    for (const cont of rest) {
      if (!/^[ \t]/.test(cont) || cont.trim() === '') throw bad('index', `field ${name} has a line that would end the paragraph`);
    }
    lines.push(first ? `${name}: ${first}` : `${name}:`, ...rest);
  }
  return lines.join('\n');
}
