/**
 * The build key: a build's output is a function of exactly these inputs, so equal keys mean the
 * published package is still right and nothing needs to run. Anything that changes what a build
 * produces must be in here — and nothing that doesn't (times, paths of temp dirs), or every sync
 * would rebuild everything.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../../lib/json.js';

export interface BuildKeyInput {
  /** sha256 of the verified sdist. */
  sdistSha256: string;
  /** {@link digestTree} of the rendered packaging (debian/ or the .spec), at the base revision. */
  packagingDigest: string;
  /** The builder image's id (a changed toolchain rebuilds everything built with it). */
  imageId: string;
  /** py2distro's own version. */
  toolVersion: string;
  target: string;
  /** Options that change the output (extras, templates digest, maintainer, …), as plain data. */
  options: Record<string, unknown>;
  /** Versions of our own packages this one depends on: a new dependency version rebuilds it. */
  dependencyVersions: Record<string, string>;
}

export { canonicalJson };

export function buildKey(input: BuildKeyInput): string {
  return createHash('sha256').update(`py2distro-build-key/1\n${canonicalJson(input)}`).digest('hex');
}

/**
 * sha256 over a directory's files: sorted relative paths, each with its mode's executable bit and
 * content. `exclude` drops entries by relative path (e.g. the upstream tree, already covered by
 * the sdist's sha256).
 */
export async function digestTree(dir: string, exclude: (rel: string) => boolean = () => false): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (exclude(r)) continue;
      if (e.isDirectory()) await walk(r);
      else if (e.isFile()) {
        const content = await readFile(path.join(dir, r));
        hash.update(`${r}\0${content.length}\0`).update(content);
      } else if (e.isSymbolicLink()) {
        hash.update(`${r}\0symlink\0`);
      }
    }
  };
  await walk('');
  return hash.digest('hex');
}

/** Digest of in-memory rendered files (path → content), for backends that render to memory. */
export function digestFiles(files: Record<string, string | Buffer>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(files).sort()) {
    const content = Buffer.from(files[name]);
    hash.update(`${name}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}
