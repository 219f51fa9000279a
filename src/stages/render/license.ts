/**
 * License metadata → SPDX (for the spec's License tag) and a DEP-5 short name (debian/copyright),
 * best effort. Sources in order of trust: License-Expression (PEP 639, already SPDX), then the
 * License field, then trove classifiers. The raw text is always kept so nothing is lost.
 */

export interface LicenseInfo {
  /** SPDX expression, or undefined when nothing could be recognised. */
  spdx?: string;
  /** DEP-5 short name (Debian spells a few differently: MIT is "Expat"). */
  dep5: string;
  /** What upstream wrote, for the record. */
  raw: string;
}

// Common License-field spellings and classifier tails → SPDX. Keys are lowercased, punctuation-light.
const KNOWN: Record<string, string> = {
  mit: 'MIT', 'mit license': 'MIT', expat: 'MIT',
  'apache 2.0': 'Apache-2.0', 'apache-2.0': 'Apache-2.0', 'apache license 2.0': 'Apache-2.0',
  'apache license, version 2.0': 'Apache-2.0', 'apache software license': 'Apache-2.0', apache2: 'Apache-2.0', 'apache 2': 'Apache-2.0',
  bsd: 'BSD-3-Clause', 'bsd license': 'BSD-3-Clause', 'new bsd': 'BSD-3-Clause', 'bsd-3-clause': 'BSD-3-Clause',
  '3-clause bsd': 'BSD-3-Clause', 'bsd 3-clause': 'BSD-3-Clause', 'bsd-2-clause': 'BSD-2-Clause', 'simplified bsd': 'BSD-2-Clause',
  isc: 'ISC', 'isc license': 'ISC', 'isc license (iscl)': 'ISC',
  'mpl-2.0': 'MPL-2.0', 'mpl 2.0': 'MPL-2.0', 'mozilla public license 2.0 (mpl 2.0)': 'MPL-2.0',
  gpl: 'GPL-2.0-or-later', gplv2: 'GPL-2.0-only', 'gplv2+': 'GPL-2.0-or-later', gplv3: 'GPL-3.0-only', 'gplv3+': 'GPL-3.0-or-later',
  'gnu general public license v2 (gplv2)': 'GPL-2.0-only', 'gnu general public license v2 or later (gplv2+)': 'GPL-2.0-or-later',
  'gnu general public license v3 (gplv3)': 'GPL-3.0-only', 'gnu general public license v3 or later (gplv3+)': 'GPL-3.0-or-later',
  lgpl: 'LGPL-2.1-or-later', 'lgplv2+': 'LGPL-2.1-or-later', 'lgplv3': 'LGPL-3.0-only', 'lgplv3+': 'LGPL-3.0-or-later',
  'gnu lesser general public license v3 (lgplv3)': 'LGPL-3.0-only',
  'gnu lesser general public license v2 or later (lgplv2+)': 'LGPL-2.1-or-later',
  'gnu lesser general public license v3 or later (lgplv3+)': 'LGPL-3.0-or-later',
  psf: 'PSF-2.0', 'python software foundation license': 'PSF-2.0', 'psf license': 'PSF-2.0',
  unlicense: 'Unlicense', 'the unlicense (unlicense)': 'Unlicense', '0bsd': '0BSD', 'zlib': 'Zlib', 'zlib/libpng license': 'Zlib',
  'public domain': 'LicenseRef-Public-Domain',
};

// SPDX → DEP-5 short names where Debian's copyright-format spelling differs.
const DEP5: Record<string, string> = {
  MIT: 'Expat', 'BSD-3-Clause': 'BSD-3-clause', 'BSD-2-Clause': 'BSD-2-clause',
  'GPL-2.0-only': 'GPL-2', 'GPL-2.0-or-later': 'GPL-2+', 'GPL-3.0-only': 'GPL-3', 'GPL-3.0-or-later': 'GPL-3+',
  'LGPL-2.1-only': 'LGPL-2.1', 'LGPL-2.1-or-later': 'LGPL-2.1+', 'LGPL-3.0-only': 'LGPL-3', 'LGPL-3.0-or-later': 'LGPL-3+',
  'PSF-2.0': 'PSF-2', 'LicenseRef-Public-Domain': 'public-domain',
};

