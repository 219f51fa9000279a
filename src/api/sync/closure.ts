/**
 * The dependency closure of a manifest for one target. Every requirement is followed recursively
 * (Requires-Dist with that target's markers, and the build-system requirements); for each project
 * the closure decides:
 *   - `distro`: the target's own archive has it at a version that satisfies every specifier seen →
 *     our packages depend on the distro package;
 *   - `ours`: otherwise it is resolved on the index and built into the org repo.
 * Conflicts — a distro version too old for what is required, or a project of ours whose binary name
 * the distro already uses for another project — follow `conflict-policy`: `build` ours (recorded),
 * or `fail` (the project and everything needing it are blocked, with the reason).
 *
 * Decisions only move from distro to ours as specifiers accumulate, so the walk terminates.
 */
import pep440 from '@renovatebot/pep440';
import { errorOutcome, Py2DistroError, type ErrorCode } from '../../lib/errors.js';
import type { Target } from '../../distro/targets.js';
import type { DistroArchive, DistroProvision } from './distro-archive.js';
import { parseDependency, type Requirement as DependencySpec } from '../../python/pep508.js';
import { normalizeName } from '../../python/requirement.js';
import type { Manifest, ManifestEntry } from './manifest.js';

/** A release chosen on the index, fetched and verified, with what its metadata requires. */
export interface ResolvedSdist {
  name: string;
  version: string;
  sha256: string;
  /** Requires-Dist as PEP 508 strings (markers included). */
  requiresDist: string[];
  /** The Python side of what building it needs (python/build-requirements.ts: build-system, backend, setup_requires). */
  buildRequires: string[];
  signature: { status: string; signer?: string; attestedBy?: string };
  /** The Debian binary package name we would give it (deb targets), for name-clash checks. */
  binaryName?: string;
  /** Opaque to the closure: whatever the backend needs to render and build it later. */
  handle: unknown;
}

export interface ClosureRequest {
  /** Normalised name; undefined for a local sdist path. */
  name?: string;
  requirement: string;
  /** All specifiers required of this project so far, joined with ','. */
  specifier: string;
  hashes: string[];
}

export interface ClosureBackend {
  resolve(request: ClosureRequest, target: Target): Promise<ResolvedSdist>;
  /**
   * A hint: `resolve` will probably be asked this soon. May start its side-effect-free reads
   * (index pages, signatures, kept verdicts) now; must decide, record and report nothing.
   */
  prefetch?(request: ClosureRequest, target: Target): void;
  /** PEP 508 marker for the target's Python and platform, with the extras being installed. */
  evaluateMarker(marker: string, target: Target, extras: string[]): boolean;
}

export type ConflictKind = 'distro-too-old' | 'name-clash' | 'distro-version-unknown';

export interface Conflict {
  kind: ConflictKind;
  project: string;
  required: string;
  distro?: DistroProvision;
  /** For name clashes: the distro's project that owns the binary name. */
  owner?: string;
  decision: 'build' | 'fail';
  requiredBy: string[];
}

export interface DistroDependency {
  project: string;
  provision: DistroProvision;
  specifier: string;
}

export interface ClosureNode {
  name: string;
  version: string;
  sha256: string;
  sdist: ResolvedSdist;
  root: boolean;
  extras: string[];
  requiredBy: string[];
  /** Projects of ours needed at runtime or at build time (the plan's edges). */
  deps: string[];
  distroDeps: DistroDependency[];
  /** Set when this project cannot be built; dependents are blocked too. */
  blocked?: { code: ErrorCode; message: string };
}

export interface Closure {
  target: string;
  nodes: Map<string, ClosureNode>;
  conflicts: Conflict[];
  /** Manifest entries whose marker excludes this target. */
  excluded: { requirement: string; source: string; marker: string }[];
}

interface Want {
  specifiers: Set<string>;
  extras: Set<string>;
  requiredBy: Set<string>;
  hashes: string[];
  root?: ManifestEntry;
  buildOnly: boolean;
}

