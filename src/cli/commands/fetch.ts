/**
 * `py2distro fetch <requirement>...`: choose, download and verify sdists (api/fetch.ts); copy the
 * verified files and their provenance records into --out; print what was verified.
 */
import type { Command } from '../commander.js';
import { createContext } from '../context.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from '../options/fetch.js';

interface FetchCommandFlags extends FetchFlags {
  out?: string;
  pythonVersion?: string;
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
    // The run loads here, not at start-up: `--help`, `--version` and other commands never need it.
    const { runFetch, describeSignature } = await import('../../api/fetch.js');
    const ctx = await createContext(self);
    const results = await runFetch(
      { requirements, fetch: fetchOptionsFrom(flags, ctx.config, { pythonVersion: flags.pythonVersion }), outDir: flags.out ?? ctx.config.out },
      ctx,
    );
    ctx.print(
      {
        ok: true,
        files: results.map(({ fetched: f, out }) => ({
          name: f.name, version: f.version, filename: f.filename, sha256: f.sha256, path: f.path,
          ...(out ? { out: out.file, provenanceFile: out.provenance } : {}),
          signature: f.provenance.signature, provenance: f.provenance,
        })),
      },
      () =>
        results
          .map(({ fetched: f, out }) => `${f.filename}\n  sha256 ${f.sha256}\n  ${describeSignature(f)}\n  ${out ? `-> ${out.file}` : `cached at ${f.path}`}`)
          .join('\n'),
    );
  });
}
