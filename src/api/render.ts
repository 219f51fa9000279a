/**
 * The render run: resolve → fetch → verify → inspect → render, without building. The sdist is
 * fetched once per target Python (requires-python may choose an older release for el9's 3.9 than
 * for trixie's 3.13) and inspected once per file, whatever the number of targets.
 */
import path from 'node:path';
import type { Target } from '../distro/targets.js';
import type { StageEnv } from '../lib/env.js';
import { fetchSdist, type FetchedSdist, type FetchOptions } from '../stages/fetch/index.js';
import { inspectSdist, type InspectedSdist } from '../stages/inspect/index.js';
import { renderPackaging, type RenderResult } from '../stages/render/index.js';
import { checkBuiltMatchesVerified } from '../stages/verify/index.js';
import { withWorkDir, type RunEnv } from './run-env.js';
import { runSteps } from './steps.js';

/** The settings that shape rendered packaging (render, build, sync). */
export interface RenderSettings {
  templatesDir?: string;
  maintainer?: string;
  /** Extras whose dependencies are included, for every project (the `--extra` flag)… */
  extras?: string[];
  /** …else per project (config `extras:`), by normalised name. */
  extrasByProject?: Record<string, string[]>;
  runTests?: boolean;
  /** Debian revision / RPM release number, default 1. */
  revision?: number;
}

export interface RenderRunOptions {
  requirement: string;
  targets: Target[];
  fetch: FetchOptions;
  render: RenderSettings;
  /** With several targets, each renders into `<outDir>/<target>`. */
  outDir: string;
}

export function extrasFor(settings: RenderSettings, project: string): string[] {
  return settings.extras ?? settings.extrasByProject?.[project] ?? [];
}

/**
 * Fetch + inspect, each done once per key however many steps ask (steps may run concurrently).
 * What is inspected must be what was verified: the sdist's own name and version are checked
 * against the requested project and the resolved version before anything renders it.
 */
export function sdistSource(fetchOptions: FetchOptions, stage: StageEnv) {
  const fetched = new Map<string, Promise<FetchedSdist>>();
  const inspected = new Map<string, Promise<InspectedSdist>>();
  const fetchFor = (requirement: string, target: Target): Promise<FetchedSdist> => {
    const key = `${requirement}\0${target.python.fullVersion}`;
    if (!fetched.has(key)) fetched.set(key, fetchSdist(requirement, { ...fetchOptions, pythonVersion: target.python.fullVersion }, stage));
    return fetched.get(key)!;
  };
  const inspect = async (sdist: FetchedSdist): Promise<InspectedSdist> => {
    if (!inspected.has(sdist.sha256)) inspected.set(sdist.sha256, inspectSdist(sdist.path, stage));
    const result = await inspected.get(sdist.sha256)!;
    checkBuiltMatchesVerified(result.metadata, sdist.provenance);
    return result;
  };
  return { fetchFor, inspect };
}

export async function runRender(opts: RenderRunOptions, env: RunEnv): Promise<RenderResult[]> {
  const results: RenderResult[] = [];
  await withWorkDir(env, 'render', (stage) => {
    const source = sdistSource(opts.fetch, stage);
    return runSteps(
      opts.targets.map((target) => ({
        title: `render ${opts.requirement} for ${target.name}`,
        async run(_c: object, report: (t: string) => void) {
          const sdist = await source.fetchFor(opts.requirement, target);
          report(`${sdist.filename} (${sdist.provenance.signature.status})`);
          const inspected = await source.inspect(sdist);
          const r = await renderPackaging(
            {
              sdist: inspected,
              project: sdist.name,
              provenance: sdist.provenance,
              target,
              outDir: opts.targets.length > 1 ? path.join(opts.outDir, target.name) : opts.outDir,
              templatesDir: opts.render.templatesDir,
              maintainer: opts.render.maintainer,
              extras: extrasFor(opts.render, sdist.name),
              runTests: Boolean(opts.render.runTests),
              revision: opts.render.revision,
            },
            stage,
          );
          for (const u of r.unmetRequirements) env.log.warn(`${target.name}: ${u}`);
          report(`${r.sourcePackage} ${r.distroVersion} (${r.arch})`);
          results.push(r);
        },
      })),
      {},
      { json: Boolean(env.json), verbose: env.verbose },
    );
  });
  return results;
}