// Licenses Debian ships in /usr/share/common-licenses: debian/copyright must point there instead of
// repeating the text (lintian copyright-not-using-common-license-for-*, copyright-file-contains-full-*).
const COMMON_LICENSES: [RegExp, string][] = [
  [/^Apache-2\.0$/, 'Apache-2.0'], [/^GPL-2\.0/, 'GPL-2'], [/^GPL-3\.0/, 'GPL-3'], [/^LGPL-2\.1/, 'LGPL-2.1'], [/^LGPL-2\.0/, 'LGPL-2'],
  [/^LGPL-3\.0/, 'LGPL-3'], [/^MPL-1\.1$/, 'MPL-1.1'], [/^MPL-2\.0$/, 'MPL-2.0'], [/^CC0-1\.0$/, 'CC0-1.0'], [/^Artistic-/, 'Artistic'],
  [/^GFDL-1\.2/, 'GFDL-1.2'], [/^GFDL-1\.3/, 'GFDL-1.3'],
];

/** The /usr/share/common-licenses file for a single SPDX id (an exception does not change it), if Debian ships one. */
export function commonLicenseFile(spdx: string | undefined): string | undefined {
  if (!spdx || / (AND|OR) /.test(spdx)) return undefined;
  const hit = COMMON_LICENSES.find(([re]) => re.test(spdx));
  return hit ? `/usr/share/common-licenses/${hit[1]}` : undefined;
}

const SPDX_EXPRESSION = /^[A-Za-z0-9.+-]+( (AND|OR|WITH) [A-Za-z0-9.+-]+)*$/;

function lookup(text: string): string | undefined {
  const key = text.toLowerCase().replace(/\s+/g, ' ').replace(/\blicen[cs]e\b\s*$/, 'license').trim();
  return KNOWN[key] ?? KNOWN[key.replace(/ license$/, '')];
}

export function dep5Of(spdx: string): string {
  return spdx.split(/ (AND|OR|WITH) /).map((p) => (/^(AND|OR|WITH)$/.test(p) ? p.toLowerCase() : DEP5[p] ?? p)).join(' ');
}

// The licence files' own words, for metadata that names no licence (SPDX list texts' titles).
const TEXTS: [RegExp, string][] = [
  [/Apache License\s*,?\s*Version 2\.0/i, 'Apache-2.0'],
  [/GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3/i, 'LGPL-3.0-only'], [/GNU LESSER GENERAL PUBLIC LICENSE\s+Version 2\.1/i, 'LGPL-2.1-only'],
  [/GNU GENERAL PUBLIC LICENSE\s+Version 3/i, 'GPL-3.0-only'], [/GNU GENERAL PUBLIC LICENSE\s+Version 2/i, 'GPL-2.0-only'],
  [/Mozilla Public License,?\s+(v\.|version)\s*2\.0/i, 'MPL-2.0'],
  [/Permission is hereby granted, free of charge, to any person obtaining a copy/i, 'MIT'],
  [/Redistribution and use in source and binary forms[\s\S]*Neither the name/i, 'BSD-3-Clause'],
  [/Redistribution and use in source and binary forms/i, 'BSD-2-Clause'],
  [/Permission to use, copy, modify, and\/or distribute this software for any/i, 'ISC'],
];

/** The licence a licence file's text is, when it is one of the common texts unchanged in its first lines. */
export function licenseFromText(text: string | undefined): string | undefined {
  const head = (text ?? '').slice(0, 4000);
  return TEXTS.find(([re]) => re.test(head))?.[1];
}

export function detectLicense(opts: { expression?: string; license?: string; classifiers?: readonly string[]; text?: string }): LicenseInfo {
  const raw = [opts.expression, opts.license].filter(Boolean).join('\n') ||
    (opts.classifiers ?? []).filter((c) => c.startsWith('License ::')).join('\n');
  const expr = opts.expression?.trim();
  if (expr && SPDX_EXPRESSION.test(expr)) return { spdx: expr, dep5: dep5Of(expr), raw };

  const field = opts.license?.trim();
  // A License field is often the whole license text; only a short first line can be a name.
  if (field) {
    const first = field.split('\n')[0]!.trim();
    const hit = first.length <= 80 ? lookup(first) ?? (SPDX_EXPRESSION.test(first) && /\d|^MIT$|^ISC$/.test(first) ? first : undefined) : undefined;
    if (hit) return { spdx: hit, dep5: dep5Of(hit), raw };
  }
  const fromClassifiers = (opts.classifiers ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) => lookup(c.split('::').pop()!.trim()))
    .filter((x): x is string => Boolean(x));
  const unique = [...new Set(fromClassifiers)];
  if (unique.length) {
    const spdx = unique.join(' OR ');
    return { spdx, dep5: dep5Of(spdx), raw };
  }
  const fromText = licenseFromText(opts.text);
  if (fromText) return { spdx: fromText, dep5: dep5Of(fromText), raw };
  return { spdx: undefined, dep5: 'unknown', raw };
}
