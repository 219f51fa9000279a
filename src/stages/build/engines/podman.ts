/**
 * Podman: daemonless, rootless or rootful. Its runtime and ulimits come from containers.conf
 * (CONTAINERS_CONF) or config `engine-args` (e.g. `--runtime runc`), never from py2distro defaults.
 */
import { createCliEngine, type Dialect, type EngineSetup } from './cli-engine.js';
import type { ContainerEngine, Runner } from './types.js';

export const podmanDialect: Dialect = {
  name: 'podman',
  infoArgs: ['info', '--format', '{{.Host.OCIRuntime.Name}}'],
  imageExistsArgs: (ref) => ['image', 'exists', ref],
  // The base is resolved (pulled, bootstrapped or found) before the build; never re-pull it.
  buildFlags: ['--pull=never', '--layers'],
  // `z`: on SELinux hosts the bind mount must be relabelled or the container cannot read it.
  volumeOptions: (m) => (m.readOnly ? ['ro', 'z'] : ['z']),
  removeArgs: (name) => ['rm', '--force', '--time', '0', '--ignore', name],
};

export function createPodmanEngine(runner: Runner, globalArgs: readonly string[] = [], program = 'podman', setup: EngineSetup = {}): ContainerEngine {
  return createCliEngine(podmanDialect, program, globalArgs, runner, setup);
}
