/**
 * setup.cfg (setuptools declarative config): [metadata], [options], [options.extras_require] and
 * [options.entry_points]. Values using `attr:` or `file:` are computed by setuptools at build time,
 * so they are reported as unknown rather than guessed.
 * Format: https://setuptools.pypa.io/en/latest/userguide/declarative_config.html
 */

export type IniSections = Map<string, Map<string, string>>;

/**
 * configparser-style INI: `key = value` or `key: value`, indented continuation lines, # and ; comments.
 * setup.cfg keys are option names (lowercased, `-` read as `_` as setuptools does); entry point
 * names are kept exactly (`keepKeys`).
 */
export function parseIni(text: string, opts: { keepKeys?: boolean } = {}): IniSections {
  const sections: IniSections = new Map();
  let section: Map<string, string> | undefined;
  let key: string | undefined;
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    if (/^\s*[#;]/.test(raw)) continue;
    const header = /^\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      section = new Map();
      sections.set(header[1]!.trim().toLowerCase(), section);
      key = undefined;
      continue;
    }
    if (!section) continue;
    if (/^\s+\S/.test(raw) && key) {
      section.set(key, `${section.get(key)}\n${raw.trim()}`);
      continue;
    }
    const kv = /^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/.exec(raw);
    if (kv) {
      key = opts.keepKeys ? kv[1]!.trim() : kv[1]!.trim().toLowerCase().replace(/-/g, '_');
      section.set(key, kv[2]!.trim());
    }
  }
  return sections;
}

/** A list value: one per line or comma/semicolon separated (setuptools accepts both). */
export function listValue(value: string | undefined, separators = /[\n,]/): string[] {
  return (value ?? '').split(separators).map((s) => s.trim()).filter((s) => s && !s.startsWith('#'));
}

/** setuptools "list-semi": one per line when dangling, else separated by ';' (so no markers there). */
function semiList(value: string | undefined): string[] {
  return (value ?? '').includes('\n') ? listValue(value, /\n/) : listValue(value, /;/);
}

export interface SetupCfgData {
  name?: string;
  version?: string;
  summary?: string;
  description?: string;
  descriptionFile?: string;
  descriptionContentType?: string;
  license?: string;
  licenseFiles: string[];
  author?: string;
  authorEmail?: string;
  maintainer?: string;
  maintainerEmail?: string;
  url?: string;
  projectUrls: Record<string, string>;
  classifiers: string[];
  installRequires?: string[];
  /** [options] setup_requires. */
  setupRequires: string[];
  extrasRequire: Record<string, string[]>;
  pythonRequires?: string;
  consoleScripts: Record<string, string>;
  packages?: string[];
  pyModules?: string[];
  /** Keys whose value setuptools computes (attr:, file:, find:) and py2distro therefore cannot know. */
  computed: string[];
}

export function parseSetupCfg(text: string): SetupCfgData {
  const ini = parseIni(text);
  const md = ini.get('metadata') ?? new Map<string, string>();
  const opts = ini.get('options') ?? new Map<string, string>();
  const computed: string[] = [];
  const plain = (map: Map<string, string>, k: string): string | undefined => {
    const v = map.get(k);
    if (v === undefined) return undefined;
    if (/^(attr|file):/.test(v)) { computed.push(k); return undefined; }
    return v;
  };
  const longDesc = md.get('long_description');
  // Entry point names are case- and dash-sensitive, so that section is re-read with keys kept.
  const entryPoints = parseIni(text, { keepKeys: true }).get('options.entry_points');
  const consoleScripts: Record<string, string> = {};
  for (const line of listValue(entryPoints?.get('console_scripts'), /\n/)) {
    const m = /^([^=\s]+)\s*=\s*(.+)$/.exec(line);
    if (m) consoleScripts[m[1]!] = m[2]!;
  }
  const extras: Record<string, string[]> = {};
  for (const [k, v] of ini.get('options.extras_require') ?? []) extras[k] = semiList(v);
  const packages = opts.get('packages');
  if (packages && /^find(_namespace)?:/.test(packages)) computed.push('packages');
  return {
    name: plain(md, 'name'),
    version: plain(md, 'version'),
    summary: plain(md, 'description'),
    description: longDesc && !longDesc.startsWith('file:') ? longDesc : undefined,
    descriptionFile: longDesc?.startsWith('file:') ? listValue(longDesc.slice(5))[0] : undefined,
    descriptionContentType: md.get('long_description_content_type'),
    license: plain(md, 'license'),
    licenseFiles: listValue(md.get('license_files')),
    author: md.get('author'),
    authorEmail: md.get('author_email'),
    maintainer: md.get('maintainer'),
    maintainerEmail: md.get('maintainer_email'),
    url: md.get('url') ?? md.get('home_page'),
    projectUrls: Object.fromEntries(listValue(md.get('project_urls'), /\n/).map((l) => l.split(/\s*=\s*/, 2) as [string, string]).filter((p) => p.length === 2)),
    classifiers: plain(md, 'classifiers') === undefined ? [] : listValue(md.get('classifiers'), /\n/),
    installRequires: opts.has('install_requires') ? (plain(opts, 'install_requires') === undefined ? undefined : semiList(opts.get('install_requires'))) : undefined,
    extrasRequire: extras,
    setupRequires: plain(opts, 'setup_requires') === undefined ? [] : semiList(opts.get('setup_requires')),
    pythonRequires: plain(opts, 'python_requires'),
    consoleScripts,
    packages: packages && !/^find/.test(packages) ? listValue(packages) : undefined,
    pyModules: opts.has('py_modules') ? listValue(opts.get('py_modules')) : undefined,
    computed: [...new Set(computed)],
  };
}
