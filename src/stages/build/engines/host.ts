/**
 * Where the engine runs, and so how files reach its containers. A local engine sees this machine's
 * paths: sources and outputs are bind-mounted (the fast default). A remote one — DOCKER_HOST, a
 * docker context, CONTAINER_HOST / `podman --remote`, or `engine-host:` — sees its own filesystem
 * only: nothing is mounted, files go in and out through the engine's API (`create` + `cp`).
 *
 * URL grammar (docker: https://docs.docker.com/engine/reference/commandline/cli/#environment-variables,
 * podman: podman-remote(1) --url): unix:///path, tcp://host:port, ssh://[user@]host[:port][/socket].
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Py2DistroError } from '../../../lib/errors.js';
import type { EngineName } from './types.js';

export interface EngineHost {
  /** Engine URL when known (explicit or from the environment); undefined for the local default. */
  url?: string;
  /** True when the engine may not share this machine's filesystem. */
  remote: boolean;
  /** Who said so, for messages: `engine-host`, `DOCKER_HOST`, `docker context "x"`, `engine-args`. */
  from: string;
  /** Global arguments that select the host (`--host URL` / `--remote --url URL`). */
  args: string[];
}

const URL_RE = /^(unix:\/\/\/[^\0\s]+|tcp:\/\/[A-Za-z0-9.:[\]-]+(:\d+)?\/?|ssh:\/\/([A-Za-z0-9._-]+@)?[A-Za-z0-9.:[\]-]+(:\d+)?(\/[^\0\s]*)?)$/;

/** Refuse anything but the three URL forms both CLIs understand (a value here reaches argv). */
export function checkEngineUrl(url: string, from: string): string {
  if (!URL_RE.test(url)) {
    throw new Py2DistroError(from === 'engine-host' ? 'E_CONFIG' : 'E_USAGE', `${from}: ${JSON.stringify(url)} is not an engine URL`, {
      hint: 'Use unix:///path/to/socket, tcp://host:port or ssh://user@host[:port][/socket/path].',
    });
  }
  return url;
}

// engine-args that already point the CLI elsewhere: then the user chose the host, and it may be remote.
const REMOTE_ARGS: Record<EngineName, RegExp> = {
  docker: /^(-H|--host|-c|--context)(=.*)?$/,
  podman: /^(-r|--remote|--url|--connection|-c)(=.*)?$/,
};

/** docker's current context from its config file (`docker context use X`), without running docker. */
function dockerCurrentContext(env: NodeJS.ProcessEnv): string | undefined {
  const dir = env.DOCKER_CONFIG || path.join(env.HOME || os.homedir(), '.docker');
  try {
    const data = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as { currentContext?: unknown };
    return typeof data.currentContext === 'string' ? data.currentContext : undefined;
  } catch {
    return undefined;
  }
}

export function resolveEngineHost(name: EngineName, opts: { hostFlag?: string; config?: string; engineArgs?: readonly string[]; env: NodeJS.ProcessEnv }): EngineHost {
  const explicit = opts.hostFlag ? { url: opts.hostFlag, from: '--engine-host' } : opts.config ? { url: opts.config, from: 'engine-host' } : undefined;
  if (explicit) {
    const url = checkEngineUrl(explicit.url, explicit.from);
    return { url, remote: true, from: explicit.from, args: name === 'docker' ? ['--host', url] : ['--remote', '--url', url] };
  }
  if ((opts.engineArgs ?? []).some((a) => REMOTE_ARGS[name].test(a))) return { remote: true, from: 'engine-args', args: [] };
  const { env } = opts;
  if (name === 'docker') {
    if (env.DOCKER_HOST) return { url: checkEngineUrl(env.DOCKER_HOST, 'DOCKER_HOST'), remote: true, from: 'DOCKER_HOST', args: [] };
    const context = env.DOCKER_CONTEXT || dockerCurrentContext(env);
    if (context && context !== 'default') return { remote: true, from: `docker context ${JSON.stringify(context)}`, args: [] };
  } else {
    // podman ≥ 4 turns --remote on by itself when CONTAINER_HOST or CONTAINER_CONNECTION is set.
    if (env.CONTAINER_HOST) return { url: checkEngineUrl(env.CONTAINER_HOST, 'CONTAINER_HOST'), remote: true, from: 'CONTAINER_HOST', args: [] };
    if (env.CONTAINER_CONNECTION) return { remote: true, from: `podman connection ${JSON.stringify(env.CONTAINER_CONNECTION)}`, args: [] };
  }
  return { remote: false, from: 'local', args: [] };
}
