/**
 * The long description as a package shows it: upstream's README (Markdown or reStructuredText, per
 * Description-Content-Type, core metadata 2.1) rendered to plain paragraphs and lists. A package
 * description describes the package to someone who has never met it (Debian Developer's Reference
 * §6.2.3), so what only makes sense on a web page is left out: badges and images, code and literal
 * blocks, tables, raw HTML, link targets and RST directives; and it stops at the first section
 * about installation, usage, development or history, or after a sensible length. Markdown is parsed
 * by `marked` (its lexer, CommonMark/GFM); RST by the small block/inline reader below, which knows
 * only what READMEs use (docutils' reStructuredText Markup Specification, "Body Elements").
 */
import { marked, type Token, type Tokens } from 'marked';
import { cleanText } from '../../distro/sanitize.js';

export type DescriptionBlock = { kind: 'para'; text: string } | { kind: 'heading'; text: string } | { kind: 'list'; items: string[] };

export type DescriptionFormat = 'markdown' | 'rst' | 'plain';

// Sections after which a README stops describing the package.
const STOP_HEADING = /^(install|installation|installing|setup|usage|using|quick ?start|getting started|example|examples|tutorial|documentation|docs|development|developing|contributing|contribute|contributors|testing|tests|running tests|building|changelog|change ?log|changes|history|release notes|news|license|licence|licensing|copyright|credits|authors|acknowledg|support|links|see also|table of contents|contents|faq|api|reference|configuration|requirements|dependencies|sponsors|donate|funding|code of conduct|security)/i;

