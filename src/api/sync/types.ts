/**
 * The contract between the sync orchestrator (run.ts, wave.ts) and the stages it drives: a
 * {@link SyncBackend} does the real work (backend.ts) or a fake one does it in unit tests. On its
 * own so that run.ts and wave.ts both depend on it and not on each other.
 */
import type { Target } from '../../distro/targets.js';
import type { ClosureBackend, ClosureNode } from './closure.js';
import type { RunInImage } from './distro-archive.js';
import type { DistroFacts } from '../../stages/render/index.js';

export interface RenderedPackaging {
  /** Digest of the rendered packaging (see buildkey.digestTree). */
  digest: string;
  /** The distro version this rendering produces (`1.2-1`). */
  packageVersion: string;
  /** Backend-specific handle passed back to build (e.g. the rendered directory). */
  handle: unknown;
  /** Known from a kept earlier rendering (nothing written): render again with `fresh` to build. */
  fromCache?: boolean;
}

export interface SyncBackend extends ClosureBackend {
  /** The target's builder image, built when missing. Must not start a container when it exists. */
  image(target: Target): Promise<{ ref: string; id: string }>;
  /** Runs one throwaway container (used to read the distro archive index). */
  runInImage: RunInImage;
  /** `distro`: the target archive's names and versions (deb targets), so a project the distro ships keeps its name. */
  render(req: { node: ClosureNode; target: Target; revision: number; dependencies: ClosureNode[]; workDir: string; distro?: DistroFacts; fresh?: boolean }): Promise<RenderedPackaging>;
  /** Build in a container; `localPackages` are our package files the build may install. */
  build(req: {
    node: ClosureNode; target: Target; rendered: RenderedPackaging; image: string; localPackages: string[]; outDir: string; logPath: string;
  }): Promise<{ files: string[] }>;
  /**
   * Publish (sign, index, prune by retention) package files for a target. Returns where each input
   * file now is, relative to the repository (unchanged re-publications included), and what was pruned.
   */
  publish(req: { target: Target; files: string[] }): Promise<{ published: { input: string; path: string }[]; pruned: string[] }>;
  /** Absolute path of a published file (a repository-relative path from {@link publish}). */
  publishedPath(target: Target, repoPath: string): string;
}
