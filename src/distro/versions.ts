/**
 * PEP 440 versions → Debian and RPM versions that sort the way PEP 440 does, and PEP 440 specifiers
 * → Debian relations / RPM requires. Parsing is @renovatebot/pep440's; this module only re-spells.
 *
 * Spelling (PEP 440 §"Summary of permitted suffixes and relative ordering": dev < a < b < rc < final
 * < local < post):
 *
 * | PEP 440            | Debian                  | RPM                     |
 * |--------------------|-------------------------|-------------------------|
 * | 1!2.0              | 1:2.0                   | Epoch: 1, 2.0           |
 * | 2.0.dev3           | 2.0~~dev3               | 2.0~~dev3               |
 * | 2.0rc1 / a1 / b1   | 2.0~rc1                 | 2.0~rc1                 |
 * | 2.0rc1.dev2        | 2.0~rc1~dev2            | 2.0~rc1~dev2            |
 * | 2.0.post1          | 2.0+post1               | 2.0^post1               |
 * | 2.0.post1.dev2     | 2.0+post1~dev2          | 2.0^post1~dev2          |
 * | 2.0+abc.7          | 2.0+local.~abc.7        | 2.0^local.abc.7         |
 *
 * Why: `~` sorts before everything (even the end) in dpkg and rpm, `~~` before `~a`; dpkg sorts
 * `+` after the end and before `.`, so `+post` lands between 2.0 and 2.0.1; rpm treats `+` like `.`,
 * so it uses `^` (newer than the end, older than anything else). Local labels sort after the public
 * version and before `.post` ("local" < "post"); dpkg prefers letters over digits, PEP 440 the
 * opposite, so alphabetic local segments get a `~` in Debian.
 *
 * Known limits (documented in docs/templates.md): release segments are compared as written, so
 * 1.0 and 1.0.0 (equal in PEP 440) differ; alphanumeric local segments such as "ubuntu10" compare by
 * their digits; `>V` also admits V's post-releases, as Fedora's pyreq2rpm does.
 */
import { explain, type Pep440Version } from '@renovatebot/pep440';
import { parse as parseSpecifier } from '@renovatebot/pep440/lib/specifier.js';
import type { FamilyName } from './targets.js';
import { Py2DistroError } from '../lib/errors.js';

/** The parts @renovatebot/pep440 returns (its .d.ts types post/dev as arrays; at runtime they are numbers). */
interface Parts {
  epoch: number;
  release: number[];
  pre: [string, number] | null;
  post: number | null;
  dev: number | null;
  local: string | null;
}

export function parsePep440(version: string): Parts {
  const v = explain(version) as (Pep440Version & { post: number | null; dev: number | null }) | null;
  if (!v) {
    throw new Py2DistroError('E_NAME_INVALID', `"${version}" is not a PEP 440 version`, {
      hint: 'Only PEP 440 versions can be mapped to an ordering-preserving distro version.',
    });
  }
  return {
    epoch: v.epoch,
    release: v.release,
    pre: (v.pre as [string, number] | null) ?? null,
    post: v.post ?? null,
    dev: v.dev ?? null,
    local: v.local,
  };
}

type Family = FamilyName;

function spell(p: Parts, family: Family, withEpoch: boolean): string {
  let s = p.release.join('.');
  if (p.pre) s += `~${p.pre[0]}${p.pre[1]}`;
  if (p.post !== null) s += `${family === 'deb' ? '+' : '^'}post${p.post}`;
  if (p.dev !== null) s += p.pre || p.post !== null ? `~dev${p.dev}` : `~~dev${p.dev}`;
  if (p.local) {
    const segs = p.local.split('.').map((seg) => (family === 'deb' && !/^\d+$/.test(seg) ? `~${seg}` : seg));
    s += `${family === 'deb' ? '+' : '^'}local.${segs.join('.')}`;
  }
  if (withEpoch && p.epoch > 0) s = `${p.epoch}:${s}`;
  return s;
}

/** Debian upstream version, with `N:` epoch when the PEP 440 epoch is non-zero. */
export function debianVersion(pep440: string): string {
  return spell(parsePep440(pep440), 'deb', true);
}

/** Debian upstream version without the epoch (used in .orig.tar.gz names). */
export function debianUpstreamVersion(pep440: string): string {
  return spell(parsePep440(pep440), 'deb', false);
}

/** RPM Version tag value (no epoch) and the Epoch tag value. */
export function rpmVersion(pep440: string): { version: string; epoch: number } {
  const p = parsePep440(pep440);
  return { version: spell(p, 'rpm', false), epoch: p.epoch };
}

/** "E:V" for comparisons (rpm.vercmp accepts it), or just V when the epoch is 0. */
export function rpmEvr(pep440: string): string {
  const { version, epoch } = rpmVersion(pep440);
  return epoch > 0 ? `${epoch}:${version}` : version;
}

export interface DebRelation {
  op: '>=' | '<<' | '>>' | '<=' | '=';
  version: string;
}

export interface MappedSpecifier<T> {
  constraints: T[];
  /** Clauses that cannot be expressed (Debian has no `!=`); reported, not silently lost. */
  dropped: string[];
}

interface Clause {
  operator: string;
  version: string;
  prefix?: string;
}

