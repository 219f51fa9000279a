/**
 * The build stage: rendered packaging sources in, built packages out. Two fresh containers of the
 * target's builder image share a per-run work dir (mounted, or copied in and out for a remote
 * engine: containers.ts): the first (network on) downloads Build-Depends into a cache, the second
 * (`--network=none`) installs them from it and builds as the unprivileged `builder` user. Only docker/scripts/ knows the dpkg-buildpackage/rpmbuild invocation.
 * Artifacts reach --out through a temp dir and rename, so an interruption never leaves half a file.
 */
import { createWriteStream } from 'node:fs';
import { copyFile, cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { filledFields, readBuiltMetadata, type BuiltPackageMetadata } from './built-metadata.js';
import type { ContainerEngine } from './engines/types.js';
import { runBuildSteps, runDirs } from './containers.js';
import type { StageEnv } from '../../lib/env.js';
import { Py2DistroError } from '../../lib/errors.js';
import { ensureImage, type BuilderImage } from './images.js';
import { expectedEnv, verifyBuildOutputs, type ExpectedOutputs } from './outputs.js';
import type { SdistMetadata } from '../../python/metadata.js';
import type { Provenance } from '../verify/index.js';
import { sha256File } from '../../lib/fs/cache.js';
import { placeInOutDir } from '../../lib/fs/out-dir.js';
import type { Target } from '../../distro/targets.js';

/** The part of render's RenderResult the build needs (render returns a superset). */
export type RenderedSources = RenderedCommon & (
  | { family: 'deb'; deb: { sourceDir: string; origTarball: string } }
  | { family: 'rpm'; rpm: { specFile: string; sourceTarball: string; sources: string[]; hostDeps?: string } }
);

interface RenderedCommon {
  sourcePackage: string;
  /** The binary packages render declared: the only ones a build may return. */
  binaryPackages: string[];
  distroVersion: string;
  arch: string;
  sourceDateEpoch: number;
  metadata: SdistMetadata;
  /** What render decided (names, added dependencies): written at the top of the build log. */
  notes?: string[];
}

export interface BuildOptions {
  target: Target;
  engine: ContainerEngine;
  outDir: string;
  /** Verified upstream provenance; extended with `build` and written next to the artifacts. */
  provenance?: Provenance;
  /** Directory of packages py2distro built earlier, offered as build dependencies. */
  localRepo?: string;
  /** Wall-clock limit of the whole build in seconds (default 3600). */
  timeoutSeconds?: number;
  /** Parallel compile jobs inside the container (default: CPUs of this machine). */
  parallel?: number;
  /** Keep the per-run work dir (sources, cache, raw output) for debugging. */
  keepWork?: boolean;
}

export interface BuildEnv extends StageEnv {
  /** Each build-log line as it arrives (the listr task's output). */
  onLine?: (line: string) => void;
}

export interface BuildResult<R extends RenderedSources = RenderedSources> {
  target: string;
  /** Absolute paths in --out. */
  artifacts: string[];
  /** The saved build log in --out. */
  log: string;
  renderResult: R;
  provenance?: Provenance;
  image: string;
  packageMetadata?: BuiltPackageMetadata;
}

export async function buildPackage<R extends RenderedSources>(rendered: R, opts: BuildOptions, env: BuildEnv): Promise<BuildResult<R>> {
  const { target } = opts;
  if (target.family !== rendered.family) {
    throw new Py2DistroError('E_USAGE', `sources rendered for ${rendered.family} cannot be built for ${target.name} (${target.family})`);
  }
  const deadline = Date.now() + (opts.timeoutSeconds ?? 3600) * 1000;
  const image: BuilderImage = await ensureImage(target, opts.engine, env);
  const stem = `${rendered.metadata.normalizedName}-${rendered.metadata.version}-${target.name}`;
  const runDir = await mkdtemp(path.join(env.workDir, `build-${target.name}-`));
  const logFile = path.join(runDir, 'build.log');
  const logStream = createWriteStream(logFile);
  // A killed engine client can still flush lines after the log is closed; never crash on that.
  logStream.on('error', (err) => env.log.debug(`build log: ${err.message}`));
  const onLine = (line: string) => {
    if (!logStream.writableEnded) logStream.write(line + '\n');
    env.onLine?.(line);
  };
  let aborted = false;
  // The scripts' own diagnosis of a failure (docker/scripts: "py2distro-build: error: ..."), if any.
  let diagnosis: string | undefined;
  const onContainerLine = (line: string) => {
    const m = /^py2distro-build: error: (.+)$/.exec(line);
    if (m) diagnosis = m[1];
    onLine(line);
  };
  for (const note of rendered.notes ?? []) onLine(`py2distro: ${note}`);
  try {
    const dirs = runDirs(runDir);
    await Promise.all([dirs.src, dirs.cache, dirs.out].map((d) => mkdir(d, { recursive: true })));
    await stageSources(rendered, dirs.src);
    // Rootless podman maps container root to the invoking user; a docker daemon does not. Copied
    // files come out owned by the client whatever their owner inside, so the copy transfer needs no chown.
    const chownTo = opts.engine.name === 'docker' && opts.engine.transfer === 'bind';
    const expected: ExpectedOutputs = {
      family: rendered.family, sourcePackage: rendered.sourcePackage, binaryPackages: rendered.binaryPackages,
      distroVersion: rendered.distroVersion, arch: rendered.arch === 'any' ? 'any' : 'all',
    };
    const containerEnv = {
      SOURCE_DATE_EPOCH: String(rendered.sourceDateEpoch),
      BUILD_JOBS: String(opts.parallel ?? os.availableParallelism()),
      HOST_UID: String(chownTo ? (process.getuid?.() ?? 0) : 0),
      HOST_GID: String(chownTo ? (process.getgid?.() ?? 0) : 0),
      ...expectedEnv(expected),
    };
    const outDir = await runBuildSteps({
      engine: opts.engine, image: image.tag, runDir, localRepo: opts.localRepo, env: containerEnv,
      labels: { 'org.py2distro.build': stem }, id: randomBytes(6).toString('hex'), deadline,
      timeoutSeconds: opts.timeoutSeconds ?? 3600, stem, signal: env.signal, onLine: onContainerLine, family: target.family,
    });
    // Only what render produced, as regular files, with the right headers and no foreign scripts (outputs.ts).
    const produced = await verifyBuildOutputs(outDir, expected, stem);
    if (!produced.some((f) => /\.(deb|rpm)$/.test(f))) {
      throw new Py2DistroError('E_BUILD_FAILED', `${stem}: the build finished but produced no package`);
    }
    const packageMetadata = await readBuiltMetadata(path.join(outDir, 'package-METADATA'), path.join(outDir, 'package-requires.txt'));
    const artifacts = await placeInOutDir(outDir, produced, opts.outDir);
    const provenance = opts.provenance && {
      ...opts.provenance,
      build: {
        target: target.name,
        image: image.tag,
        sourceDateEpoch: rendered.sourceDateEpoch,
        artifacts: await Promise.all(artifacts.map(async (a) => ({ file: path.basename(a), sha256: await sha256File(a) }))),
        ...(packageMetadata ? { packageMetadata, filled: filledFields(rendered.metadata, packageMetadata) } : {}),
      },
    };
    if (provenance) await placeInOutDir(undefined, [{ name: `${stem}.provenance.json`, content: JSON.stringify(provenance, null, 2) + '\n' }], opts.outDir);
    return { target: target.name, artifacts, log: path.join(opts.outDir, `${stem}.build.log`), renderResult: rendered, provenance, image: image.tag, packageMetadata };
  } catch (err) {
    aborted = Boolean(env.signal?.aborted);
    if (aborted) throw new Py2DistroError('E_ABORTED', `${stem}: build interrupted`, { cause: err });
    if (err instanceof Py2DistroError && err.code === 'E_EXEC') {
      throw new Py2DistroError('E_BUILD_FAILED', `${stem}: ${diagnosis ?? err.message.split('\n')[0]}`, {
        cause: err,
        hint: `Read the build log: ${path.join(opts.outDir, `${stem}.build.log`)}${opts.keepWork ? ` (work dir kept: ${runDir})` : ''}`,
      });
    }
    throw err;
  } finally {
    await new Promise<void>((resolve) => logStream.end(resolve));
    // The log is kept on success and failure; after Ctrl-C nothing is written to --out.
    if (!aborted) await placeInOutDir(runDir, [{ name: 'build.log', as: `${stem}.build.log` }], opts.outDir).catch(() => undefined);
    if (!opts.keepWork) await rm(runDir, { recursive: true, force: true });
    else env.log.info(`work dir kept: ${runDir}`);
  }
}

/** Lay the sources out as docker/scripts expect: deb → <src>-<ver>/ + orig; rpm → SPECS/ + SOURCES/. */
async function stageSources(rendered: RenderedSources, dir: string): Promise<void> {
  if (rendered.family === 'deb') {
    const { deb } = rendered;
    // verbatimSymlinks: links are copied as links (extraction already refused ones leaving the tree).
    await cp(deb.sourceDir, path.join(dir, path.basename(deb.sourceDir)), { recursive: true, verbatimSymlinks: true });
    await copyFile(deb.origTarball, path.join(dir, path.basename(deb.origTarball)));
  } else {
    const { rpm } = rendered;
    await mkdir(path.join(dir, 'SPECS'));
    await mkdir(path.join(dir, 'SOURCES'));
    await copyFile(rpm.specFile, path.join(dir, 'SPECS', path.basename(rpm.specFile)));
    // Every SourceN: file render wrote (the tarball, the provenance record), in N order.
    for (const source of rpm.sources) await copyFile(source, path.join(dir, 'SOURCES', path.basename(source)));
    if (rpm.hostDeps) await copyFile(rpm.hostDeps, path.join(dir, 'py2distro-host-deps'));
  }
}

/** File names of the spec's `SourceN:` tags (basename: a URL source is looked for locally too). */
