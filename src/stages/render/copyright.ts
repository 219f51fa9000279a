/**
 * The stand-alone License paragraphs of debian/copyright (DEP-5, copyright-format 1.0 §"Stand-alone
 * License Paragraph"). A licence Debian ships in /usr/share/common-licenses is referred to, never
 * repeated (Policy §12.5); an expression of several licences ("Apache-2.0 OR BSD-3-Clause") gets one
 * paragraph per licence. lintian's Debian/Copyright check flags a copyright file that mentions the
 * Apache 2.0, GPL, LGPL or GFDL licences anywhere without pointing at /usr/share/common-licenses,
 * so an upstream text that names one of them gets the pointer too.
 */
import { debianContinuation, descriptionLines } from '../../distro/sanitize.js';
import { commonLicenseFile, dep5Of } from './license.js';

export interface LicenseParagraph {
  /** DEP-5 short name. */
  name: string;
  /** Continuation lines, ready to place under `License: <name>`. */
  text: string;
}

// What lintian's check looks for (check_names_texts), and the common-licenses file it means.
const MENTIONS: [RegExp, string][] = [
  [/\bapache[-_]2|\bApache License\s*,?\s*Version 2|\bApache-2/i, 'Apache-2.0'],
  [/GNU Free Documentation License|\bGFDL\b/i, 'GFDL-1.3'],
  [/GNU (Lesser|Library) General Public License|\bLGPL\b/i, 'LGPL-2.1'],
  [/GNU General Public License|\bGPL\b/i, 'GPL-3'],
];

const pointer = (what: string, file: string) => [`On Debian systems, the complete text of the ${what} can be found in`, `${file}.`];

/** Pointers for the common licences an upstream text mentions (the text itself stays as written). */
function mentionedPointers(text: string): string[] {
  const lines: string[] = [];
  for (const [re, file] of MENTIONS) {
    if (!re.test(text)) continue;
    if (lines.length) lines.push('');
    lines.push(...pointer(`${file.replace(/-.*/, '')} licenses`, '/usr/share/common-licenses'));
    break;
  }
  return lines;
}

function upstreamBody(text: string | undefined, raw: string): string[] {
  const body = text?.trim()
    ? descriptionLines(text, 400)
    : raw.trim()
      ? ['The upstream sdist ships no license file; its metadata states:', '', ...descriptionLines(raw, 40)]
      : ['The upstream sdist states no license.'];
  const pointers = mentionedPointers(body.join('\n'));
  return pointers.length ? [...body, '', ...pointers] : body;
}

export function licenseParagraphs(text: string | undefined, raw: string, spdx: string | undefined): LicenseParagraph[] {
  const ids = spdx ? [...new Set(spdx.split(/ (?:AND|OR) /))] : [];
  if (ids.length <= 1) {
    const id = ids[0];
    const common = commonLicenseFile(id);
    const lines = common ? pointer(`${id} license`, common) : upstreamBody(text, raw);
    return [{ name: id ? dep5Of(id) : 'unknown', text: debianContinuation(lines) }];
  }
  // Several licences: the common ones point at their file, the others carry upstream's text.
  return ids.map((id) => {
    const common = commonLicenseFile(id);
    return { name: dep5Of(id), text: debianContinuation(common ? pointer(`${id} license`, common) : upstreamBody(text, raw)) };
  });
}
