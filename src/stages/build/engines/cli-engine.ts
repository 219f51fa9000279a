/**
 * The behaviour podman and docker share: both are CLIs with the same verbs (`run`, `build`, `rm`,
 * `import`, `pull`). Each engine module supplies a {@link Dialect} for the few places they differ
 * and gets a {@link ContainerEngine}. Every call is an argument array through the injected runner.
 */
import type { ExecaError } from 'execa';
import { Py2DistroError } from '../../../lib/errors.js';
import { engineEnvironment } from './environment.js';
import { limitArgs } from './limits.js';
import type { ContainerEngine, ContainerLimits, EngineName, ImageBuildSpec, ImageInfo, Mount, Runner, RunSpec, StreamOptions, Transfer } from './types.js';

export interface Dialect {
  name: EngineName;
  /** Arguments that answer 0 when the engine works (`info --format …`). */
  infoArgs: string[];
  /** Arguments that answer 0 when the image exists locally. */
  imageExistsArgs(ref: string): string[];
  /** Extra `build` flags (podman: never pull the already-resolved base, keep layers). */
  buildFlags: string[];
  /** `--volume` option suffix, e.g. podman's `z` so SELinux hosts relabel the bind mount. */
  volumeOptions(m: Mount): string[];
  /** Force removal; podman waits 10 s for a stop by default, which Ctrl-C should not. */
  removeArgs(name: string): string[];
}

// `--volume a:b:ro` splits on ':' and options on ',', so such paths cannot be expressed safely.
function volumeArg(m: Mount, options: string[]): string {
  for (const p of [m.source, m.target]) {
    if (/[:,\0\n]/.test(p) || !p.startsWith('/')) {
      throw new Py2DistroError('E_USAGE', `cannot mount ${JSON.stringify(p)} into a container`, {
        hint: 'Use an absolute directory path without ":" or "," characters.',
      });
    }
  }
  return `${m.source}:${m.target}${options.length ? `:${options.join(',')}` : ''}`;
}

export function runArgs(spec: RunSpec, dialect: Dialect, limits?: ContainerLimits): string[] {
  return containerArgs(['run', '--rm'], spec, dialect, limits);
}

/** `create` for the copy transfer: the same isolation flags as `run`, and never a mount. */
export function createArgs(spec: RunSpec, dialect: Dialect, limits?: ContainerLimits): string[] {
  if (spec.mounts.length) throw new Py2DistroError('E_USAGE', `container ${spec.name}: the copy transfer mounts nothing`);
  return containerArgs(['create'], spec, dialect, limits);
}

// A container name and a path inside it reach `cp NAME:PATH`; both must be plain.
function containerPath(name: string, p: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) || !/^\/[A-Za-z0-9_./-]*$/.test(p) || p.includes('..')) {
    throw new Py2DistroError('E_USAGE', `refusing to copy ${JSON.stringify(`${name}:${p}`)}`);
  }
  return `${name}:${p}`;
}

function hostPath(p: string): string {
  // `cp` reads "-" as a tar stream on stdin/stdout and "x:y" as a container path.
  if (!p.startsWith('/') || p.includes(':') || p.includes('\0')) throw new Py2DistroError('E_USAGE', `cannot copy ${JSON.stringify(p)}: not a plain absolute path`);
  return p;
}

function containerArgs(verb: string[], spec: RunSpec, dialect: Dialect, limits?: ContainerLimits): string[] {
  const args = [...verb, '--name', spec.name, `--network=${spec.network}`, '--security-opt=no-new-privileges', ...limitArgs(spec.limits ?? limits)];
  for (const m of spec.mounts) args.push('--volume', volumeArg(m, dialect.volumeOptions(m)));
  for (const [k, v] of Object.entries(spec.env)) {
    if (!/^[A-Z_][A-Z0-9_]*$/.test(k) || v.includes('\0') || v.includes('\n')) {
      throw new Py2DistroError('E_USAGE', `refusing to pass environment variable ${JSON.stringify(k)} into a container`);
    }
    args.push('--env', `${k}=${v}`);
  }
  for (const [k, v] of Object.entries(spec.labels ?? {})) {
    if (!/^[a-z0-9.-]+$/.test(k) || !/^[\x21-\x7e]*$/.test(v)) {
      throw new Py2DistroError('E_USAGE', `refusing to pass label ${JSON.stringify(k)}=${JSON.stringify(v)} to a container`);
    }
    args.push('--label', `${k}=${v}`);
  }
  args.push(spec.image, ...spec.command);
  return args;
}

export function buildArgs(spec: ImageBuildSpec, dialect: Dialect): string[] {
  const args = ['build', '--network=host', '--force-rm', ...dialect.buildFlags, '--tag', spec.tag];
  for (const [k, v] of Object.entries(spec.buildArgs)) args.push('--build-arg', `${k}=${v}`);
  for (const [k, v] of Object.entries(spec.labels)) args.push('--label', `${k}=${v}`);
  args.push('--file', `${spec.contextDir}/Dockerfile`, spec.contextDir);
  return args;
}

function timedOut(err: unknown): boolean {
  return Boolean((err as { cause?: ExecaError })?.cause?.timedOut);
}

export interface EngineSetup {
  transfer?: Transfer;
  hostId?: string;
  /** Applied to every container whose RunSpec brings none (config `container-limits`). */
  limits?: ContainerLimits;
}