export async function computeClosure(opts: {
  manifest: Manifest; target: Target; archive: DistroArchive; backend: ClosureBackend; conflictPolicy: 'build' | 'fail';
  /**
   * `build`: of the requested projects only what building them needs is followed (their runtime
   * dependencies are the distro's or the user's business); what those build requirements need
   * at runtime is followed too, since they are installed for the build.
   */
  rootsBuildOnly?: boolean;
}): Promise<Closure> {
  const { manifest, target, archive, backend, conflictPolicy } = opts;
  const closure: Closure = { target: target.name, nodes: new Map(), conflicts: [], excluded: [] };
  const { wants, queue, want, excluded } = rootWants(manifest, target, backend);
  closure.excluded = excluded;
  const edges = new Map<string, Map<string, 'run' | 'build'>>(); // parent → dependency → why
  const jointSpecifier = (name: string) => jointSpecifierOf(manifest, want(name), name);
  const hashMode = hashModeOf(manifest);

  // Asked ahead (backend.prefetch) when a project is queued: the request the walk below will make
  // for it if nothing changes before its turn. A hint only: the walk decides as it always did.
  const warm = (name: string): void => {
    if (!backend.prefetch) return;
    const w = want(name);
    const spec = jointSpecifier(name);
    if (!w.root) {
      const provision = archive.lookup(name);
      if (provision && (conflictPolicy === 'fail' || (w.buildOnly && !provision.upstream) || (provision.upstream && (!spec || pep440.satisfies(provision.upstream, spec))))) return;
    }
    if (hashMode && !w.hashes.length) return;
    const existing = closure.nodes.get(name)?.sdist;
    if (existing?.version && (!spec || pep440.satisfies(existing.version, spec))) return;
    backend.prefetch(requestOf(name, w, spec), target);
  };
  queue.forEach(warm);

  const processed = new Map<string, string>(); // name → signature of inputs last processed
  let guard = 0;
  while (queue.length) {
    if (++guard > 100_000) throw new Py2DistroError('E_DEPENDENCY', 'dependency walk did not settle');
    const name = queue.shift()!;
    const w = want(name);
    const spec = jointSpecifier(name);
    const signature = `${spec}|${[...w.extras].sort().join(',')}`;
    if (processed.get(name) === signature) continue;
    processed.set(name, signature);

    if (!w.root && decideDistro(name, spec, w, archive, conflictPolicy, closure)) continue;

    // pip's hash-checking mode: once any requirement carries --hash, every project of the closure
    // (dependencies included) must be pinned by hash, or it is refused, not fetched unpinned.
    if (hashMode && !w.hashes.length) {
      closure.nodes.set(name, {
        ...emptyNode(name, w),
        blocked: {
          code: 'E_HASH_MISSING',
          message: `${name}${spec} (required by ${[...w.requiredBy].sort().join(', ')}) has no --hash in the requirements files, and hash-checking mode applies to the whole closure (as pip's): list it with --hash=sha256:…`,
        },
      });
      continue;
    }
    const existing = closure.nodes.get(name);
    let sdist = existing?.sdist;
    if (!sdist || (spec && !pep440.satisfies(sdist.version, spec))) {
      try {
        sdist = await backend.resolve(requestOf(name, w, spec), target);
      } catch (err) {
        closure.nodes.set(name, blockedNode(name, w, err));
        continue;
      }
    }
    if (w.root && !w.root.name && sdist.name !== name) {
      // A local sdist: from now on it is known by its project name.
      wants.set(sdist.name, w);
      wants.delete(name);
      processed.set(sdist.name, signature);
    }
    const node: ClosureNode = {
      name: sdist.name, version: sdist.version, sha256: sdist.sha256, sdist, root: Boolean(w.root),
      extras: [...w.extras].sort(), requiredBy: [...w.requiredBy].sort(), deps: [], distroDeps: [],
    };
    closure.nodes.set(sdist.name, node);
    checkNameClash(node, w, archive, conflictPolicy, closure);
    const children = new Map<string, 'run' | 'build'>();
    edges.set(sdist.name, children);
    const requests: { text: string; build: boolean }[] = [
      ...(opts.rootsBuildOnly && node.root ? [] : sdist.requiresDist.map((text) => ({ text, build: false }))),
      ...sdist.buildRequires.map((text) => ({ text, build: true })),
    ];
    for (const { text, build } of requests) {
      let dep: DependencySpec;
      try {
        dep = parseDependency(text);
      } catch (err) {
        node.blocked = { code: 'E_DEPENDENCY', message: `${sdist.name} ${sdist.version} requires ${JSON.stringify(text)}: ${(err as Error).message}` };
        continue;
      }
      if (dep.marker && !backend.evaluateMarker(dep.marker, target, node.extras)) continue;
      if (dep.url) {
        node.blocked = { code: 'E_DEPENDENCY', message: `${sdist.name} ${sdist.version} requires ${dep.name} from a direct URL (${dep.url}), which cannot be resolved on an index` };
        continue;
      }
      const dw = want(dep.normalizedName);
      if (dep.specifier) dw.specifiers.add(dep.specifier);
      dep.extras.forEach((e) => dw.extras.add(normalizeName(e)));
      dw.requiredBy.add(sdist.name);
      if (!build) dw.buildOnly = false;
      if (children.get(dep.normalizedName) !== 'run') children.set(dep.normalizedName, build ? 'build' : 'run');
      queue.push(dep.normalizedName);
      warm(dep.normalizedName);
    }
  }

  // Edges become either dependencies on our nodes or on distro packages, by the final decisions.
  for (const [parent, children] of edges) {
    const node = closure.nodes.get(parent);
    if (!node) continue;
    for (const [child, why] of children) {
      if (closure.nodes.has(child)) node.deps.push(child);
      else {
        const provision = archive.lookup(child);
        // Build tools from the distro are the builder image's business; only runtime ones are reported.
        if (provision && why === 'build') continue;
        if (provision) node.distroDeps.push({ project: child, provision, specifier: jointSpecifier(child) });
        else node.blocked ??= { code: 'E_DEPENDENCY', message: `${parent} needs ${child}, which is neither in the distro nor buildable` };
      }
    }
    node.deps.sort();
  }
  return closure;
}

