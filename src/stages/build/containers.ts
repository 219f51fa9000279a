/**
 * The two containers of one build (docker/scripts: `py2distro-build deps`, then `build`), run in
 * one of two ways that the scripts cannot tell apart:
 *  - bind (local engine): the per-run directories are mounted, as they have always been;
 *  - copy (remote engine, `--no-bind-mounts`): nothing is mounted. Each container is created, the
 *    run's `py2distro/` tree is copied in with the engine's `cp`, the container is started attached,
 *    and what it made is copied out: the deps container's cache (the downloaded packages) becomes
 *    the build container's cache, the build container's `out/` becomes the artifacts. The engine
 *    host never needs to see a path of this machine.
 * Both ways keep the isolation: network only for the deps step, `--network=none` for the build,
 * no-new-privileges, the build itself as the unprivileged `builder` user, no key anywhere near.
 */
import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerEngine, Mount } from './engines/types.js';
import { Py2DistroError } from '../../lib/errors.js';

export interface StepsInput {
  engine: ContainerEngine;
  image: string;
  /** Per-run directory; holds `py2distro/{src,cache,out}` (see {@link runDirs}). */
  runDir: string;
  localRepo?: string;
  env: Record<string, string>;
  labels: Record<string, string>;
  id: string;
  deadline: number;
  timeoutSeconds: number;
  stem: string;
  signal?: AbortSignal;
  onLine: (line: string) => void;
}

/** The layout both ways share: in copy mode `py2distro/` is uploaded as the container's /py2distro. */
export function runDirs(runDir: string) {
  const root = path.join(runDir, 'py2distro');
  return { root, src: path.join(root, 'src'), cache: path.join(root, 'cache'), out: path.join(root, 'out'), localrepo: path.join(root, 'localrepo') };
}

const STEPS = ['deps', 'build'] as const;

/** Runs both steps; returns the directory holding what the build container wrote to /py2distro/out. */
export async function runBuildSteps(input: StepsInput): Promise<string> {
  return input.engine.transfer === 'copy' ? copySteps(input) : boundSteps(input);
}

function remaining(input: StepsInput): number {
  const left = input.deadline - Date.now();
  if (left <= 0) throw new Py2DistroError('E_BUILD_TIMEOUT', `${input.stem}: build exceeded ${input.timeoutSeconds} s`);
  return left;
}

function spec(input: StepsInput, step: (typeof STEPS)[number], mounts: Mount[]) {
  return {
    name: `py2distro-${input.id}-${step}`,
    image: input.image,
    network: step === 'deps' ? ('host' as const) : ('none' as const),
    mounts,
    env: input.env,
    labels: input.labels,
    command: ['py2distro-build', step],
  };
}

async function boundSteps(input: StepsInput): Promise<string> {
  const dirs = runDirs(input.runDir);
  const mounts: Mount[] = [
    { source: dirs.src, target: '/py2distro/src', readOnly: true },
    { source: dirs.cache, target: '/py2distro/cache' },
    { source: dirs.out, target: '/py2distro/out' },
    ...(input.localRepo ? [{ source: path.resolve(input.localRepo), target: '/py2distro/localrepo', readOnly: true }] : []),
  ];
  for (const step of STEPS) {
    input.signal?.throwIfAborted();
    const timeout = remaining(input);
    input.onLine(`py2distro: ${step} step in ${input.image}${step === 'build' ? ' (network disabled)' : ''}`);
    await input.engine.runContainer(spec(input, step, mounts), { signal: input.signal, timeout, onLine: input.onLine });
  }
  return dirs.out;
}

async function copySteps(input: StepsInput): Promise<string> {
  const { engine } = input;
  const dirs = runDirs(input.runDir);
  if (input.localRepo) {
    // Only the package files: the scripts look for *.deb / *.rpm anywhere below /py2distro/localrepo.
    await cp(path.resolve(input.localRepo), dirs.localrepo, {
      recursive: true, dereference: true, filter: async (src) => (await stat(src)).isDirectory() || /\.(deb|rpm)$/.test(src),
    });
  }
  let result = '';
  for (const step of STEPS) {
    input.signal?.throwIfAborted();
    const s = spec(input, step, []);
    input.onLine(`py2distro: ${step} step in ${input.image} on ${engine.hostId}, files copied in and out${step === 'build' ? ' (network disabled)' : ''}`);
    await engine.createContainer(s);
    try {
      const copyOpts = { signal: input.signal, timeout: remaining(input) };
      let t = Date.now();
      await engine.copyIn(s.name, dirs.root, '/py2distro', copyOpts);
      input.onLine(`py2distro: transfer in ${Date.now() - t} ms`);
      await engine.startContainer(s.name, { signal: input.signal, timeout: remaining(input), onLine: input.onLine });
      if (step === 'deps') {
        // The deps → build handoff: the downloaded packages and apt/dnf lists travel via this machine.
        const fetched = path.join(input.runDir, 'deps-cache');
        t = Date.now();
        await engine.copyOut(s.name, '/py2distro/cache', fetched, { signal: input.signal, timeout: remaining(input) });
        input.onLine(`py2distro: transfer out ${Date.now() - t} ms`);
        await rm(dirs.cache, { recursive: true, force: true });
        await rm(dirs.localrepo, { recursive: true, force: true }); // indexed into the cache by the deps step
        await rename(fetched, dirs.cache);
      } else {
        result = path.join(input.runDir, 'built');
        t = Date.now();
        await engine.copyOut(s.name, '/py2distro/out', result, { signal: input.signal, timeout: remaining(input) });
        input.onLine(`py2distro: transfer out ${Date.now() - t} ms`);
      }
    } finally {
      // Created without --rm: removed here on success, failure, timeout and Ctrl-C alike.
      await engine.removeContainer(s.name);
    }
  }
  await mkdir(result, { recursive: true });
  return result;
}
