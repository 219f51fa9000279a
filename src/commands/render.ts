/**
 * `py2distro render <requirement|sdist> --target T --out DIR`: fetch and verify the sdist (or take a
 * local one, still hashed and signature-checked), then write packaging sources for the target:
 * the unpacked tree with debian/ and the .orig tarball, or the .spec with its sources.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { Py2DistroError } from '../errors.js';
import type { FetchedSdist } from '../fetch.js';
import type { RenderResult } from '../render.js';
import { getTarget } from '../targets.js';
import { collect, createContext, positiveInt } from './context.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from './fetch-options.js';
import { addRenderOptions } from './shared-options.js';

interface RenderFlags extends FetchFlags {
  target: string[];
  out?: string;
  templates?: string;
  maintainer?: string;
  extra?: string[];
  runTests?: boolean;
  revision?: number;
}

export function register(program: Command): void {
  const cmd = program
    .command('render')
    .description('write packaging sources (debian/ tree + .orig tarball, or .spec + sources) for an sdist, without building')
    .argument('<requirement>', 'name, name==1.2, "name>=1,<2", or a path to a local .tar.gz/.zip sdist')
    .option('--target <target>', 'target to render for (deb = debian-bookworm, rpm = fedora-41); repeatable', collect)
    .option('--out <dir>', 'output directory (default: config "out", else ./py2distro-out)')
    .option('--revision <n>', 'Debian revision / RPM release (default 1)', positiveInt);
  addRenderOptions(cmd);
  addFetchOptions(cmd);
  cmd.action(async (requirement: string, flags: RenderFlags, self: Command) => {
    // Stage modules load here, not at start-up: `--help`, `--version` and other commands never need them.
    const [{ fetchSdist }, { runSteps }, { renderPackaging }] = await Promise.all([import('../fetch.js'), import('../progress.js'), import('../render.js')]);
    const ctx = await createContext(self);
    const targetNames = flags.target?.length ? flags.target : ctx.config.targets ?? [];
    if (!targetNames.length) throw new Py2DistroError('E_USAGE', 'render needs --target (e.g. --target deb or --target rpm)');
    const targets = targetNames.map((t) => getTarget(t));
    const outDir = path.resolve(flags.out ?? ctx.config.out ?? 'py2distro-out');
    const opts = fetchOptionsFrom(flags, ctx.config);
    // requires-python is checked per target Python, so el9 (3.9) may get an older release than trixie.
    const pythons = [...new Set(targets.map((t) => t.python.fullVersion))];
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'py2distro-render-'));
    const env = { log: ctx.log, signal: ctx.signal, workDir, cacheDir: ctx.cacheDir };
    const results: RenderResult[] = [];
    const sdists = new Map<string, FetchedSdist>();
    try {
      await runSteps(
        [
          ...pythons.map((python) => ({
            title: `fetch ${requirement}${pythons.length > 1 ? ` for Python ${python}` : ''}`,
            async run(_c: object, report: (t: string) => void) {
              const sdist = await fetchSdist(requirement, { ...opts, pythonVersion: python }, env);
              sdists.set(python, sdist);
              report(`${sdist.filename} (${sdist.provenance.signature.status})`);
            },
          })),
          ...targets.map((t) => ({
            title: `render for ${t.name}`,
            async run(_c: object, report: (t: string) => void) {
              const sdist = sdists.get(t.python.fullVersion)!;
              const r = await renderPackaging(
                {
                  sdistPath: sdist.path,
                  provenance: sdist.provenance,
                  target: t.name,
                  outDir: targets.length > 1 ? path.join(outDir, t.name) : outDir,
                  templatesDir: flags.templates ?? ctx.config.templates,
                  maintainer: flags.maintainer ?? ctx.config.maintainer,
                  extras: flags.extra ?? ctx.config.extras?.[sdist.name] ?? [],
                  runTests: Boolean(flags.runTests),
                  revision: flags.revision,
                },
                env,
              );
              for (const u of r.unmetRequirements) ctx.log.warn(`${t.name}: ${u}`);
              report(`${r.sourcePackage} ${r.distroVersion} (${r.arch})`);
              results.push(r);
            },
          })),
        ],
        {},
        { json: ctx.json, verbose: ctx.verbose },
      );
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
    ctx.print(
      { ok: true, results: results.map(({ metadata, ...r }) => ({ ...r, project: metadata.name, unknownMetadata: metadata.unknown })) },
      () =>
        results
          .map((r) => {
            const where = r.deb ? `${r.deb.sourceDir}\n  orig ${r.deb.origTarball}` : `${r.rpm!.specFile}\n  source ${r.rpm!.sourceTarball}`;
            const unmet = r.unmetRequirements.length ? `\n  unmet on ${r.target}:\n    ${r.unmetRequirements.join('\n    ')}` : '';
            return `${r.target}: ${r.sourcePackage} ${r.distroVersion} (${r.binaryPackages.join(', ')}, ${r.arch})\n  ${where}${unmet}`;
          })
          .join('\n'),
    );
  });
}