/** Which markup the text is in: the declared content type, else a guess from what it contains. */
export function descriptionFormat(text: string, contentType: string | undefined): DescriptionFormat {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'text/markdown') return 'markdown';
  if (type === 'text/x-rst') return 'rst';
  if (type === 'text/plain') return 'plain';
  if (/^```|^#{1,6} \S|\]\(https?:|^\s*[-*] \[|!\[/m.test(text)) return 'markdown';
  if (/^(={3,}|-{3,}|~{3,}|\^{3,}|\*{3,})\s*$/m.test(text) || /^\.\. [\w|_-]/m.test(text) || /``\S/.test(text)) return 'rst';
  return 'plain';
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const decodeEntities = (s: string) =>
  s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const code = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code > 31 && code < 0x110000 ? String.fromCodePoint(code) : '';
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

function markdownInline(tokens: readonly Token[] | undefined): string {
  let out = '';
  for (const t of tokens ?? []) {
    switch (t.type) {
      case 'image': case 'html': break;
      case 'br': out += ' '; break;
      case 'codespan': out += decodeEntities((t as Tokens.Codespan).text); break;
      case 'link': out += markdownInline((t as Tokens.Link).tokens); break;
      case 'text': case 'strong': case 'em': case 'del': case 'escape': {
        const nested = (t as Tokens.Text).tokens;
        out += nested?.length ? markdownInline(nested) : decodeEntities((t as Tokens.Text).text);
        break;
      }
      default: out += 'tokens' in t && Array.isArray(t.tokens) ? markdownInline(t.tokens as Token[]) : '';
    }
  }
  return out;
}

function markdownBlocks(tokens: readonly Token[], out: DescriptionBlock[]): void {
  for (const t of tokens) {
    if (t.type === 'heading') out.push({ kind: 'heading', text: squash(markdownInline((t as Tokens.Heading).tokens)) });
    else if (t.type === 'paragraph' || t.type === 'text') out.push({ kind: 'para', text: squash(markdownInline((t as Tokens.Paragraph).tokens)) });
    else if (t.type === 'blockquote') markdownBlocks((t as Tokens.Blockquote).tokens, out);
    else if (t.type === 'list') {
      const items: string[] = [];
      const collect = (list: Tokens.List) => {
        for (const item of list.items) {
          const inner = item.tokens.filter((x) => x.type !== 'list');
          const text = squash(inner.map((x) => ('tokens' in x && Array.isArray(x.tokens) ? markdownInline(x.tokens as Token[]) : '')).join(' '));
          if (text) items.push(item.task ? `[${item.checked ? 'x' : ' '}] ${text}` : text);
          for (const sub of item.tokens) if (sub.type === 'list') collect(sub as Tokens.List);
        }
      };
      collect(t as Tokens.List);
      out.push({ kind: 'list', items });
    }
    // code, table, html, hr, def, space: not part of a package description.
  }
}

/** RST inline markup → its text (roles, references, literals, emphasis, substitutions, escapes). */
export function rstInline(s: string): string {
  return s
    .replace(/``(.+?)``/g, '$1')
    .replace(/:[\w.+-]+:`~?([^`<]*?)\s*<[^`>]*>`/g, '$1')
    .replace(/:[\w.+-]+:`~?([^`]+)`/g, '$1')
    .replace(/`([^`<]+?)\s*<[^`>]*>`__?/g, '$1')
    .replace(/`([^`]+)`__?/g, '$1')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/\|[^|\s][^|]*\|_{0,2}/g, '')
    .replace(/\*\*(.+?)\*\*/g, '$1')
    .replace(/(^|[\s(])\*(\S.*?)\*(?=$|[\s.,;:!?)])/g, '$1$2')
    .replace(/\b([A-Za-z0-9]+)__?(?=$|[\s.,;:!?)])/g, '$1')
    .replace(/\\(.)/g, '$1');
}

const ADORNMENT = /^([=\-~^"'`#*+_:.])\1{2,}\s*$/;
const BULLET = /^(\s*)([-*+•]|\d+[.)]|#\.|\(\d+\)|[a-zA-Z][.)])\s+(.*)$/;
const indentOf = (l: string) => /^\s*/.exec(l)![0].length;

function rstBlocks(text: string, out: DescriptionBlock[]): void {
  const lines = text.split('\n');
  let i = 0;
  let literalNext = false;
  const skipIndented = (from: number, base: number): number => {
    let j = from;
    while (j < lines.length && (!lines[j]!.trim() || indentOf(lines[j]!) > base)) j++;
    return j;
  };
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) { i++; continue; }
    const indent = indentOf(line);
    if (literalNext && indent > 0) { i = skipIndented(i, 0); literalNext = false; continue; }
    literalNext = false;
    // Explicit markup (directives, comments, link targets, substitution definitions), with its body.
    if (/^\s*\.\.(\s|$)/.test(line)) { i = skipIndented(i + 1, indent); continue; }
    if (/^\s*>>>/.test(line)) { while (i < lines.length && lines[i]!.trim()) i++; continue; }
    if (/^\s*\+[-=+]+\+\s*$/.test(line) || /^\s*=+( +=+)+\s*$/.test(line)) {
      // Grid or simple table: to its end (a simple table's last border is followed by a blank line).
      i++;
      while (i < lines.length && !(lines[i]!.trim() === '' && (/^\s*[+=]/.test(lines[i - 1]!) || i + 1 >= lines.length))) i++;
      continue;
    }
    const next = lines[i + 1] ?? '';
    if (ADORNMENT.test(line) && next.trim() && ADORNMENT.test(lines[i + 2] ?? '')) {
      out.push({ kind: 'heading', text: squash(rstInline(next)) });
      i += 3;
      continue;
    }
    if (indent === 0 && !ADORNMENT.test(line) && ADORNMENT.test(next) && next.trim().length >= Math.min(3, line.trim().length)) {
      out.push({ kind: 'heading', text: squash(rstInline(line)) });
      i += 2;
      continue;
    }
    if (ADORNMENT.test(line)) { i++; continue; } // a transition
    const bullet = BULLET.exec(line);
    if (bullet) {
      const items: string[] = [];
      while (i < lines.length) {
        const m = BULLET.exec(lines[i]!);
        if (!m) break;
        const col = m[1]!.length + m[2]!.length + 1;
        const parts = [m[3]!];
        i++;
        while (i < lines.length && lines[i]!.trim() && indentOf(lines[i]!) >= col && !BULLET.test(lines[i]!)) parts.push(lines[i++]!.trim());
        let text = squash(rstInline(parts.join(' ')));
        if (text.endsWith('::')) { text = text.replace(/\s*::$/, ':').replace(/^:$/, ''); i = skipIndented(i, m[1]!.length); }
        if (text) items.push(text);
        while (i < lines.length && !lines[i]!.trim() && BULLET.test(lines[i + 1] ?? '')) i++;
      }
      out.push({ kind: 'list', items });
      continue;
    }
    const parts: string[] = [];
    while (i < lines.length && lines[i]!.trim() && !(parts.length && ADORNMENT.test(lines[i]!))) parts.push(lines[i++]!.trim());
    let para = parts.join(' ');
    if (/::\s*$/.test(para)) {
      literalNext = true;
      para = /\s::\s*$/.test(para) || para.trim() === '::' ? para.replace(/\s*::\s*$/, '') : para.replace(/::\s*$/, ':');
    }
    const field = /^:([\w\s.-]+):\s*(.*)$/.exec(para);
    const text = squash(rstInline(field ? `${field[1]}: ${field[2]}` : para));
    // "Example::" only introduced the literal block that is left out.
    if (text && !(literalNext && text.split(' ').length <= 3)) out.push({ kind: 'para', text });
  }
}

