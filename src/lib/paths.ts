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
