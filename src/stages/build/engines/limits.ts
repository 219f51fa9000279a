/**
 * Resource limits of every container py2distro runs: a fork bomb or a runaway compiler in an
 * sdist's build stops at the limit instead of taking the host down, and the container keeps only
 * the capabilities the build scripts need as root (docker/scripts/*.sh):
 *   CHOWN, FOWNER, DAC_OVERRIDE  dpkg/rpm unpacking build dependencies, `chown -R builder`, the
 *                                hand-back `chown` to the invoking user, `cp -a` of the sources
 *   SETUID, SETGID               `setpriv --reuid=builder` to build unprivileged; apt's _apt sandbox
 * Everything else the engines grant by default (KILL, NET_BIND_SERVICE, NET_RAW, SETFCAP, SETPCAP,
 * SYS_CHROOT, MKNOD, AUDIT_WRITE, FSETID) is dropped. Config `container-limits` overrides.
 */
import { Py2DistroError } from '../../../lib/errors.js';
import type { ContainerLimits } from './types.js';

export const DEFAULT_LIMITS: ContainerLimits = {
  pids: 4096,
  memory: '8g',
  capAdd: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETUID', 'SETGID'],
};

const MEMORY = /^[1-9][0-9]*[kmgKMG]?$/;
const CAPABILITY = /^(CAP_)?[A-Z][A-Z_]*$/;

/** Config `container-limits` over the defaults; every value checked before it reaches a command line. */
export function containerLimits(config?: { pids?: number; memory?: string; 'cap-add'?: string[] }): ContainerLimits {
  const limits: ContainerLimits = {
    pids: config?.pids ?? DEFAULT_LIMITS.pids,
    memory: config?.memory ?? DEFAULT_LIMITS.memory,
    capAdd: config?.['cap-add'] ?? DEFAULT_LIMITS.capAdd,
  };
  return checkLimits(limits);
}

export function checkLimits(l: ContainerLimits): ContainerLimits {
  const bad = (what: string) => new Py2DistroError('E_CONFIG', `container-limits: invalid ${what}`, {
    hint: 'pids: a whole number >= 64; memory: e.g. 8g; cap-add: capability names such as CHOWN.',
  });
  if (!Number.isInteger(l.pids) || l.pids < 64) throw bad(`pids ${JSON.stringify(l.pids)}`);
  if (!MEMORY.test(l.memory)) throw bad(`memory ${JSON.stringify(l.memory)}`);
  for (const c of l.capAdd) if (!CAPABILITY.test(c)) throw bad(`capability ${JSON.stringify(c)}`);
  return l;
}

/** The `run` flags for the limits. */
export function limitArgs(l: ContainerLimits = DEFAULT_LIMITS): string[] {
  checkLimits(l);
  return [
    `--pids-limit=${l.pids}`, `--memory=${l.memory}`, `--memory-swap=${l.memory}`, '--cap-drop=ALL',
    // One flag per capability: the docker CLI sends "A,B" to the API as a single (unknown) name.
    ...l.capAdd.map((c) => `--cap-add=${c}`),
  ];
}
