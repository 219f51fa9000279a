/**
 * Python names → RPM names and requires, following Fedora's Python packaging guidelines: the source
 * package is `python-<name>`, the binary `python3-<name>` (PEP 503 normalised), it provides
 * `python3dist(<name>) = <version>`, and requirements are `python3dist(<name>) >= <version>`
 * (what Fedora's dependency generator emits), with rich dependencies for ranges and `!=`.
 */
import type { Requirement } from '../../python/pep508.js';
import type { SdistMetadata } from '../../python/metadata.js';
import { buildNeeds, type BuildTool } from '../../python/build-requirements.js';
import { evaluateMarker, markerEnvironment } from '../../python/markers.js';
import { RPM_PACKAGE_NAME, requireGrammar } from '../sanitize.js';
import type { Target } from '../targets.js';
import { rpmRequires } from '../versions.js';

export function rpmSourceName(meta: Pick<SdistMetadata, 'normalizedName'>): string {
  return requireGrammar(`python-${meta.normalizedName.replace(/^python-/, '')}`, RPM_PACKAGE_NAME, 'RPM source package name');
}

export function rpmBinaryName(meta: Pick<SdistMetadata, 'normalizedName'>): string {
  return requireGrammar(`python3-${meta.normalizedName.replace(/^python3?-/, '')}`, RPM_PACKAGE_NAME, 'RPM binary package name');
}

/** `python3dist(name)`: Fedora's capability for an installed Python distribution. */
export function python3dist(normalizedName: string): string {
  return `python3dist(${requireGrammar(normalizedName, /^[a-z0-9][a-z0-9.-]*$/, 'Python distribution name')})`;
}

export interface RpmMappingOptions {
  target: Target;
  extras?: readonly string[];
  /** normalised Python name → RPM binary name of packages py2distro builds itself. */
  localPackages?: ReadonlyMap<string, string>;
}

export interface RpmMapped {
  requires: string[];
  unmet: string[];
  notes: string[];
}

export function mapRpmRequirements(reqs: readonly Requirement[], opts: RpmMappingOptions): RpmMapped {
  const env = markerEnvironment(opts.target);
  const out: RpmMapped = { requires: [], unmet: [], notes: [] };
  for (const req of reqs) {
    if (!evaluateMarker(req.marker, env, opts.extras ?? [])) continue;
    if (req.url) { out.unmet.push(`${req.raw}: direct URL references cannot be mapped to an RPM requirement`); continue; }
    if (req.extras.length) out.notes.push(`${req.raw}: extras [${req.extras.join(',')}] of a dependency are not expressed`);
    // Local packages provide python3dist() themselves, so the capability is the same either way.
    out.requires.push(rpmRequires(python3dist(req.normalizedName), req.specifier));
  }
  out.requires = [...new Set(out.requires)];
  return out;
}

/** Programs a build runs (python/build-requirements.ts) → Fedora/EL packages. */
export const RPM_TOOLS: Record<BuildTool, string[]> = {
  ninja: ['ninja-build'], cmake: ['cmake'], meson: ['meson'], patchelf: ['patchelf'], rust: ['cargo', 'rust'], 'pkg-config': ['pkgconf-pkg-config'],
};

/**
 * Static BuildRequires of a Fedora/EL spec. The Python side is `%pyproject_buildrequires`' job (it
 * asks the backend itself, setup_requires included), so only what it cannot know is listed: the
 * programs the build runs.
 */
export function rpmToolBuildRequires(meta: Pick<SdistMetadata, 'buildSystem' | 'setupRequires' | 'rust'>): string[] {
  return [...new Set(buildNeeds(meta).tools.flatMap((t) => RPM_TOOLS[t]))];
}
