/**
 * ~/.netrc (or $NETRC) credentials, the way curl, pip and requests read them: `machine HOST login
 * USER password PASS`, a `default` entry, and `macdef` blocks skipped up to the next blank line.
 * Passwords are registered as secrets the moment they are read, so no log line can show them.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addSecret } from './log.js';

export interface NetrcEntry {
  login?: string;
  password?: string;
}

/** Parses netrc text into host → entry (`default` under the key ''). */
export function parseNetrc(text: string): Map<string, NetrcEntry> {
  const entries = new Map<string, NetrcEntry>();
  const lines = text.split(/\r?\n/);
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineTokens: string[] = lines[i].replace(/^\s*#.*$/, '').match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
    const macdef = lineTokens.indexOf('macdef');
    if (macdef >= 0) {
      tokens.push(...lineTokens.slice(0, macdef));
      // A macro body runs to the next empty line; it is never credentials.
      while (i + 1 < lines.length && lines[i + 1].trim() !== '') i++;
      continue;
    }
    tokens.push(...lineTokens.map((t) => (t.startsWith('"') ? t.slice(1, -1).replace(/\\(.)/g, '$1') : t)));
  }
  let current: NetrcEntry | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === 'machine' && i + 1 < tokens.length) {
      current = {};
      const host = tokens[++i].toLowerCase();
      if (!entries.has(host)) entries.set(host, current);
    } else if (t === 'default') {
      current = {};
      if (!entries.has('')) entries.set('', current);
    } else if ((t === 'login' || t === 'password' || t === 'account') && current && i + 1 < tokens.length) {
      const value = tokens[++i];
      if (t === 'login') current.login = value;
      if (t === 'password') current.password = value;
    }
  }
  return entries;
}

let cache: { file: string; entries: Map<string, NetrcEntry> } | undefined;

function netrcFile(): string {
  return process.env.NETRC || path.join(os.homedir(), '.netrc');
}

/**
 * Credentials for a host from the netrc file, or undefined. A missing/unreadable file means none.
 * The `default` entry applies only with `allowDefault` (the caller passes it for the index's own
 * host): a catch-all password must not go to every file host an index happens to list.
 */
export function netrcCredentials(hostname: string, opts: { allowDefault?: boolean } = {}): NetrcEntry | undefined {
  const file = netrcFile();
  if (!cache || cache.file !== file) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = '';
    }
    const entries = parseNetrc(text);
    for (const e of entries.values()) addSecret(e.password);
    cache = { file, entries };
  }
  const entry = cache.entries.get(hostname.toLowerCase()) ?? (opts.allowDefault ? cache.entries.get('') : undefined);
  return entry?.login !== undefined || entry?.password !== undefined ? entry : undefined;
}
