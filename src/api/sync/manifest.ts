/**
 * The sync manifest: which requirements to keep built. Sources, merged in this order:
 * the config file's `packages:` list, `-r requirements.txt` files (pip's format, nested `-r`/`-c`
 * included) and requirement arguments on the command line. Constraint files (`-c`) only narrow the
 * versions of packages that something else asks for — pip's semantics — including dependencies.
 *
 * Each entry remembers where it came from (`py2distro.yaml:7`, `requirements.txt:3`) so that every
 * later error can point at the line that caused it.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Py2DistroError } from '../../lib/errors.js';
import { normalizeName, parseUserRequirement, type UserRequirement as Requirement } from '../../python/requirement.js';

export interface ManifestEntry {
  /** The requirement without its marker: `name[extras] specifier`, or a local sdist path. */
  requirement: string;
  /** PEP 503-normalised project name (undefined for a local sdist path). */
  name?: string;
  extras: string[];
  /** PEP 440 specifier set, e.g. `>=1,<2`; '' for any version. */
  specifier: string;
  /** PEP 508 environment marker, evaluated per target (`; python_version < "3.12"`). */
  marker?: string;
  /** pip hash-checking mode: the chosen file's sha256 must be one of these. */
  hashes: string[];
  /** `file:line` the entry came from, for messages. */
  source: string;
}

export interface Manifest {
  entries: ManifestEntry[];
  /** Normalised name → specifiers from constraint files (with their sources). */
  constraints: Map<string, { specifier: string; source: string }[]>;
}

export interface ManifestInput {
  /** `packages:` from the config file. */
  packages?: string[];
  configFile?: string;
  /** Requirement strings from the command line. */
  cliRequirements?: string[];
  requirementFiles?: string[];
  constraintFiles?: string[];
}

/**
 * Parse one requirement line (no pip options) with the shared PEP 508 parser; errors name the
 * source line. Relative sdist paths are resolved against `baseDir` (the file's directory).
 */
export function parseRequirementLine(text: string, source: string, hashes: string[] = [], baseDir = process.cwd()): ManifestEntry {
  let req: Requirement;
  try {
    req = parseUserRequirement(text, baseDir);
  } catch (err) {
    if (err instanceof Py2DistroError) throw new Py2DistroError(err.code, `${source}: ${err.message}`, { hint: err.hint, cause: err });
    throw err;
  }
  if (req.kind === 'local') return { requirement: req.path, extras: [], specifier: '', hashes, source };
  const extras = req.extras.map(normalizeName);
  const requirement = `${req.normalizedName}${extras.length ? `[${extras.join(',')}]` : ''}${req.specifier}`;
  return { requirement, name: req.normalizedName, extras, specifier: req.specifier, marker: req.marker, hashes, source };
}

/** Load every source into one manifest. Duplicate names across sources are kept (closure merges them). */
export async function loadManifest(input: ManifestInput): Promise<Manifest> {
  const manifest: Manifest = { entries: [], constraints: new Map() };
  const configName = input.configFile ? path.basename(input.configFile) : 'py2distro.yaml';
  (input.packages ?? []).forEach((p, i) => {
    manifest.entries.push(parseRequirementLine(p, `${configName}: packages[${i}]`, [], input.configFile ? path.dirname(input.configFile) : process.cwd()));
  });
  const seen = new Set<string>();
  for (const f of input.requirementFiles ?? []) await readRequirementsFile(path.resolve(f), 'requirements', manifest, seen);
  for (const f of input.constraintFiles ?? []) await readRequirementsFile(path.resolve(f), 'constraints', manifest, seen);
  for (const r of input.cliRequirements ?? []) manifest.entries.push(parseRequirementLine(r, 'command line'));
  if (manifest.entries.length === 0) {
    throw new Py2DistroError('E_USAGE', 'nothing to sync: no packages given', {
      hint: 'List requirements under `packages:` in py2distro.yaml, pass -r requirements.txt, or name them on the command line.',
    });
  }
  return manifest;
}

type FileKind = 'requirements' | 'constraints';

/** pip's requirements-file format: comments, `\` continuations, nested -r/-c, per-line --hash. */
async function readRequirementsFile(file: string, kind: FileKind, manifest: Manifest, seen: Set<string>): Promise<void> {
  const key = `${kind}:${file}`;
  if (seen.has(key)) return; // pip tolerates includes that repeat; a cycle must not loop forever
  seen.add(key);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new Py2DistroError('E_CONFIG', `cannot read ${kind} file ${file}`, { cause });
  }
  for (const { line, lineNo } of logicalLines(text)) {
    const source = `${path.basename(file)}:${lineNo}`;
    const tokens = line.split(/\s+/);
    const opt = tokens[0];
    const inline = /^(-[rc]|--requirement|--constraint)=?(.*)$/.exec(opt);
    if (inline) {
      const target = inline[2] || tokens[1];
      if (!target) throw new Py2DistroError('E_CONFIG', `${source}: ${opt} needs a file name`);
      const nestedKind: FileKind = /^(-c|--constraint)/.test(opt) ? 'constraints' : kind;
      await readRequirementsFile(path.resolve(path.dirname(file), target), nestedKind, manifest, seen);
      continue;
    }
    if (opt.startsWith('-')) {
      if (/^(-e|--editable)/.test(opt)) {
        throw new Py2DistroError('E_CONFIG', `${source}: editable requirements cannot be packaged`, {
          hint: 'Build an sdist of the project and list its path instead.',
        });
      }
      // Index options belong in py2distro.yaml/flags, where trust and policy are configured with them.
      throw new Py2DistroError('E_CONFIG', `${source}: pip option ${opt} is not supported in a requirements file`, {
        hint: 'Set index-url, trust and other options in py2distro.yaml or on the command line.',
      });
    }
    const hashes: string[] = [];
    const reqText = line.replace(/\s--hash[=\s]\s*(\S+)/g, (_, h: string) => {
      const m = /^sha256:([0-9a-fA-F]{64})$/.exec(h);
      if (!m) throw new Py2DistroError('E_CONFIG', `${source}: only --hash=sha256:<64 hex> is supported, got ${h}`);
      hashes.push(m[1].toLowerCase());
      return '';
    }).trim();
    const entry = parseRequirementLine(reqText, source, hashes, path.dirname(file));
    if (kind === 'requirements') {
      manifest.entries.push(entry);
    } else {
      if (!entry.name || entry.extras.length) {
        throw new Py2DistroError('E_CONFIG', `${source}: a constraint is a name with a version specifier, no extras or paths`);
      }
      const list = manifest.constraints.get(entry.name) ?? [];
      list.push({ specifier: entry.specifier, source });
      manifest.constraints.set(entry.name, list);
    }
  }
}

/** Join `\` continuations and drop comments (`#` at line start or after whitespace), keeping line numbers. */
function logicalLines(text: string): { line: string; lineNo: number }[] {
  const out: { line: string; lineNo: number }[] = [];
  const raw = text.split(/\r?\n/);
  for (let i = 0; i < raw.length; i++) {
    const lineNo = i + 1;
    let line = raw[i];
    while (line.endsWith('\\') && i + 1 < raw.length) line = line.slice(0, -1) + ' ' + raw[++i];
    line = line.replace(/(^|\s)#.*$/, '').trim();
    if (line) out.push({ line, lineNo });
  }
  return out;
}
