/**
 * py2distro.yaml: load, validate against the published JSON Schema (schema/py2distro.schema.json),
 * and merge with command-line flags (flags win). All problems in a file are collected and reported
 * together, each naming the field and the line.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { LineCounter, Node as YamlNode } from 'yaml';
import { Py2DistroError } from '../lib/errors.js';
import { packagePath } from '../lib/paths.js';
import { refuseUnsafeImplicitConfig } from './config-trust.js';

// yaml and ajv (both CommonJS) and the schema are loaded on first use, not at start-up: every CLI
// invocation imports this module, and `--version`/`--help` or a run without a config never parse one.
const require = createRequire(import.meta.url);
const yaml = () => require('yaml') as typeof import('yaml');
let validator: ValidateFunction | undefined;
function validate(data: unknown): data is ConfigFile {
  validator ??= precompiledValidator() ?? compileValidator();
  return validator(data);
}

function schemaText(): string {
  return readFileSync(packagePath('schema', 'py2distro.schema.json'), 'utf8');
}

/**
 * The validator `make build` compiled from the schema (scripts/build-config-validator.mjs): used
 * only when it was made from exactly the schema this installation has.
 */
function precompiledValidator(): ValidateFunction | undefined {
  try {
    const compiled = require('./config-validator.cjs') as ValidateFunction & { schemaSha256?: string };
    return compiled.schemaSha256 === createHash('sha256').update(schemaText()).digest('hex') ? compiled : undefined;
  } catch {
    return undefined; // not built (tests run from src/), or not readable: compile it here
  }
}

function compileValidator(): ValidateFunction {
  const { Ajv } = require('ajv') as typeof import('ajv');
  // Formats ("uri") are checked where the value is used (e.g. the index URL); without ajv-formats, ajv would warn on every run.
  return new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(JSON.parse(schemaText()) as object);
}

// The pin grammar, not the verify stage: loading the config must not load sigstore and OpenPGP.
import { parsePublisherPin, formatPublisherPin, type PublisherPin } from '../python/publisher-pin.js';
import type { SignaturePolicy } from '../stages/verify/index.js';

export type { SignaturePolicy } from '../stages/verify/index.js';

/** When neither --index-url, PIP_INDEX_URL nor `index-url:` says otherwise. */
export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';

/** The file's shape after validation (kebab-case keys, as written by users). */
export interface ConfigFile {
  'index-url'?: string;
  'cache-dir'?: string;
  'signature-policy'?: SignaturePolicy;
  keyrings?: string[];
  /** Per-package pins: normalised project name → list of fingerprints. */
  trust?: Record<string, string | string[]>;
  /** Per-package PEP 740 publisher pins: normalised project name → pin(s). */
  'trust-publishers'?: Record<string, string | string[]>;
  'sigstore-trusted-root'?: string;
  'trust-lock'?: string;
  'allow-dsa'?: boolean;
  pre?: boolean;
  targets?: string[];
  templates?: string;
  maintainer?: string;
  engine?: 'podman' | 'docker';
  'engine-args'?: string[];
  /** Engine on another machine (unix://, tcp://, ssh:// URL); nothing is bind-mounted then. */
  'engine-host'?: string;
  /** false: never bind-mount (copy in/out through the engine); true: mount even for a remote host. */
  'bind-mounts'?: boolean;
  'build-timeout'?: number;
  'container-limits'?: { pids?: number; memory?: string; 'cap-add'?: string[] };
  'max-download-size'?: string;
  'allow-distro-names'?: string[];
  jobs?: number;
  out?: string;
  repo?: string;
  'sign-key'?: string;
  'sign-passphrase-file'?: string;
  /** Public keys of earlier org keys whose signatures on published state are accepted (key rotation). */
  'previous-keys'?: string[];
  'repo-origin'?: string;
  'repo-label'?: string;
  'valid-until-days'?: number;
  retention?: number;
  'conflict-policy'?: 'build' | 'fail';
  'fail-fast'?: boolean;
  /** sync: pip requirements files (-r) and constraints files (-c). */
  requirements?: string[];
  constraints?: string[];
  /** sync: state, logs and reports (default <repo>/.py2distro-sync). */
  'state-dir'?: string;
  'report-dir'?: string;
  packages?: string[];
  extras?: Record<string, string[]>;
  [key: string]: unknown;
}

