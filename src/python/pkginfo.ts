/**
 * Core metadata files (PKG-INFO, METADATA): RFC 822-style headers, Metadata-Version 1.0–2.4.
 * The description is either a header whose continuation lines are indented (1.x: "        |" or
 * 8 spaces, as distutils wrote it) or, from 2.1, the message body after the blank line.
 * Spec: https://packaging.python.org/en/latest/specifications/core-metadata/
 */

export interface CoreMetadataFields {
  /** Lowercased header name → values in order (multiple-use fields keep every value). */
  headers: Map<string, string[]>;
  /** The message body (Metadata 2.1+ description), '' when absent. */
  body: string;
}

export function parseCoreMetadata(text: string): CoreMetadataFields {
  const headers = new Map<string, string[]>();
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let i = 0;
  let current: { key: string; lines: string[] } | undefined;
  const flush = () => {
    if (!current) return;
    const list = headers.get(current.key) ?? [];
    list.push(joinContinuation(current.key, current.lines));
    headers.set(current.key, list);
    current = undefined;
  };
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') { i++; break; }
    if (/^[ \t]/.test(line) && current) { current.lines.push(line); continue; }
    const m = /^([A-Za-z0-9-]+):[ \t]?(.*)$/.exec(line);
    flush();
    // A line that is neither a header nor a continuation ends the headers (some tools omit the blank line).
    if (!m) break;
    current = { key: m[1]!.toLowerCase(), lines: [m[2]!] };
  }
  flush();
  const body = lines.slice(i).join('\n').replace(/\s+$/, '');
  return { headers, body };
}

function joinContinuation(key: string, lines: string[]): string {
  if (lines.length === 1) return lines[0]!.trim();
  if (key === 'description' || key === 'license') {
    // distutils indents continuation lines with 8 spaces and setuptools with "       |".
    const rest = lines.slice(1).map((l) => l.replace(/^ {7}\|/, '').replace(/^ {8}/, '').replace(/^\t/, ''));
    return [lines[0]!, ...rest].join('\n').replace(/\s+$/, '');
  }
  return lines.map((l) => l.trim()).join(' ');
}

export function first(fields: CoreMetadataFields, key: string): string | undefined {
  const v = fields.headers.get(key.toLowerCase())?.[0];
  return v === undefined || v === 'UNKNOWN' || v === '' ? undefined : v;
}

export function all(fields: CoreMetadataFields, key: string): string[] {
  return (fields.headers.get(key.toLowerCase()) ?? []).filter((v) => v !== '' && v !== 'UNKNOWN');
}

/** `Name <email>` pairs from Author / Author-email style fields ("A <a@x>, B <b@y>" or plain names). */
export function people(names: string | undefined, emails: string | undefined): { name?: string; email?: string }[] {
  const out: { name?: string; email?: string }[] = [];
  for (const part of (emails ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(.*?)\s*<([^>]+)>$/.exec(part);
    if (m) out.push({ name: m[1]!.replace(/^"|"$/g, '') || undefined, email: m[2] });
    else out.push({ email: part });
  }
  if (names) {
    const plain = names.split(/,| and /).map((s) => s.trim()).filter(Boolean);
    if (out.length === 0) for (const n of plain) out.push({ name: n });
    else if (plain.length === out.length) plain.forEach((n, k) => { out[k]!.name ??= n; });
    else if (!out.some((p) => p.name)) out[0]!.name = names.trim();
  }
  return out;
}

/** `*.egg-info/requires.txt`: unconditional lines, then `[extra]`, `[:marker]` or `[extra:marker]` sections. */
export function parseRequiresTxt(text: string): string[] {
  const out: string[] = [];
  let extra = '';
  let marker = '';
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      const [e, ...m] = section[1]!.split(':');
      extra = (e ?? '').trim();
      marker = m.join(':').trim();
      continue;
    }
    const conds = [marker && `(${marker})`, extra && `extra == "${extra}"`].filter(Boolean);
    out.push(conds.length ? `${line}; ${conds.join(' and ')}` : line);
  }
  return out;
}
