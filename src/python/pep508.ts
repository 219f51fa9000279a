/**
 * PEP 508 dependency specifiers as found in Requires-Dist, requires.txt, pyproject dependencies and
 * build-system.requires: `name[extra1,extra2] (>=1.0,<2) ; python_version < "3.10"` or `name @ url`.
 */
import { validRange } from '@renovatebot/pep440';
import { Py2DistroError } from '../lib/errors.js';
import { parseMarker } from './markers.js';

export interface Requirement {
  /** The text as written (for reports). */
  raw: string;
  name: string;
  /** PEP 503 normalised: lowercase, runs of -_. → '-'. */
  normalizedName: string;
  extras: string[];
  /** PEP 440 specifier without parentheses, '' when any version will do. */
  specifier: string;
  marker?: string;
  /** Direct reference (`name @ url`); such requirements cannot be mapped to a distro package. */
  url?: string;
}

// Name grammar and PEP 503 normalisation are shared with user requirements (one definition).
import { normalizeName, PROJECT_NAME } from './requirement.js';

export { normalizeName, PROJECT_NAME };

export function parseDependency(text: string): Requirement {
  const raw = text.trim();
  const fail = (why: string) => new Py2DistroError('E_METADATA', `invalid requirement "${raw}": ${why}`);
  // The marker starts at the first ';' (URLs may contain ';' only after " @ ", where PEP 508 requires a space before it).
  let body = raw;
  let marker: string | undefined;
  const semi = raw.search(/;(?=[^;]*$)/);
  if (semi >= 0 && (!raw.includes('@') || /\s;/.test(raw))) {
    body = raw.slice(0, semi).trim();
    marker = raw.slice(semi + 1).trim() || undefined;
  }
  const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/s.exec(body);
  if (!m || !PROJECT_NAME.test(m[1]!)) throw fail('bad project name');
  const name = m[1]!;
  const extras = m[2] ? m[2].slice(1, -1).split(',').map((e) => e.trim()).filter(Boolean) : [];
  if (extras.some((e) => !PROJECT_NAME.test(e))) throw fail('bad extra name');
  let rest = m[3]!.trim();
  let url: string | undefined;
  if (rest.startsWith('@')) {
    url = rest.slice(1).trim();
    rest = '';
  }
  if (rest.startsWith('(') && rest.endsWith(')')) rest = rest.slice(1, -1).trim();
  const specifier = rest.replace(/\s+/g, '');
  if (specifier && !validRange(specifier)) throw fail(`"${rest}" is not a PEP 440 specifier`);
  if (marker) parseMarker(marker);
  return { raw, name, normalizedName: normalizeName(name), extras, specifier, marker, url };
}
