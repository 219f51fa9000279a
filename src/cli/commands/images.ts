/**
 * `py2distro images build [--target T]...` builds (or confirms) builder images ahead of time;
 * `py2distro images list` shows the builder images present in the engine; `py2distro images prune`
 * removes builder images that an edit of docker/ has made stale.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from '../commander.js';
import type { BuilderImage } from '../../stages/build/index.js';
import { getTarget, TARGETS } from '../../distro/targets.js';
import { collect, createContext } from '../context.js';
import { addEngineOptions, engineChoiceFrom, type EngineFlags } from '../options/shared.js';

interface ImagesBuildFlags extends EngineFlags {
  target?: string[];
  rebuild?: boolean;
}

export function register(program: Command): void {
  const images = program.command('images').description('builder images: build them ahead of time, list them, prune stale ones');

  addEngineOptions(images
    .command('build'))
    .description('build the builder image of each target (reused when its Dockerfile hash tag exists)')
    .option('--target <target>', 'target to build for; repeatable (default: config targets, else every non-test target)', collect)
    .option('--rebuild', 'build even when the tag exists')
    .action(async (flags: ImagesBuildFlags, self: Command) => {
      // Stage modules load here, not at start-up: `--help`, `--version` and other commands never need them.
      const [{ selectEngine }, { ensureImage }, { runSteps }] = await Promise.all([import('../../stages/build/index.js'), import('../../stages/build/index.js'), import('../../api/steps.js')]);
      const ctx = await createContext(self);
      const names = flags.target?.length ? flags.target : ctx.config.targets?.length ? ctx.config.targets : TARGETS.filter((t) => !t.testOnly).map((t) => t.name);
      const targets = [...new Map(names.map((n) => getTarget(n)).map((t) => [t.name, t])).values()];
      const engine = await selectEngine(engineChoiceFrom(flags, ctx.config));
      const workDir = await mkdtemp(path.join(os.tmpdir(), 'py2distro-images-'));
      const built: BuilderImage[] = [];
      try {
        await runSteps(
          targets.map((t) => ({
            title: `builder image ${t.name}`,
            async run(_c: object, report: (text: string) => void) {
              const image = await ensureImage(t, engine, { log: ctx.log, signal: ctx.signal, workDir, cacheDir: ctx.cacheDir, onLine: report }, { rebuild: flags.rebuild });
              report(`${image.tag} (${image.status})`);
              built.push(image);
            },
          })),
          {},
          { json: ctx.json, verbose: ctx.verbose, exitOnError: false },
        );
      } finally {
        await rm(workDir, { recursive: true, force: true });
      }
      ctx.print({ ok: true, engine: engine.name, images: built }, () => built.map((i) => `${i.target}\t${i.tag}\t${i.status}`).join('\n'));
    });

  addEngineOptions(images
    .command('list')
    .description('list the builder images present in the container engine'))
    .action(async (flags: EngineFlags, self: Command) => {
      const [{ selectEngine }, { listBuilderImages }] = await Promise.all([import('../../stages/build/index.js'), import('../../stages/build/index.js')]);
      const ctx = await createContext(self);
      const engine = await selectEngine(engineChoiceFrom(flags, ctx.config));
      const list = await listBuilderImages(engine);
      ctx.print({ ok: true, engine: engine.name, images: list }, () =>
        list.length ? list.map((i) => `${i.ref}\t${i.id}\t${i.created}\t${i.size}`).join('\n') : 'no builder images; run `py2distro images build`',
      );
    });

  addEngineOptions(images
    .command('prune')
    .description('remove builder images whose tag no longer matches docker/ (old Dockerfile or script versions)'))
    .option('--dry-run', 'only list what would be removed')
    .action(async (flags: EngineFlags & { dryRun?: boolean }, self: Command) => {
      const [{ selectEngine }, { pruneBuilderImages }] = await Promise.all([import('../../stages/build/index.js'), import('../../stages/build/index.js')]);
      const ctx = await createContext(self);
      const engine = await selectEngine(engineChoiceFrom(flags, ctx.config));
      const result = await pruneBuilderImages(engine, { dryRun: flags.dryRun });
      ctx.print({ ok: result.failed.length === 0, engine: engine.name, dryRun: Boolean(flags.dryRun), ...result }, () =>
        [
          ...result.removed.map((r) => `${flags.dryRun ? 'would remove' : 'removed'} ${r}`),
          ...result.failed.map((r) => `could not remove ${r} (in use by a container?)`),
          `kept ${result.kept.length} current image(s)`,
        ].join('\n'),
      );
    });
}
