/**
 * Docker: a daemon, so `info` also proves the daemon is reachable (DOCKER_HOST, socket rights).
 * The classic builder and BuildKit both accept the flags used here.
 */
import { createCliEngine, type Dialect, type EngineSetup } from './cli-engine.js';
import type { ContainerEngine, Runner } from './types.js';

export const dockerDialect: Dialect = {
  name: 'docker',
  infoArgs: ['info', '--format', '{{.ServerVersion}}'],
  imageExistsArgs: (ref) => ['image', 'inspect', '--format', '{{.Id}}', ref],
  buildFlags: [],
  volumeOptions: (m) => (m.readOnly ? ['ro'] : []),
  // docker rm --force kills at once (SIGKILL), which is what an interrupted build needs.
  removeArgs: (name) => ['rm', '--force', name],
};

export function createDockerEngine(runner: Runner, globalArgs: readonly string[] = [], program = 'docker', setup: EngineSetup = {}): ContainerEngine {
  return createCliEngine(dockerDialect, program, globalArgs, runner, setup);
}