export interface LoadedConfig {
  /** Absolute path of the file, or undefined when none was found. */
  file?: string;
  /** True when the file was found in the working directory rather than named with --config. */
  implicit?: boolean;
  data: ConfigFile;
}

const DEFAULT_NAMES = ['py2distro.yaml', 'py2distro.yml'];

/**
 * Load the config: the explicit --config file (must exist), else ./py2distro.yaml if present,
 * else an empty config. Relative paths inside the file are resolved against the file's directory.
 * A file picked up from the working directory may not weaken security (config-trust.ts): whoever
 * can write into the directory a command runs in should not be able to switch verification off.
 */
export async function loadConfig(explicit?: string): Promise<LoadedConfig> {
  let file = explicit ? path.resolve(explicit) : undefined;
  if (file && !existsSync(file)) {
    throw new Py2DistroError('E_CONFIG', `configuration file ${file} does not exist`, {
      hint: 'Pass an existing file to --config, or leave --config out to use ./py2distro.yaml when present.',
    });
  }
  const implicit = !file;
  if (!file) file = DEFAULT_NAMES.map((n) => path.resolve(n)).find((p) => existsSync(p));
  if (!file) return { data: {} };
  const text = await readFile(file, 'utf8');
  const data = parseConfigText(text, file);
  if (implicit) refuseUnsafeImplicitConfig(data, file);
  return { file, implicit, data: resolvePaths(data, path.dirname(file)) };
}

/** Parse and validate config text; throws one E_CONFIG listing every problem with its line. */
export function parseConfigText(text: string, fileName = 'py2distro.yaml'): ConfigFile {
  const { LineCounter, parseDocument } = yaml();
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  const problems: string[] = [];
  for (const e of doc.errors) {
    const { line, col } = lc.linePos(e.pos[0]);
    problems.push(`${fileName}:${line}:${col}: ${e.message.split('\n')[0]}`);
  }
  if (problems.length) throw configError(problems);
  const data = (doc.toJS() ?? {}) as unknown;
  if (!validate(data)) {
    for (const err of validator!.errors ?? []) problems.push(describe(err, doc.contents, lc, fileName));
    // In file order, as an editor shows them (ajv reports in schema order).
    problems.sort((a, b) => lineOf(a) - lineOf(b));
    throw configError(problems);
  }
  return data as ConfigFile;
}

function lineOf(problem: string): number {
  return Number(/:(\d+):/.exec(problem)?.[1] ?? Number.MAX_SAFE_INTEGER);
}

function configError(problems: string[]): Py2DistroError {
  return new Py2DistroError('E_CONFIG', `invalid configuration:\n  ${problems.join('\n  ')}`, {
    details: { problems },
  });
}

function describe(err: ErrorObject, root: unknown, lc: LineCounter, fileName: string): string {
  const segments = err.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let field = segments.join('.') || '(top level)';
  let msg = err.message ?? 'is invalid';
  if (err.keyword === 'additionalProperties') {
    const extra = String((err.params as { additionalProperty: string }).additionalProperty);
    segments.push(extra);
    field = segments.join('.');
    msg = 'is not a known setting';
  } else if (err.keyword === 'enum') {
    msg = `must be one of ${(err.params as { allowedValues: unknown[] }).allowedValues.map(String).join(', ')}`;
  }
  const node = nodeAt(root, segments);
  const where = node?.range ? `${lc.linePos(node.range[0]).line}` : '?';
  return `${fileName}:${where}: ${field} ${msg}`;
}

