/**
 * The one type every container engine satisfies. Podman and Docker are interchangeable modules
 * (src/engines/podman.ts, src/engines/docker.ts); build and image code only see this interface.
 */
import type { ExecOptions, ExecResult } from '../../../lib/exec.js';

export type EngineName = 'podman' | 'docker';

/** How engines run programs; src/exec.ts `run` in the product, a recording stub in unit tests. */
export type Runner = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

export interface Mount {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface RunSpec {
  /** Explicit name, so that the container can be removed after a timeout or Ctrl-C. */
  name: string;
  image: string;
  /** 'none' for the build step itself; 'host' only where packages are downloaded. */
  network: 'none' | 'host';
  mounts: Mount[];
  env: Record<string, string>;
  /** Labels to find the container by (`podman ps --filter label=…`). */
  labels?: Record<string, string>;
  /** Resource limits and kept capabilities; DEFAULT_LIMITS (limits.ts) when absent. */
  limits?: ContainerLimits;
  command: string[];
}

export interface ContainerLimits {
  /** `--pids-limit`: processes and threads. */
  pids: number;
  /** `--memory` and `--memory-swap` (no swap beyond it), e.g. "8g". */
  memory: string;
  /** Capabilities kept after `--cap-drop=ALL`. */
  capAdd: string[];
}

export interface ImageBuildSpec {
  /** Directory holding exactly the build context (a Dockerfile at its top). */
  contextDir: string;
  tag: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
}

export interface ImageInfo {
  ref: string;
  id: string;
  created: string;
  size: string;
}

export interface StreamOptions {
  signal?: AbortSignal;
  /** Milliseconds of wall-clock time before the container is killed. */
  timeout?: number;
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/**
 * How files reach a container: `bind` mounts this machine's directories (local engines, the fast
 * default); `copy` mounts nothing and moves files with `create` + `cp` in/out (remote engines,
 * `--no-bind-mounts`), so the engine host never needs to see the client's paths.
 */
export type Transfer = 'bind' | 'copy';

export interface ContainerEngine {
  readonly name: EngineName;
  readonly transfer: Transfer;
  /** The engine's URL or `local`; distinguishes two engines of one kind (image caches, locks). */
  readonly hostId: string;
  /** The program run (e.g. `podman`), and global arguments from config `engine-args`. */
  readonly program: string;
  readonly globalArgs: readonly string[];
  /** Up-front check: the engine answers (daemon/service reachable, storage usable). */
  checkReachable(): Promise<void>;
  imageExists(ref: string): Promise<boolean>;
  /** True when pulled; false when the registry cannot be reached or has no such image. */
  tryPull(ref: string, opts?: StreamOptions): Promise<boolean>;
  /** Import a root filesystem tarball as an image (`<engine> import FILE TAG`). */
  importRootfs(tarball: string, tag: string, opts?: StreamOptions): Promise<void>;
  /** Build with the host network: the Dockerfile's RUN steps install from the distro archive. */
  buildImage(spec: ImageBuildSpec, opts?: StreamOptions): Promise<void>;
  /** Run to completion with `--rm`; on failure, timeout or abort the container is force-removed. */
  runContainer(spec: RunSpec, opts?: StreamOptions): Promise<ExecResult>;
  removeContainer(name: string): Promise<void>;
  /** `create` without `--rm` (copy transfer): the container is removed by {@link removeContainer}. */
  createContainer(spec: RunSpec): Promise<void>;
  /** Copy a client directory into the container as `containerPath` (which must not exist yet). */
  copyIn(name: string, hostDir: string, containerPath: string, opts?: StreamOptions): Promise<void>;
  /** Copy a container directory out as `hostPath` (which must not exist yet). */
  copyOut(name: string, containerPath: string, hostPath: string, opts?: StreamOptions): Promise<void>;
  /** Start a created container, attached; resolves when it exits 0, throws E_EXEC otherwise. */
  startContainer(name: string, opts?: StreamOptions): Promise<ExecResult>;
  /** The image's id (`sha256:…`), or undefined when the engine has no such image. */
  imageId(ref: string): Promise<string | undefined>;
  listImages(repository: string): Promise<ImageInfo[]>;
  /** Remove an image by reference; false when the engine refused (e.g. a container still uses it). */
  removeImage(ref: string): Promise<boolean>;
}
