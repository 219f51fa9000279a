/**
 * What the built package declares about itself: the dist-info METADATA (or, for setuptools'
 * legacy install, egg-info PKG-INFO + requires.txt) that the builder script extracted from the
 * binary package. A setup.py-only sdist states little; after the build the backend has computed
 * everything, so the fields the sdist left unknown or dynamic are filled from here and recorded in
 * the provenance (`provenance.build`).
 */
import { readFile } from 'node:fs/promises';
import type { SdistMetadata } from '../../python/metadata.js';
import { all, first, parseCoreMetadata, parseRequiresTxt } from '../../python/pkginfo.js';

export interface BuiltPackageMetadata {
  /** Where it was read: the wheel-style dist-info, or setuptools' egg-info. */
  source: 'dist-info' | 'egg-info';
  name?: string;
  version?: string;
  summary?: string;
  license?: string;
  requiresPython?: string;
  requiresDist: string[];
  providesExtra: string[];
}

export function parseBuiltMetadata(metadataText: string, requiresTxt?: string): BuiltPackageMetadata {
  const fields = parseCoreMetadata(metadataText);
  const fromEgg = requiresTxt !== undefined;
  const requiresDist = all(fields, 'requires-dist');
  return {
    source: fromEgg ? 'egg-info' : 'dist-info',
    name: first(fields, 'name'),
    version: first(fields, 'version'),
    summary: first(fields, 'summary'),
    license: first(fields, 'license-expression') ?? first(fields, 'license'),
    requiresPython: first(fields, 'requires-python'),
    // PKG-INFO in egg-info carries no Requires-Dist; requires.txt holds them.
    requiresDist: requiresDist.length || !fromEgg ? requiresDist : parseRequiresTxt(requiresTxt ?? ''),
    providesExtra: all(fields, 'provides-extra'),
  };
}

/** Read `package-METADATA` (+ `package-requires.txt`) from the container's out dir, if present. */
export async function readBuiltMetadata(metadataFile: string, requiresFile: string): Promise<BuiltPackageMetadata | undefined> {
  const text = await readFile(metadataFile, 'utf8').catch(() => '');
  if (!text.trim()) return undefined;
  const requires = await readFile(requiresFile, 'utf8').catch(() => undefined);
  return parseBuiltMetadata(text, requires?.trim() ? requires : undefined);
}

const FIELD_VALUE: Record<string, (m: BuiltPackageMetadata) => unknown> = {
  'requires-dist': (m) => m.requiresDist,
  'provides-extra': (m) => m.providesExtra,
  'requires-python': (m) => m.requiresPython,
  summary: (m) => m.summary,
  license: (m) => m.license,
  version: (m) => m.version,
};

/**
 * The fields the sdist did not state (unknown) or left to the backend (dynamic), with the values the
 * built package declares. Only fields the built metadata actually has are returned.
 */
export function filledFields(sdist: Pick<SdistMetadata, 'unknown' | 'dynamic'>, built: BuiltPackageMetadata): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of new Set([...sdist.unknown, ...sdist.dynamic].map((f) => f.toLowerCase()))) {
    const value = FIELD_VALUE[field]?.(built);
    if (value !== undefined) out[field] = value;
  }
  return out;
}
