/**
 * The fetch run: resolve → fetch → verify each requirement, and optionally place each verified file
 * with its provenance record in an output directory (a reader never sees half a file).
 */
import path from 'node:path';
import { placeInOutDir } from '../lib/fs/out-dir.js';
import { fetchSdist, type FetchedSdist, type FetchOptions } from '../stages/fetch/index.js';
import { withWorkDir, type RunEnv } from './run-env.js';
import { runSteps } from './steps.js';

export interface FetchRunOptions {
  requirements: string[];
  fetch: FetchOptions;
  /** Copy verified sdists and their provenance records here. */
  outDir?: string;
}

export interface FetchRunItem {
  fetched: FetchedSdist;
  out?: { file: string; provenance: string };
}

/** One line on what vouched for a file: the signer and/or the attesting publisher, or why nothing did. */
export function describeSignature(f: FetchedSdist | { provenance: Pick<FetchedSdist['provenance'], 'signature' | 'attestation'> }): string {
  const s = f.provenance.signature;
  const a = f.provenance.attestation;
  const parts: string[] = [];
  if (s.status === 'verified') parts.push(`signed by ${s.signer}`);
  if (a) parts.push(`attested by ${a.publisher}${a.status === 'unpinned' ? ' (publisher not pinned)' : ''}`);
  if (parts.length) return parts.join(', ');
  if (s.status === 'unsigned') return 'unsigned';
  return 'signature not checked (--signature-policy off)';
}

export async function runFetch(opts: FetchRunOptions, env: RunEnv): Promise<FetchRunItem[]> {
  const results: FetchRunItem[] = [];
  await withWorkDir(env, 'fetch', (stage) =>
    runSteps(
      opts.requirements.map((req) => ({
        title: `fetch ${req}`,
        async run(_c: object, report: (t: string) => void) {
          const fetched = await fetchSdist(req, opts.fetch, stage);
          report(`${fetched.filename}: ${describeSignature(fetched)}`);
          const out = opts.outDir ? await placeVerified(fetched, path.resolve(opts.outDir)) : undefined;
          results.push({ fetched, ...(out ? { out } : {}) });
        },
      })),
      {},
      { json: Boolean(env.json), verbose: env.verbose },
    ),
  );
  return results;
}

async function placeVerified(f: FetchedSdist, dir: string): Promise<{ file: string; provenance: string }> {
  const [file, provenance] = await placeInOutDir(path.dirname(f.path), [
    { name: path.basename(f.path), as: f.filename },
    { name: `${f.filename}.provenance.json`, content: JSON.stringify(f.provenance, null, 2) + '\n' },
  ], dir);
  return { file: file!, provenance: provenance! };
}
