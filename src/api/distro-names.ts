/**
 * May a package we built take its binary name on this target? The name py2distro gives a project
 * (python3-<project>) can be one the distribution's archive already ships — python3-apt (imported
 * as root by apt's tools), python3-minimal, python3-libs. Publishing under such a name with the
 * org key replaces the distribution's package on every client that trusts the repository. The
 * distribution's own project → package table decides (dh-python's cpython3_fallback for
 * Debian/Ubuntu; for Fedora/EL the package that provides python3dist(<project>)):
 *   - a name the archive does not ship: fine;
 *   - the name the archive gives this same project (render keeps it so apt upgrades in place,
 *     stages/render/distro-fit.ts): only at a higher version than the archive's;
 *   - a name the table gives *another* project (python3-apt is python-apt's): never;
 *   - a name the archive ships that the table gives no project (python3-minimal, python3-libs):
 *     only when the user opted in for this project (`--allow-distro-name PROJECT`, config
 *     `allow-distro-names`), and at a higher version.
 * The archive is read from the builder image (sync/distro-archive.ts, cached per image id).
 */
import { randomBytes } from 'node:crypto';
import { compareDebianVersions } from '../distro/deb/version-compare.js';
import type { Target } from '../distro/targets.js';
import { Py2DistroError } from '../lib/errors.js';
import type { StageEnv } from '../lib/env.js';
import { normalizeName } from '../python/requirement.js';
import { BUILDER_REPOSITORY, ensureImage, type ContainerEngine } from '../stages/build/index.js';
import { compareRpmEvrText, loadDistroArchive, type DistroArchive } from './sync/distro-archive.js';

export interface NameCheck {
  /** The requested project. */
  project: string;
  binary: string;
  /** Our full distro version ([E:]V-R). */
  distroVersion: string;
  target: Target;
}

/** Undefined when allowed; else the error that refuses the name. */
export function distroNameRefusal(c: NameCheck, archive: DistroArchive, allowed: ReadonlySet<string>): Py2DistroError | undefined {
  const theirs = archive.data.binaries[c.binary];
  if (theirs === undefined) return undefined;
  const project = normalizeName(c.project);
  const family = archive.data.family;
  const owner = family === 'deb'
    ? Object.entries(archive.data.fallback).find(([, b]) => b === c.binary)?.[0]
    : archive.data.python3dist[project] !== undefined && c.binary === `python3-${project}` ? project : undefined;
  const where = `${c.target.name} already ships ${c.binary} ${theirs}`;
  const details = { project: c.project, binary: c.binary, distroVersion: theirs };
  if (owner !== undefined && owner !== project) {
    return new Py2DistroError('E_DISTRO_NAME', `${c.project}: ${where}, the package of ${owner}; py2distro never publishes another project under that name`, {
      details, hint: `Ask for ${owner} itself if that is what you want, or leave ${c.project} out.`,
    });
  }
  if (owner === undefined && !allowed.has(project)) {
    return new Py2DistroError('E_DISTRO_NAME', `${c.project}: ${where}, which is not a package of ${c.project}; building it would replace the distribution's package`, {
      details, hint: `If that is really what you want, allow it for this project: --allow-distro-name ${project} (config allow-distro-names).`,
    });
  }
  const newer = family === 'deb' ? compareDebianVersions(c.distroVersion, theirs) > 0 : compareRpmEvrText(c.distroVersion, theirs) > 0;
  if (!newer) {
    return new Py2DistroError('E_DISTRO_NAME', `${c.project}: ${where}, not older than ${c.distroVersion}`, {
      details, hint: 'A distribution name is only taken at a higher version than the distribution\'s own package.',
    });
  }
  return undefined;
}

/** The target's archive, read once per run (and cached per image id across runs). */
export function archiveReader(engine: ContainerEngine, env: StageEnv): (target: Target) => Promise<DistroArchive> {
  const memo = new Map<string, Promise<DistroArchive>>();
  return (target) => {
    let p = memo.get(target.name);
    if (!p) {
      p = (async () => {
        const image = await ensureImage(target, engine, env);
        const id = (await engine.listImages(BUILDER_REPOSITORY)).find((i) => i.ref === image.tag)?.id ?? image.tag;
        return loadDistroArchive({
          // The same snapshot (and cache file) as the build requirements read (api/build-requirements.ts).
          target, image: image.tag, imageId: id, cacheDir: env.cacheDir, hostApt: target.family === 'deb',
          runInImage: async (img, argv) => (await engine.runContainer(
            { name: `py2distro-archive-${randomBytes(6).toString('hex')}`, image: img, network: 'host', mounts: [], env: {}, command: argv },
            { signal: env.signal, timeout: 15 * 60_000 },
          )).stdout,
        });
      })();
      memo.set(target.name, p);
    }
    return p;
  };
}
