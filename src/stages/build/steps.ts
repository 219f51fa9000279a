/**
 * The sequence of containers of one build, per family. The network is on only in `deps`, which
 * runs nothing but the package manager on py2distro's own packaging (apt-get build-dep on the
 * rendered debian/control; dnf builddep on the rendered spec and on what a buildreqs round
 * reported). Upstream code runs only with the network off:
 *   deb: deps → build
 *   rpm: deps → buildreqs (rpmbuild -br: %prep, %generate_buildrequires) → … until the round says
 *        `done` (at most MAX_BUILDREQS_ROUNDS) → build
 * This is mock's loop for dynamic BuildRequires, with the download and the upstream code split
 * into separate containers.
 */
import { Py2DistroError } from '../../lib/errors.js';

export type StepName = 'deps' | 'buildreqs' | 'build';

export const MAX_BUILDREQS_ROUNDS = 5;

/** Only `deps` (the package manager on our own packaging) ever gets the network. */
export function stepNetwork(step: StepName): 'host' | 'none' {
  return step === 'deps' ? 'host' : 'none';
}

export async function buildSteps(
  family: 'deb' | 'rpm', run: (step: StepName) => Promise<void>, readStatus: () => Promise<string>, stem: string,
): Promise<void> {
  await run('deps');
  if (family === 'rpm') {
    for (let round = 1; ; round++) {
      await run('buildreqs');
      const status = await readStatus();
      if (status === 'done') break;
      if (status !== 'more') throw new Py2DistroError('E_BUILD_FAILED', `${stem}: the BuildRequires round ended without a status`);
      if (round >= MAX_BUILDREQS_ROUNDS) {
        throw new Py2DistroError('E_BUILD_FAILED', `${stem}: %generate_buildrequires still asks for more after ${round} rounds`, {
          hint: 'The sdist keeps asking for build dependencies the archive cannot satisfy; read the build log.',
        });
      }
      await run('deps');
    }
  }
  await run('build');
}
