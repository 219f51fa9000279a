/**
 * The metadata model of a Python source distribution, as py2distro's stages exchange it: what the
 * inspect stage read from PKG-INFO, egg-info, pyproject.toml and setup.cfg (stages/inspect/), and
 * what render and the distro mappings consume.
 */
import type { Requirement } from './pep508.js';

export type { Requirement } from './pep508.js';

export interface Person { name?: string; email?: string }

export interface SdistMetadata {
  metadataVersion?: string;
  name: string;
  normalizedName: string;
  version: string;
  summary?: string;
  description?: string;
  descriptionContentType?: string;
  /** License field (may be a full text) and PEP 639 License-Expression. */
  license?: string;
  licenseExpression?: string;
  /** License files found in the sdist (relative paths). */
  licenseFiles: string[];
  authors: Person[];
  maintainers: Person[];
  homepage?: string;
  projectUrls: Record<string, string>;
  classifiers: string[];
  requiresDist: Requirement[];
  providesExtra: string[];
  requiresPython?: string;
  consoleScripts: Record<string, string>;
  guiScripts: Record<string, string>;
  buildSystem: { requires: Requirement[]; backend?: string; declared: boolean };
  /** `setup_requires` of setup.py / setup.cfg, read statically (python/build-requirements.ts). */
  setupRequires: Requirement[];
  /** Rust sources: the Cargo.toml and its Cargo.lock (relative paths), when the sdist has them. */
  rust?: { manifest: string; lock?: string; hasDependencies: boolean };
  /** Fields the backend computes at build time (Dynamic / pyproject dynamic), core-metadata names. */
  dynamic: string[];
  /** Fields this sdist does not state at all (setup.py-only projects): filled later from the wheel. */
  unknown: string[];
  /** Top-level import packages/modules, best known first. */
  importNames: string[];
  /** True when the sources build compiled extensions (Architecture: any). */
  hasExtensions: boolean;
  /** Which files the model was read from, relative to the top directory. */
  sources: string[];
  /** The archive's top-level directory name. */
  topDir: string;
  /** Newest entry mtime in the archive (seconds): SOURCE_DATE_EPOCH. */
  sourceDateEpoch: number;
}