function nodeAt(root: unknown, segments: string[]): YamlNode | undefined {
  const { isMap, isSeq } = yaml();
  let cur = root as YamlNode | undefined;
  for (const seg of segments) {
    if (isMap(cur)) {
      const pair = cur.items.find((p) => String((p.key as { value?: unknown })?.value ?? p.key) === seg);
      if (!pair) return cur;
      cur = (pair.value as YamlNode) ?? (pair.key as YamlNode);
    } else if (isSeq(cur)) {
      cur = cur.items[Number(seg)] as YamlNode | undefined;
    } else {
      return cur;
    }
  }
  return cur;
}

const PATH_KEYS = ['cache-dir', 'sigstore-trusted-root', 'trust-lock', 'templates', 'out', 'repo', 'sign-key', 'sign-passphrase-file', 'state-dir', 'report-dir'] as const;

function resolvePaths(data: ConfigFile, dir: string): ConfigFile {
  const out: ConfigFile = { ...data };
  for (const k of PATH_KEYS) {
    const v = out[k];
    if (typeof v === 'string') out[k] = path.resolve(dir, v);
  }
  if (out['previous-keys']) out['previous-keys'] = out['previous-keys'].map((k) => path.resolve(dir, k));
  if (out.keyrings) out.keyrings = out.keyrings.map((k) => path.resolve(dir, k));
  if (out.requirements) out.requirements = out.requirements.map((k) => path.resolve(dir, k));
  if (out.constraints) out.constraints = out.constraints.map((k) => path.resolve(dir, k));
  return out;
}

/** Trust pins from config and `--trust NAME=FPR` flags, merged per normalised package name. */
export function mergeTrust(
  fromConfig: ConfigFile['trust'],
  flags: readonly string[],
  normalise: (name: string) => string,
): Map<string, string[]> {
  const pins = new Map<string, string[]>();
  const add = (name: string, fpr: string) => {
    const key = normalise(name);
    const clean = fpr.replace(/\s+/g, '').toUpperCase();
    if (!/^[0-9A-F]{40}$|^[0-9A-F]{64}$/.test(clean)) {
      throw new Py2DistroError('E_USAGE', `--trust ${name}=${fpr}: a fingerprint is 40 (v4) or 64 (v6) hex digits`);
    }
    const list = pins.get(key) ?? [];
    if (!list.includes(clean)) list.push(clean);
    pins.set(key, list);
  };
  for (const [name, v] of Object.entries(fromConfig ?? {})) for (const f of [v].flat()) add(name, f);
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new Py2DistroError('E_USAGE', `--trust ${flag}: expected NAME=FINGERPRINT`);
    add(flag.slice(0, eq), flag.slice(eq + 1));
  }
  return pins;
}

/**
 * Publisher pins from config `trust-publishers:` and `--trust-publisher NAME=PIN` flags, merged per
 * normalised project name. A malformed pin is a usage/config error (exit 2) naming the value.
 */
export function mergeTrustPublishers(
  fromConfig: ConfigFile['trust-publishers'],
  flags: readonly string[],
  normalise: (name: string) => string,
): Map<string, PublisherPin[]> {
  const pins = new Map<string, PublisherPin[]>();
  const add = (name: string, text: string, from: string) => {
    let pin: PublisherPin;
    try {
      pin = parsePublisherPin(text.trim());
    } catch (err) {
      throw new Py2DistroError('E_PUBLISHER_PIN', `${from}: ${(err as Error).message}`, { cause: err });
    }
    const key = normalise(name);
    const list = pins.get(key) ?? [];
    if (!list.some((p) => formatPublisherPin(p) === formatPublisherPin(pin))) list.push(pin);
    pins.set(key, list);
  };
  for (const [name, v] of Object.entries(fromConfig ?? {})) for (const p of [v].flat()) add(name, p, `config trust-publishers.${name}`);
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new Py2DistroError('E_PUBLISHER_PIN', `--trust-publisher ${flag}: expected NAME=github:OWNER/REPO[:WORKFLOW_FILE] (or gitlab:…, google:…)`);
    add(flag.slice(0, eq), flag.slice(eq + 1), `--trust-publisher ${flag}`);
  }
  return pins;
}