export function createCliEngine(dialect: Dialect, program: string, globalArgs: readonly string[], runner: Runner, setup: EngineSetup = {}): ContainerEngine {
  // An allow-listed environment, not ours: no PY2DISTRO_SIGN_PASSPHRASE in the engine (environment.ts).
  const call = (args: string[], opts: Parameters<Runner>[2] = {}) =>
    runner(program, [...globalArgs, ...args], { ...opts, env: engineEnvironment(), extendEnv: false });
  const limits = setup.limits;
  const copy = async (from: string, to: string, what: string, opts: StreamOptions) => {
    try {
      await call(['cp', from, to], { timeout: opts.timeout ?? 30 * 60_000, signal: opts.signal });
    } catch (err) {
      if ((err as Py2DistroError).code === 'E_ABORTED') throw err;
      throw new Py2DistroError('E_ENGINE_TRANSFER', `copying ${what} failed: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
  };
  const engine: ContainerEngine = {
    name: dialect.name,
    transfer: setup.transfer ?? 'bind',
    hostId: setup.hostId ?? 'local',
    program,
    globalArgs,
    async checkReachable() {
      const r = await call(dialect.infoArgs, { reject: false, timeout: 60_000 });
      if (r.exitCode !== 0) {
        const why = r.stderr.trim().split('\n').slice(-3).join('\n') || `exit code ${r.exitCode}`;
        throw new Py2DistroError('E_ENGINE_UNREACHABLE', `${program} does not answer: ${why}`);
      }
    },
    async imageExists(ref) {
      return (await call(dialect.imageExistsArgs(ref), { reject: false, timeout: 60_000 })).exitCode === 0;
    },
    async tryPull(ref, opts = {}) {
      const r = await call(['pull', ref], { reject: false, timeout: opts.timeout ?? 10 * 60_000, signal: opts.signal, onLine: opts.onLine });
      return r.exitCode === 0;
    },
    async importRootfs(tarball, tag, opts = {}) {
      await call(['import', tarball, tag], { timeout: opts.timeout ?? 10 * 60_000, signal: opts.signal, onLine: opts.onLine });
    },
    async buildImage(spec, opts = {}) {
      try {
        await call(buildArgs(spec, dialect), { timeout: opts.timeout ?? 60 * 60_000, signal: opts.signal, onLine: opts.onLine });
      } catch (err) {
        if ((err as Py2DistroError).code === 'E_ABORTED') throw err;
        throw new Py2DistroError('E_IMAGE_BUILD', `building ${spec.tag} failed: ${(err as Error).message.split('\n')[0]}`, { cause: err });
      }
    },
    async runContainer(spec, opts = {}) {
      let ok = false;
      try {
        const r = await call(runArgs(spec, dialect, limits), { timeout: opts.timeout, signal: opts.signal, onLine: opts.onLine });
        ok = true;
        return r;
      } catch (err) {
        if (timedOut(err)) {
          throw new Py2DistroError('E_BUILD_TIMEOUT', `container ${spec.name} exceeded ${Math.round((opts.timeout ?? 0) / 1000)} s`, { cause: err });
        }
        throw err;
      } finally {
        // `--rm` covers a normal exit; a killed client (timeout, Ctrl-C) can leave the container.
        if (!ok) await engine.removeContainer(spec.name);
      }
    },
    async createContainer(spec) {
      await call(createArgs(spec, dialect, limits), { timeout: 5 * 60_000 });
    },
    async copyIn(name, hostDir, inside, opts = {}) {
      await copy(hostPath(hostDir), containerPath(name, inside), `${hostDir} into ${name}:${inside}`, opts);
    },
    async copyOut(name, inside, hostDest, opts = {}) {
      await copy(containerPath(name, inside), hostPath(hostDest), `${name}:${inside} out`, opts);
    },
    async startContainer(name, opts = {}) {
      // `start --attach` streams the output and exits with the container's exit code (both CLIs).
      try {
        return await call(['start', '--attach', name], { timeout: opts.timeout, signal: opts.signal, onLine: opts.onLine });
      } catch (err) {
        if (timedOut(err)) throw new Py2DistroError('E_BUILD_TIMEOUT', `container ${name} exceeded ${Math.round((opts.timeout ?? 0) / 1000)} s`, { cause: err });
        throw err;
      }
    },
    async imageId(ref) {
      const r = await call(['image', 'inspect', '--format', '{{.Id}}', ref], { reject: false, timeout: 60_000 });
      if (r.exitCode !== 0) return undefined;
      const id = r.stdout.trim();
      // docker answers `sha256:<hex>`, podman `<hex>`: one form for records and keys.
      return /^[0-9a-f]{64}$/.test(id) ? `sha256:${id}` : id;
    },
    async removeContainer(name) {
      // No abort signal here: this is the clean-up that must still run after Ctrl-C.
      await call(dialect.removeArgs(name), { reject: false, timeout: 60_000 });
    },
    async removeImage(ref) {
      return (await call(['rmi', ref], { reject: false, timeout: 5 * 60_000 })).exitCode === 0;
    },
    async listImages(repository) {
      const r = await call(['images', '--format', '{{.Repository}}:{{.Tag}}\t{{.ID}}\t{{.CreatedAt}}\t{{.Size}}', repository], { timeout: 60_000 });
      return r.stdout
        .split('\n')
        .filter((l) => l.trim())
        .map((l): ImageInfo => {
          const [ref = '', id = '', created = '', size = ''] = l.split('\t');
          return { ref, id, created, size };
        });
    },
  };
  return engine;
}