function newWant(): Want {
  return { specifiers: new Set(), extras: new Set(), requiredBy: new Set(), hashes: [], buildOnly: true };
}

/** What the manifest asks for on this target: a want per root (markers applied), in manifest order. */
function rootWants(manifest: Manifest, target: Target, backend: ClosureBackend) {
  const wants = new Map<string, Want>();
  const queue: string[] = [];
  const excluded: Closure['excluded'] = [];
  const want = (name: string): Want => {
    let w = wants.get(name);
    if (!w) wants.set(name, (w = newWant()));
    return w;
  };
  for (const entry of manifest.entries) {
    if (entry.marker && !backend.evaluateMarker(entry.marker, target, [])) {
      excluded.push({ requirement: entry.requirement, source: entry.source, marker: entry.marker });
      continue;
    }
    const key = entry.name ?? entry.requirement; // a local sdist is keyed by its path until resolved
    const w = want(key);
    w.root = entry;
    w.buildOnly = false;
    if (entry.specifier) w.specifiers.add(entry.specifier);
    entry.extras.forEach((e) => w.extras.add(e));
    w.requiredBy.add(entry.source);
    w.hashes.push(...entry.hashes);
    queue.push(key);
  }
  return { wants, queue, want, excluded };
}

/** Every specifier asked of `name` so far, with the constraints files' (pip's -c). */
function jointSpecifierOf(manifest: Manifest, w: Want, name: string): string {
  const all = [...w.specifiers, ...(manifest.constraints.get(name) ?? []).map((c) => c.specifier)];
  return all.filter(Boolean).join(',');
}

