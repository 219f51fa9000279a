/**
 * What a build needs that old setup.py projects do not declare in pyproject.toml, read from the
 * text of setup.py and setup.cfg — never by running them on the host: `setup_requires` (a list of
 * string literals, inline or in a module-level variable) and pbr's `pbr=True`; and the Rust sources
 * (Cargo.toml / Cargo.lock) of setuptools-rust and maturin projects. The reading is conservative:
 * anything but a string literal (a computed list, a function call) is left out, never guessed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDependency, type Requirement } from '../../python/pep508.js';

const STRING = /(?:[rbuRBU]{0,2})("([^"\\\n]*(?:\\.[^"\\\n]*)*)"|'([^'\\\n]*(?:\\.[^'\\\n]*)*)')/g;

/** The bracketed list starting at `open` ('[' or '('), up to its matching bracket; undefined when unbalanced. */
function bracketed(text: string, open: number): string | undefined {
  const close = text[open] === '[' ? ']' : ')';
  let depth = 0;
  for (let i = open; i < text.length && i < open + 20_000; i++) {
    const c = text[i];
    if (c === '"' || c === "'") { const end = text.indexOf(c, i + 1); if (end < 0) return undefined; i = end; continue; }
    if (c === '#') { const end = text.indexOf('\n', i); i = end < 0 ? text.length : end; continue; }
    if (c === text[open]) depth++;
    else if (c === close && --depth === 0) return text.slice(open + 1, i);
  }
  return undefined;
}

function literals(list: string): string[] {
  return [...list.matchAll(STRING)].map((m) => m[2] ?? m[3] ?? '');
}

/** `setup_requires` strings of a setup.py, plus `pbr` when it calls setup(pbr=True). */
export function setupPyRequires(setupPy: string): string[] {
  const out: string[] = [];
  for (const m of setupPy.matchAll(/\bsetup_requires\s*=\s*([[(]|[A-Za-z_]\w*)/g)) {
    let at = m.index! + m[0].length - m[1]!.length;
    if (!/[[(]/.test(m[1]!)) {
      // A module-level variable: `SETUP_REQUIRES = [...]`.
      const def = new RegExp(`^${m[1]}\\s*=\\s*([[(])`, 'm').exec(setupPy);
      if (!def) continue;
      at = def.index + def[0].length - 1;
    }
    const list = bracketed(setupPy, at);
    if (list !== undefined) out.push(...literals(list));
  }
  if (/\bpbr\s*=\s*True\b/.test(setupPy)) out.push('pbr');
  return out;
}

export interface StaticBuildFacts {
  setupRequires: Requirement[];
  rust?: { manifest: string; lock?: string; hasDependencies: boolean };
}

export async function staticBuildFacts(dir: string, files: readonly string[], setupCfgRequires: string[]): Promise<StaticBuildFacts> {
  const texts = files.includes('setup.py') ? setupPyRequires(await readFile(path.join(dir, 'setup.py'), 'utf8')) : [];
  const setupRequires: Requirement[] = [];
  for (const t of [...setupCfgRequires, ...texts]) {
    try {
      setupRequires.push(parseDependency(t));
    } catch {
      // not a PEP 508 requirement (a URL, a computed value): left out
    }
  }
  // The shallowest Cargo.toml is the crate (or workspace) the build compiles; its lock is beside it.
  const manifest = files.filter((f) => /(^|\/)Cargo\.toml$/.test(f) && f.split('/').length <= 4).sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b))[0];
  let rust: StaticBuildFacts['rust'];
  if (manifest) {
    const dirOf = path.posix.dirname(manifest);
    const lock = files.find((f) => f === (dirOf === '.' ? 'Cargo.lock' : `${dirOf}/Cargo.lock`)) ?? files.find((f) => /(^|\/)Cargo\.lock$/.test(f) && f.split('/').length <= 4);
    const toml = await readFile(path.join(dir, manifest), 'utf8');
    // Any [dependencies]-like table with an entry, or a workspace (whose members have them).
    const hasDependencies = /^\[workspace\]/m.test(toml) || /^\[(?:target\.[^\]]+\.)?(?:build-)?dependencies\]\s*\n\s*[A-Za-z0-9_-]+\s*=/m.test(toml) || /^\[(?:build-)?dependencies\.[^\]]+\]/m.test(toml);
    rust = { manifest, ...(lock ? { lock } : {}), hasDependencies };
  }
  return { setupRequires, ...(rust ? { rust } : {}) };
}
