/**
 * A container engine "on another machine" for tests: `podman system service` started in its own
 * mount namespace (`unshare -m`, private propagation) with an empty tmpfs over the client's work
 * root, so nothing the client writes there is visible to the engine — a bind mount of a client
 * path sees an empty directory. Images are shared with the local podman (same storage), so no
 * builder image is built twice; only the client's files are out of reach, which is what a remote
 * engine means for py2distro. Each test starts its own on a random socket and stops it at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { ROOT } from './cli.ts';

export const CONTAINERS_CONF = process.env.CONTAINERS_CONF ?? path.join(ROOT, 'test/fixtures/containers.conf');

export interface EngineService {
  /** unix:///…/engine.sock */
  url: string;
  /** The directory the service cannot see (an empty tmpfs in its namespace). */
  hidden: string;
  stop(): Promise<void>;
}

async function waitForSocket(file: string, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`podman system service exited (${child.exitCode}): ${log()}`);
    try {
      if ((await stat(file)).isSocket()) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`podman system service did not create ${file}: ${log()}`);
}

/** Start a service whose socket is `<root>/<name>.sock` and that cannot see `hidden`. */
export async function startEngineService(root: string, name: string, hidden: string): Promise<EngineService> {
  await mkdir(hidden, { recursive: true });
  const socket = path.join(root, `${name}.sock`);
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
    'mount -t tmpfs -o size=16m tmpfs "$1" && exec podman system service --time=0 "unix://$2"', 'sh', hidden, socket], {
    env: { ...process.env, CONTAINERS_CONF }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  await waitForSocket(socket, child, () => stderr);
  const url = `unix://${socket}`;
  return {
    url,
    hidden,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Proof that the service cannot see the client's files: a bind mount of `hidden` (where the client
 * wrote `marker`) shows nothing. Runs through the docker CLI, as a remote client would.
 */
export async function listMountedThroughService(service: EngineService, image: string): Promise<string> {
  const r = await execa('docker', ['run', '--rm', '--network=none', '-v', `${service.hidden}:/probe:ro`, image, 'ls', '-A', '/probe'], {
    env: { DOCKER_HOST: service.url }, reject: false, timeout: 120_000,
  });
  if (r.exitCode !== 0) return `(bind mount refused: ${r.stderr.trim()})`;
  return r.stdout;
}