function clauses(specifier: string): Clause[] {
  const trimmed = specifier.trim();
  if (!trimmed) return [];
  let parsed: Clause[] | null = null;
  try {
    parsed = parseSpecifier(trimmed) as Clause[] | null;
  } catch {
    parsed = null;
  }
  if (!parsed || parsed.length === 0) {
    throw new Py2DistroError('E_METADATA', `"${specifier}" is not a PEP 440 version specifier`);
  }
  return parsed;
}

/** The release prefix of `==1.4.*` spelled lowest (`1.4~~`) and the next prefix (`1.5~~`). */
function prefixRange(version: string): [string, string] {
  const p = parsePep440(version);
  const next = [...p.release];
  next[next.length - 1] += 1;
  // Both dpkg and rpm.vercmp read an "N:" epoch prefix.
  const epoch = p.epoch > 0 ? `${p.epoch}:` : '';
  return [`${epoch}${p.release.join('.')}~~`, `${epoch}${next.join('.')}~~`];
}

/** `~=1.4.5` → the prefix 1.4 (release minus its last segment), for the upper bound. */
function compatiblePrefix(version: string): string {
  const p = parsePep440(version);
  if (p.release.length < 2) {
    throw new Py2DistroError('E_METADATA', `"~=${version}" needs at least two release segments (PEP 440)`);
  }
  const head = p.release.slice(0, -1).join('.');
  return p.epoch > 0 ? `${p.epoch}!${head}` : head;
}

function full(version: string, family: Family): string {
  return family === 'deb' ? debianVersion(version) : rpmEvr(version);
}

/** Lower bound for `<V`: exclude V's own pre-releases unless V is one (PEP 440 "exclusive ordered comparison"). */
function below(version: string, family: Family): string {
  const p = parsePep440(version);
  return p.pre || p.dev !== null ? full(version, family) : `${full(version, family)}~~`;
}

/**
 * PEP 440 specifier → Debian relations, all of which must hold. Debian appends `-revision` to every
 * package version, so `==V` and `<=V` become `<< V+p` (just above V and V+local, below V.post).
 */
export function debianRelations(specifier: string): MappedSpecifier<DebRelation> {
  const out: MappedSpecifier<DebRelation> = { constraints: [], dropped: [] };
  for (const c of clauses(specifier)) {
    const star = c.prefix === '.*';
    switch (c.operator) {
      case '>=': out.constraints.push({ op: '>=', version: full(c.version, 'deb') }); break;
      case '>': out.constraints.push({ op: '>>', version: full(c.version, 'deb') }); break;
      case '<': out.constraints.push({ op: '<<', version: below(c.version, 'deb') }); break;
      case '<=': out.constraints.push({ op: '<<', version: `${full(c.version, 'deb')}+p` }); break;
      case '==':
      case '===':
        if (star) {
          const [lo, hi] = prefixRange(c.version);
          out.constraints.push({ op: '>=', version: lo }, { op: '<<', version: hi });
        } else {
          out.constraints.push({ op: '>=', version: full(c.version, 'deb') }, { op: '<<', version: `${full(c.version, 'deb')}+p` });
        }
        break;
      case '~=': {
        const [, hi] = prefixRange(compatiblePrefix(c.version));
        out.constraints.push({ op: '>=', version: full(c.version, 'deb') }, { op: '<<', version: hi });
        break;
      }
      case '!=': out.dropped.push(`!=${c.version}${c.prefix ?? ''}`); break;
      default: out.dropped.push(`${c.operator}${c.version}`);
    }
  }
  return out;
}

/**
 * PEP 440 specifier → one RPM requires expression on `capability` (e.g. `python3dist(foo)`),
 * using rich dependencies (rpm >= 4.13) for ranges and `!=`.
 */
export function rpmRequires(capability: string, specifier: string): string {
  const parts: string[] = [];
  for (const c of clauses(specifier)) {
    const star = c.prefix === '.*';
    switch (c.operator) {
      case '>=': parts.push(`${capability} >= ${full(c.version, 'rpm')}`); break;
      case '>': parts.push(`${capability} > ${full(c.version, 'rpm')}`); break;
      case '<': parts.push(`${capability} < ${below(c.version, 'rpm')}`); break;
      case '<=': parts.push(`${capability} <= ${full(c.version, 'rpm')}`); break;
      case '==':
      case '===':
        if (star) {
          const [lo, hi] = prefixRange(c.version);
          parts.push(`${capability} >= ${lo}`, `${capability} < ${hi}`);
        } else parts.push(`${capability} = ${full(c.version, 'rpm')}`);
        break;
      case '~=': {
        const [, hi] = prefixRange(compatiblePrefix(c.version));
        parts.push(`${capability} >= ${full(c.version, 'rpm')}`, `${capability} < ${hi}`);
        break;
      }
      case '!=':
        if (star) {
          const [lo, hi] = prefixRange(c.version);
          parts.push(`(${capability} < ${lo} or ${capability} >= ${hi})`);
        } else parts.push(`(${capability} < ${full(c.version, 'rpm')} or ${capability} > ${full(c.version, 'rpm')})`);
        break;
      default:
        throw new Py2DistroError('E_METADATA', `unsupported version operator ${c.operator}`);
    }
  }
  if (parts.length === 0) return capability;
  if (parts.length === 1) return parts[0]!;
  return `(${parts.join(' with ')})`;
}
