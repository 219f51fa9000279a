/**
 * Choosing the container engine: `--engine`, then PY2DISTRO_ENGINE, then config `engine`, then
 * whichever of podman and docker is installed (podman first: it needs no daemon). The choice is
 * checked up front — program on PATH, engine answering — so a build never fails half-way for it.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { Py2DistroError } from '../../../lib/errors.js';
import { run } from '../../../lib/exec.js';
import { createDockerEngine } from './docker.js';
import { resolveEngineHost, type EngineHost } from './host.js';
import { createPodmanEngine } from './podman.js';
import { containerLimits } from './limits.js';
import type { ContainerEngine, ContainerLimits, EngineName, Runner } from './types.js';

export type { ContainerEngine, EngineName, Runner, RunSpec, Mount, ImageBuildSpec, ImageInfo, StreamOptions, Transfer } from './types.js';
export type { EngineHost } from './host.js';
export type { ContainerLimits } from './types.js';
export { containerLimits, DEFAULT_LIMITS } from './limits.js';

export const ENGINE_NAMES: readonly EngineName[] = ['podman', 'docker'];

export interface EngineChoice {
  /** `--engine` flag. */
  flag?: string;
  config?: { engine?: string; 'engine-args'?: string[]; 'engine-host'?: string; 'bind-mounts'?: boolean;
    'container-limits'?: { pids?: number; memory?: string; 'cap-add'?: string[] };
  };
  /** `--engine-host URL` (over config `engine-host`, DOCKER_HOST / CONTAINER_HOST). */
  hostFlag?: string;
  /** `--no-bind-mounts` (false) forces the copy transfer even for a local engine; `--bind-mounts` (true) forces mounts. */
  bindMounts?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Injected in unit tests; src/exec.ts `run` otherwise. */
  runner?: Runner;
  /**
   * Check that the engine answers before its first container, pull, import or image build, not
   * now (sync: a sync where nothing changed starts none, and the check costs a `podman info`).
   * Queries (image lists and ids) run unchecked; when one fails, the check explains why.
   */
  deferCheck?: boolean;
}

/** Absolute path of an executable on PATH, or undefined. */
export async function findOnPath(program: string, envPath = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of envPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, program);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

function parseName(value: string, from: string): EngineName {
  if ((ENGINE_NAMES as readonly string[]).includes(value)) return value as EngineName;
  throw new Py2DistroError(from === 'config' ? 'E_CONFIG' : 'E_USAGE', `${from}: unknown container engine ${JSON.stringify(value)}`, {
    hint: `Use one of: ${ENGINE_NAMES.join(', ')}.`,
  });
}

/** Which engine was asked for, and by whom; undefined means "detect". */
export function requestedEngine(choice: EngineChoice): { name: EngineName; from: string } | undefined {
  const env = choice.env ?? process.env;
  if (choice.flag) return { name: parseName(choice.flag, '--engine'), from: '--engine' };
  if (env.PY2DISTRO_ENGINE) return { name: parseName(env.PY2DISTRO_ENGINE, 'PY2DISTRO_ENGINE'), from: 'PY2DISTRO_ENGINE' };
  if (choice.config?.engine) return { name: parseName(choice.config.engine, 'config'), from: 'config engine' };
  return undefined;
}

export function createEngine(name: EngineName, runner: Runner = run, globalArgs: readonly string[] = [], host?: EngineHost, bindMounts?: boolean, limits?: ContainerLimits): ContainerEngine {
  const args = [...(host?.args ?? []), ...globalArgs];
  // A remote engine cannot see our paths: copy, unless the user says its host shares them.
  const transfer = (bindMounts ?? !host?.remote) ? 'bind' : 'copy';
  const setup = { transfer, hostId: host?.remote ? `${host.from}:${host.url ?? ''}` : 'local', limits } as const;
  return name === 'podman' ? createPodmanEngine(runner, args, 'podman', setup) : createDockerEngine(runner, args, 'docker', setup);
}

/** Pick, construct and check the engine. Throws E_ENGINE_MISSING / E_ENGINE_UNREACHABLE with a hint. */
export async function selectEngine(choice: EngineChoice = {}): Promise<ContainerEngine> {
  const env = choice.env ?? process.env;
  const runner = choice.runner ?? run;
  const globalArgs = choice.config?.['engine-args'] ?? [];
  const requested = requestedEngine(choice);
  let name: EngineName;
  if (requested) {
    if (!(await findOnPath(requested.name, env.PATH))) {
      throw new Py2DistroError('E_ENGINE_MISSING', `${requested.name} (chosen by ${requested.from}) is not installed or not on PATH`, {
        hint: `Install ${requested.name}${requested.name === 'podman' ? ' (apt-get install podman)' : ''}, or choose another engine with --engine.`,
      });
    }
    name = requested.name;
  } else {
    const found: EngineName[] = [];
    for (const n of ENGINE_NAMES) if (await findOnPath(n, env.PATH)) found.push(n);
    if (!found.length) throw new Py2DistroError('E_ENGINE_MISSING', 'no container engine found: neither podman nor docker is on PATH');
    name = found[0]!;
  }
  const host = resolveEngineHost(name, { hostFlag: choice.hostFlag, config: choice.config?.['engine-host'], engineArgs: globalArgs, env });
  const engine = createEngine(name, runner, globalArgs, host, choice.bindMounts ?? choice.config?.['bind-mounts'], containerLimits(choice.config?.['container-limits']));
  const check = async () => {
    try {
      await engine.checkReachable();
    } catch (err) {
      if (err instanceof Py2DistroError && err.code === 'E_ENGINE_UNREACHABLE') {
        throw new Py2DistroError('E_ENGINE_UNREACHABLE', host.remote ? `${err.message} (engine host from ${host.from}${host.url ? `: ${host.url}` : ''})` : err.message, {
          cause: err,
          hint: host.remote
            ? `Check that the engine service at ${host.url ?? host.from} is running and reachable (podman system service / dockerd), and that you may use it.`
            : name === 'docker'
              ? 'Start the Docker daemon (systemctl start docker) and make sure you may use its socket, or use --engine podman.'
              : 'Run `podman info` to see why podman fails; set CONTAINERS_CONF or config `engine-args` (e.g. ["--runtime", "runc"]) for this machine.',
        });
      }
      throw err;
    }
  };
  if (choice.deferCheck) return checkedBeforeUse(engine, check);
  await check();
  return engine;
}

/**
 * `engine` with `check` run once, before the first operation that starts a container or builds,
 * pulls or imports an image; a failed query (image list or id) runs it too, so that an engine that
 * does not answer is reported as such rather than as a failed command.
 */
function checkedBeforeUse(engine: ContainerEngine, check: () => Promise<void>): ContainerEngine {
  let checking: Promise<void> | undefined;
  const once = () => (checking ??= check());
  const before = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    await once();
    return fn(...a);
  };
  const explained = <A extends unknown[], R>(fn: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    try {
      return await fn(...a);
    } catch (err) {
      await once();
      throw err;
    }
  };
  return {
    ...engine,
    checkReachable: once,
    tryPull: before(engine.tryPull),
    importRootfs: before(engine.importRootfs),
    buildImage: before(engine.buildImage),
    runContainer: before(engine.runContainer),
    createContainer: before(engine.createContainer),
    copyIn: before(engine.copyIn),
    copyOut: before(engine.copyOut),
    startContainer: before(engine.startContainer),
    listImages: explained(engine.listImages),
    imageId: explained(engine.imageId),
  };
}
