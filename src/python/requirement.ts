/**
 * What the user asked for: a PEP 508 requirement (`name`, `name==1.2`, `name[extra]>=1,<2 ; marker`)
 * or a path to a local sdist. Specifiers are validated with @renovatebot/pep440, never hand-parsed.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { validRange } from '@renovatebot/pep440';
import { Py2DistroError } from '../lib/errors.js';

export type UserRequirement =
  | {
      kind: 'index';
      /** As written by the user (for messages). */
      name: string;
      /** PEP 503 normalised name: what the index and trust pins are keyed by. */
      normalizedName: string;
      extras: string[];
      /** PEP 440 specifier set, comma-separated; '' means any version. */
      specifier: string;
      /** The PEP 508 environment marker, unevaluated (sync decides whether it applies). */
      marker?: string;
      /** The exact version when the specifier is a single `==`/`===` without wildcard. */
      pinnedVersion?: string;
    }
  | { kind: 'local'; path: string; filename: string };

/** PEP 503 normalisation: lower-case, runs of `-_.` become one `-`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

// PEP 508 names: ASCII letters/digits, inner `-_.`, starting and ending alphanumeric.
export const PROJECT_NAME = /^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$/;
const SDIST_SUFFIX = /\.(tar\.gz|tgz|zip)$/i;

export function isValidProjectName(name: string): boolean {
  return PROJECT_NAME.test(name);
}

export function parseUserRequirement(input: string, cwd = process.cwd()): UserRequirement {
  const text = input.trim();
  if (!text) throw new Py2DistroError('E_REQUIREMENT', 'empty requirement');
  if (looksLikePath(text)) return localRequirement(text, cwd);

  const semi = text.indexOf(';');
  const marker = semi >= 0 ? text.slice(semi + 1).trim() : undefined;
  const head = (semi >= 0 ? text.slice(0, semi) : text).trim();
  if (/\s@\s|^[^\s[(<>=!~]+\s*@/.test(head)) {
    throw new Py2DistroError('E_REQUIREMENT', `${input}: direct URL requirements (name @ url) are not supported`, {
      hint: 'Download the sdist and pass its path, or publish it on an index.',
    });
  }
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(.*)$/.exec(head);
  if (!m || !isValidProjectName(m[1])) throw new Py2DistroError('E_REQUIREMENT', `${input}: not a valid project name or requirement`);
  const name = m[1];
  const extras = (m[2] ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  for (const e of extras) {
    if (!isValidProjectName(e)) throw new Py2DistroError('E_REQUIREMENT', `${input}: invalid extra ${JSON.stringify(e)}`);
  }
  let spec = m[3].trim();
  // PEP 508 also allows the old parenthesised form: `name (>=1.0)`.
  if (spec.startsWith('(') && spec.endsWith(')')) spec = spec.slice(1, -1).trim();
  spec = spec.split(',').map((s) => s.replace(/\s+/g, '')).filter(Boolean).join(',');
  if (spec && !validRange(spec)) {
    throw new Py2DistroError('E_REQUIREMENT', `${input}: ${JSON.stringify(spec)} is not a valid PEP 440 version specifier`);
  }
  if (marker !== undefined && !marker) throw new Py2DistroError('E_REQUIREMENT', `${input}: empty environment marker after ';'`);
  const pin = /^===?([^,*]+)$/.exec(spec);
  return {
    kind: 'index',
    name,
    normalizedName: normalizeName(name),
    extras,
    specifier: spec,
    ...(marker ? { marker } : {}),
    ...(pin ? { pinnedVersion: pin[1] } : {}),
  };
}

function looksLikePath(text: string): boolean {
  return text.includes('/') || text.includes(path.sep) || SDIST_SUFFIX.test(text) || text.startsWith('.');
}

function localRequirement(text: string, cwd: string): UserRequirement {
  const abs = path.resolve(cwd, text);
  if (!SDIST_SUFFIX.test(abs)) {
    throw new Py2DistroError('E_REQUIREMENT', `${text}: a local sdist must end in .tar.gz, .tgz or .zip`);
  }
  if (!existsSync(abs) || !statSync(abs).isFile()) {
    throw new Py2DistroError('E_REQUIREMENT', `${text}: no such file`, { hint: 'Check the path to the local sdist.' });
  }
  return { kind: 'local', path: abs, filename: path.basename(abs) };
}

/** The requirement as one line for messages (`name[extra]>=1,<2`). */
export function formatRequirement(req: UserRequirement): string {
  if (req.kind === 'local') return req.path;
  return `${req.name}${req.extras.length ? `[${req.extras.join(',')}]` : ''}${req.specifier}`;
}
