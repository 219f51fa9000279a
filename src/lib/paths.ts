/**
 * Where py2distro's own files are (templates/, docker/, schema/, package.json): the package root,
 * found from this module's location so that it holds for `src/` under tsx and for `dist/` alike.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<root>/src/lib/paths.ts` and `<root>/dist/lib/paths.js` are both two levels below the root. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function packagePath(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}

/** A `.`/`..`/empty segment or a trailing slash: what path.resolve would rewrite in an absolute path. */
const NOT_NORMAL = /\/(?:\.\.?)?(?:\/|$)/;

/**
 * path.resolve(file), without its cost for a path that is already absolute and normal (the
 * thousands of inputs of a publish usually are): then it is returned as it is.
 */
export function absolutePath(file: string): string {
  return file.startsWith('/') && !NOT_NORMAL.test(file) ? file : path.resolve(file);
}
