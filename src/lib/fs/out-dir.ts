/**
 * Putting outputs (build artifacts, fetched sdists, provenance records) into --out so that no reader (and no Ctrl-C) ever sees half a file: every
 * file is first written into a hidden temp dir inside --out (same filesystem), then renamed into
 * place; rename(2) is atomic. The temp dir is removed whatever happens.
 */
import { copyFile, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Py2DistroError } from '../errors.js';

/** A file name in `fromDir` (optionally renamed with `as`), or generated content. */
export type OutputFile = string | { name: string; as?: string } | { name: string; content: string };

export async function placeInOutDir(fromDir: string | undefined, files: readonly OutputFile[], outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  const tmp = await mkdtemp(path.join(outDir, '.py2distro-partial-'));
  try {
    const staged: string[] = [];
    for (const f of files) {
      const entry = typeof f === 'string' ? { name: f } : f;
      const dest = 'as' in entry && entry.as ? entry.as : entry.name;
      if (dest.includes('/') || dest.startsWith('.')) {
        // Names can come from an index (fetch --out): refuse what would escape or hide in --out.
        throw new Py2DistroError('E_NAME_INVALID', `refusing to write ${JSON.stringify(dest)} into ${outDir}`);
      }
      if ('content' in entry) await writeFile(path.join(tmp, dest), entry.content);
      else await copyFile(path.join(fromDir ?? '.', entry.name), path.join(tmp, dest));
      staged.push(dest);
    }
    const out: string[] = [];
    for (const name of staged) {
      await rename(path.join(tmp, name), path.join(outDir, name));
      out.push(path.resolve(outDir, name));
    }
    return out;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
