/**
 * `py2distro fetch <requirement>...`: choose, download and verify sdists; copy the verified files
 * (and their provenance records) into --out; print what was verified.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import type { FetchedSdist } from '../fetch.js';
import { publishFiles } from '../out-dir.js';
import { createContext } from './context.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from './fetch-options.js';

interface FetchCommandFlags extends FetchFlags {
  out?: string;
  pythonVersion?: string;
}

/** Copies a verified file and its provenance record into `dir`; a reader never sees half a file. */
async function publishVerified(src: string, dir: string, filename: string, provenance: unknown): Promise<{ file: string; provenance: string }> {
  const [file, prov] = await publishFiles(path.dirname(src), [
    { name: path.basename(src), as: filename },
    { name: `${filename}.provenance.json`, content: JSON.stringify(provenance, null, 2) + '\n' },
  ], dir);
  return { file: file!, provenance: prov! };
}

export function describeSignature(f: FetchedSdist): string {
  const s = f.provenance.signature;
  if (s.status === 'verified') return `signed by ${s.signer}`;
  if (s.status === 'unsigned') return 'unsigned';
  return 'signature not checked (--signature-policy off)';
}

export function register(program: Command): void {
  const cmd = program
    .command('fetch')
    .description('choose, download and verify sdists (hash, signature, trust) into the cache and --out')
    .argument('<requirement...>', 'name, name==1.2, "name>=1,<2", or a path to a local .tar.gz/.zip sdist')
    .option('--out <dir>', 'copy verified sdists and their provenance records here')
    .option('--python-version <x.y>', "the target's Python, for requires-python (default: not checked)");
  addFetchOptions(cmd);
  cmd.action(async (requirements: string[], flags: FetchCommandFlags, self: Command) => {
    // Stage modules load here, not at start-up: `--help`, `--version` and other commands never need them.
    const [{ fetchSdist }, { runSteps }] = await Promise.all([import('../fetch.js'), import('../progress.js')]);
    const ctx = await createContext(self);
    const opts = fetchOptionsFrom(flags, ctx.config, { pythonVersion: flags.pythonVersion });
    const outDir = flags.out ?? ctx.config.out;
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'py2distro-fetch-'));
    const env = { log: ctx.log, signal: ctx.signal, workDir, cacheDir: ctx.cacheDir };
    const results: { fetched: FetchedSdist; out?: { file: string; provenance: string } }[] = [];
    try {
      await runSteps(
        requirements.map((req) => ({
          title: `fetch ${req}`,
          async run(_c: object, report: (t: string) => void) {
            const fetched = await fetchSdist(req, opts, env);
            report(`${fetched.filename}: ${describeSignature(fetched)}`);
            const out = outDir ? await publishVerified(fetched.path, path.resolve(outDir), fetched.filename, fetched.provenance) : undefined;
            results.push({ fetched, ...(out ? { out } : {}) });
          },
        })),
        {},
        { json: ctx.json, verbose: ctx.verbose },
      );
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    ctx.print(
      {
        ok: true,
        files: results.map(({ fetched: f, out }) => ({
          name: f.name,
          version: f.version,
          filename: f.filename,
          sha256: f.sha256,
          path: f.path,
          ...(out ? { out: out.file, provenanceFile: out.provenance } : {}),
          signature: f.provenance.signature,
          provenance: f.provenance,
        })),
      },
      () =>
        results
          .map(({ fetched: f, out }) => `${f.filename}\n  sha256 ${f.sha256}\n  ${describeSignature(f)}\n  ${out ? `-> ${out.file}` : `cached at ${f.path}`}`)
          .join('\n'),
    );
  });
}