function hashModeOf(manifest: Manifest): boolean {
  return manifest.entries.some((e) => e.hashes.length > 0);
}

function requestOf(name: string, w: Want, spec: string): ClosureRequest {
  return { name: w.root?.name ?? (w.root ? undefined : name), requirement: w.root?.requirement ?? name, specifier: spec, hashes: w.hashes };
}

/**
 * Asks the backend ahead for the manifest's own projects — what the walk resolves first — before
 * the distro archive is known (roots never come from the distro), so that the index answers while
 * the builder image is checked. A hint only, as in {@link computeClosure}.
 */
export function prefetchRoots(manifest: Manifest, target: Target, backend: ClosureBackend): void {
  if (!backend.prefetch) return;
  const { wants, queue } = rootWants(manifest, target, backend);
  const hashMode = hashModeOf(manifest);
  for (const key of queue) {
    const w = wants.get(key)!;
    if (hashMode && !w.hashes.length) continue;
    backend.prefetch(requestOf(key, w, jointSpecifierOf(manifest, w, key)), target);
  }
}

/** True when the distro provides `name` acceptably (or the policy says to fail rather than build). */
function decideDistro(name: string, spec: string, w: Want, archive: DistroArchive, policy: 'build' | 'fail', closure: Closure): boolean {
  const provision = archive.lookup(name);
  if (!provision) return false;
  if (provision.upstream && (!spec || pep440.satisfies(provision.upstream, spec))) return true;
  // A build tool whose version the distro does not say: the build will tell.
  if (w.buildOnly && !provision.upstream) return true;
  const kind: ConflictKind = provision.upstream ? 'distro-too-old' : 'distro-version-unknown';
  closure.conflicts = closure.conflicts.filter((c) => c.project !== name);
  closure.conflicts.push({ kind, project: name, required: spec, distro: provision, decision: policy, requiredBy: [...w.requiredBy].sort() });
  if (policy === 'build') return false;
  const message = `${name}${spec} is required by ${[...w.requiredBy].join(', ')}, but ${archive.data.target} has ${provision.binary} ${provision.distroVersion} (conflict-policy: fail)`;
  closure.nodes.set(name, { ...emptyNode(name, w), blocked: { code: 'E_DEPENDENCY', message } });
  return true;
}

function checkNameClash(node: ClosureNode, w: Want, archive: DistroArchive, policy: 'build' | 'fail', closure: Closure): void {
  const clash = archive.clashFor(node.name, node.sdist.binaryName ?? archive.debianBinaryFor(node.name));
  if (!clash) return;
  closure.conflicts.push({ kind: 'name-clash', project: node.name, required: node.version, owner: clash.owner, decision: policy, requiredBy: [...w.requiredBy].sort() });
  if (policy === 'fail') {
    node.blocked = { code: 'E_DEPENDENCY', message: `${node.name} would be packaged as ${clash.binary}, which ${archive.data.target} uses for ${clash.owner} (conflict-policy: fail)` };
  }
}

function emptyNode(name: string, w: Want): ClosureNode {
  const sdist: ResolvedSdist = { name, version: '', sha256: '', requiresDist: [], buildRequires: [], signature: { status: 'not-checked' }, handle: undefined };
  return { name, version: '', sha256: '', sdist, root: Boolean(w.root), extras: [...w.extras], requiredBy: [...w.requiredBy].sort(), deps: [], distroDeps: [] };
}

function blockedNode(name: string, w: Want, err: unknown): ClosureNode {
  const blocked = err instanceof Py2DistroError ? errorOutcome(err) : { code: 'E_DEPENDENCY' as const, message: err instanceof Error ? err.message : String(err) };
  return { ...emptyNode(name, w), blocked };
}
