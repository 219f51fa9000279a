/**
 * The containers of one build (docker/scripts: `py2distro-build deps`, then `build`; for RPM the
 * deps → buildreqs rounds in between, steps.ts), run in one of two ways the scripts cannot tell apart:
 *  - bind (local engine): the per-run directories are mounted, as they have always been;
 *  - copy (remote engine, `--no-bind-mounts`): nothing is mounted. Each container is created, the
 *    run's `py2distro/` tree is copied in with the engine's `cp`, the container is started attached,
 *    and what it made is copied out: the deps container's cache (the downloaded packages) becomes
 *    the build container's cache, the build container's `out/` becomes the artifacts. The engine
 *    host never needs to see a path of this machine.
 * Both ways keep the isolation: network only for the deps step, `--network=none` for the build,
 * no-new-privileges, the build itself as the unprivileged `builder` user, no key anywhere near.
 */
import { cp, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ContainerEngine, Mount } from './engines/types.js';
import { Py2DistroError } from '../../lib/errors.js';
import { buildSteps, stepNetwork, type StepName } from './steps.js';

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
  /** Which step sequence (steps.ts). */
  family: 'deb' | 'rpm';
}

/** The layout both ways share: in copy mode `py2distro/` is uploaded as the container's /py2distro. */
export function runDirs(runDir: string) {
  const root = path.join(runDir, 'py2distro');
  return { root, src: path.join(root, 'src'), cache: path.join(root, 'cache'), out: path.join(root, 'out'), localrepo: path.join(root, 'localrepo') };
}

/** Runs the steps; returns the directory holding what the build container wrote to /py2distro/out. */
export async function runBuildSteps(input: StepsInput): Promise<string> {
  const run = input.engine.transfer === 'copy' ? copyStep(input) : boundStep(input);
  let n = 0;
  let result = '';
  // The buildreqs round's answer: a file the container wrote, so anything but the two words fails (steps.ts).
  const status = async () => (await readFile(path.join(runDirs(input.runDir).cache, 'buildreqs', 'status'), 'utf8').catch(() => '')).trim();
  await buildSteps(input.family, async (step) => {
    result = await run(step, ++n);
  }, status, input.stem);
  await mkdir(result, { recursive: true });
  return result;
}

function remaining(input: StepsInput): number {
  const left = input.deadline - Date.now();
  if (left <= 0) throw new Py2DistroError('E_BUILD_TIMEOUT', `${input.stem}: build exceeded ${input.timeoutSeconds} s`);
  return left;
}

function spec(input: StepsInput, step: StepName, n: number, mounts: Mount[]) {
  return {
    name: `py2distro-${input.id}-${step}${n > 1 ? `-${n}` : ''}`,
    image: input.image,
    network: stepNetwork(step),
    mounts,
    env: input.env,
    labels: input.labels,
    command: ['py2distro-build', step],
  };
}

function boundStep(input: StepsInput): (step: StepName, n: number) => Promise<string> {
  const dirs = runDirs(input.runDir);
  const mounts: Mount[] = [
    { source: dirs.src, target: '/py2distro/src', readOnly: true },
    { source: dirs.cache, target: '/py2distro/cache' },
    { source: dirs.out, target: '/py2distro/out' },
    ...(input.localRepo ? [{ source: path.resolve(input.localRepo), target: '/py2distro/localrepo', readOnly: true }] : []),
  ];
  return async (step, n) => {
    input.signal?.throwIfAborted();
    const timeout = remaining(input);
    input.onLine(`py2distro: ${step} step in ${input.image}${stepNetwork(step) === 'none' ? ' (network disabled)' : ''}`);
    await input.engine.runContainer(spec(input, step, n, mounts), { signal: input.signal, timeout, onLine: input.onLine });
    return dirs.out;
  };
}

function copyStep(input: StepsInput): (step: StepName, n: number) => Promise<string> {
  const { engine } = input;
  const dirs = runDirs(input.runDir);
  let localRepoCopied = false;
  return async (step, n) => {
    if (input.localRepo && !localRepoCopied) {
      localRepoCopied = true;
      // Only the package files: the scripts look for *.deb / *.rpm anywhere below /py2distro/localrepo.
      await cp(path.resolve(input.localRepo), dirs.localrepo, {
        recursive: true, dereference: true, filter: async (src) => (await stat(src)).isDirectory() || /\.(deb|rpm)$/.test(src),
      });
    }
    input.signal?.throwIfAborted();
    const s = spec(input, step, n, []);
    input.onLine(`py2distro: ${step} step in ${input.image} on ${engine.hostId}, files copied in and out${stepNetwork(step) === 'none' ? ' (network disabled)' : ''}`);
    await engine.createContainer(s);
    try {
      const copyOpts = { signal: input.signal, timeout: remaining(input) };
      let t = Date.now();
      await engine.copyIn(s.name, dirs.root, '/py2distro', copyOpts);
      input.onLine(`py2distro: transfer in ${Date.now() - t} ms`);
      await engine.startContainer(s.name, { signal: input.signal, timeout: remaining(input), onLine: input.onLine });
      if (step !== 'build') {
        // The handoff to the next container: downloaded packages, apt/dnf lists, the buildreqs answer.
        const fetched = path.join(input.runDir, `cache-${n}`);
        t = Date.now();
        await engine.copyOut(s.name, '/py2distro/cache', fetched, { signal: input.signal, timeout: remaining(input) });
        input.onLine(`py2distro: transfer out ${Date.now() - t} ms`);
        await rm(dirs.cache, { recursive: true, force: true });
        await rm(dirs.localrepo, { recursive: true, force: true }); // indexed into the cache by the deps step
        await rename(fetched, dirs.cache);
        return '';
      }
      const result = path.join(input.runDir, 'built');
      t = Date.now();
      await engine.copyOut(s.name, '/py2distro/out', result, { signal: input.signal, timeout: remaining(input) });
      input.onLine(`py2distro: transfer out ${Date.now() - t} ms`);
      return result;
    } finally {
      // Created without --rm: removed here on success, failure, timeout and Ctrl-C alike.
      await engine.removeContainer(s.name);
    }
  };
}
