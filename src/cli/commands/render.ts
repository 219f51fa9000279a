/**
 * `py2distro render <requirement|sdist> --target T --out DIR`: fetch and verify the sdist (or take a
 * local one, still hashed and signature-checked), then write packaging sources for each target
 * (api/render.ts): the unpacked tree with debian/ and the .orig tarball, or the .spec with its sources.
 */
import path from 'node:path';
import type { Command } from '../commander.js';
import { Py2DistroError } from '../../lib/errors.js';
import type { RenderResult } from '../../stages/render/index.js';
import { getTarget } from '../../distro/targets.js';
import { collect, createContext, positiveInt } from '../context.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from '../options/fetch.js';
import { addRenderOptions, renderSettingsFrom, type RenderFlags as SharedRenderFlags } from '../options/shared.js';

interface RenderFlags extends FetchFlags, SharedRenderFlags {
  target: string[];
  out?: string;
  revision?: number;
}

function describe(r: RenderResult): string {
  const where = r.family === 'deb' ? `${r.deb.sourceDir}\n  orig ${r.deb.origTarball}` : `${r.rpm.specFile}\n  source ${r.rpm.sourceTarball}`;
  const unmet = r.unmetRequirements.length ? `\n  unmet on ${r.target}:\n    ${r.unmetRequirements.join('\n    ')}` : '';
  return `${r.target}: ${r.sourcePackage} ${r.distroVersion} (${r.binaryPackages.join(', ')}, ${r.arch})\n  ${where}${unmet}`;
}

export function register(program: Command): void {
  const cmd = program
    .command('render')
    .description('write packaging sources (debian/ tree + .orig tarball, or .spec + sources) for an sdist, without building')
    .argument('<requirement>', 'name, name==1.2, "name>=1,<2", or a path to a local .tar.gz/.zip sdist')
    .option('--target <target>', 'target to render for (deb = debian-trixie, rpm = fedora-41); repeatable', collect)
    .option('--out <dir>', 'output directory (default: config "out", else ./py2distro-out)')
    .option('--revision <n>', 'Debian revision / RPM release (default 1)', positiveInt);
  addRenderOptions(cmd);
  addFetchOptions(cmd);
  cmd.action(async (requirement: string, flags: RenderFlags, self: Command) => {
    // The run loads here, not at start-up: `--help`, `--version` and other commands never need it.
    const { runRender } = await import('../../api/render.js');
    const ctx = await createContext(self);
    const targetNames = flags.target?.length ? flags.target : ctx.config.targets ?? [];
    if (!targetNames.length) throw new Py2DistroError('E_USAGE', 'render needs --target (e.g. --target deb or --target rpm)');
    const results = await runRender(
      {
        requirement,
        targets: targetNames.map((t) => getTarget(t)),
        fetch: fetchOptionsFrom(flags, ctx.config),
        render: { ...renderSettingsFrom(flags, ctx.config), revision: flags.revision },
        outDir: path.resolve(flags.out ?? ctx.config.out ?? 'py2distro-out'),
      },
      ctx,
    );
    ctx.print(
      { ok: true, results: results.map(({ metadata, ...r }) => ({ ...r, project: metadata.name, unknownMetadata: metadata.unknown })) },
      () => results.map(describe).join('\n'),
    );
  });
}