export interface ReadableOptions {
  /** The package synopsis: a first paragraph repeating it is dropped (lintian description-synopsis-is-duplicated). */
  synopsis: string;
  projectName: string;
  /** Stop before this many output lines would be exceeded (wrapped at 78 columns, roughly). */
  maxBlocks?: number;
}

const alnum = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

/** The description as blocks of plain text, trimmed to what describes the package. */
export function readableDescription(text: string | undefined, contentType: string | undefined, opts: ReadableOptions): DescriptionBlock[] {
  const source = cleanText(text);
  if (!source.trim()) return [];
  const format = descriptionFormat(source, contentType);
  const raw: DescriptionBlock[] = [];
  if (format === 'markdown') markdownBlocks(marked.lexer(source, { gfm: true }), raw);
  else if (format === 'rst') rstBlocks(source, raw);
  else for (const p of source.split(/\n\s*\n/)) if (p.trim()) raw.push({ kind: 'para', text: squash(p) });

  const blocks: DescriptionBlock[] = [];
  const syn = alnum(opts.synopsis);
  const name = alnum(opts.projectName);
  let content = 0;
  for (const b of raw) {
    if (b.kind === 'list' ? !b.items.length : !b.text) continue;
    if (b.kind === 'heading') {
      const h = alnum(b.text);
      // The title (usually the project name) says nothing the package name does not.
      if (!content && (h === name || h === syn || h.startsWith(name))) continue;
      if (content && STOP_HEADING.test(b.text.replace(/^[^A-Za-z]+/, ''))) break;
    }
    if (b.kind === 'para' && !content && (alnum(b.text) === syn || alnum(b.text) === name)) continue;
    blocks.push(b);
    if (b.kind !== 'heading') content++;
    if (content >= (opts.maxBlocks ?? 6)) break;
  }
  while (blocks.length && blocks[blocks.length - 1]!.kind === 'heading') blocks.pop();
  return blocks;
}

/** Word-wraps to `width` columns (a word longer than that is cut: lintian counts columns, not words). */
function wrapWords(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (let word of text.split(' ')) {
    while (word.length > width) { if (cur) { out.push(cur); cur = ''; } out.push(word.slice(0, width)); word = word.slice(width); }
    if (cur && cur.length + 1 + word.length > width) { out.push(cur); cur = word; } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out;
}

export interface LayoutOptions {
  /** Columns of text per line (Debian: 78, so that " " + text stays within lintian's 80). */
  width: number;
  maxLines: number;
  /**
   * Prefix of a list item's first line, and of its continuation lines. Debian shows a line that
   * starts with two spaces verbatim, so its lists are " - " (+ the continuation space): never a
   * line starting " -" (lintian possible-unindented-list-in-extended-description).
   */
  bullet: string;
  hang: string;
}

/** Blocks → lines (blank line between blocks), cut at a block boundary when `maxLines` is reached. */
export function layoutDescription(blocks: readonly DescriptionBlock[], o: LayoutOptions): string[] {
  const lines: string[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const b = blocks[i]!;
    let chunk: string[];
    if (b.kind === 'list') {
      chunk = b.items.flatMap((item) => wrapWords(item, o.width - o.bullet.length).map((l, k) => (k ? o.hang : o.bullet) + l));
    } else {
      const text = b.kind === 'heading' && blocks[i + 1]?.kind === 'list' && !/[:.!?]$/.test(b.text) ? `${b.text}:` : b.text;
      chunk = wrapWords(text, o.width);
    }
    const room = o.maxLines - lines.length - (lines.length ? 1 : 0);
    if (chunk.length > room) {
      // A first paragraph longer than the limit is cut; a later block is left out whole.
      if (!lines.length) lines.push(...chunk.slice(0, Math.max(1, room - 1)), '[...]');
      break;
    }
    if (lines.length) lines.push('');
    lines.push(...chunk);
    if (b.kind === 'heading' && blocks[i + 1]?.kind === 'list') continue;
  }
  return lines;
}
