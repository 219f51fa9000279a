/**
 * Builder images. Each target's image is built from docker/<target>/Dockerfile plus docker/scripts/
 * and tagged `localhost/py2distro-builder:<target>-<sha256(context)[:12]>`, so editing the
 * Dockerfile or a script gives a new tag (a rebuild) and an unchanged context is reused as is.
 *
 * The base image (Dockerfile `ARG BASE_IMAGE`) is, in order: the target's official image if it is
 * already local; py2distro's own bootstrapped base `localhost/py2distro-base:<distro>-<suite>` if
 * present; the official image pulled; or — Debian and Ubuntu only — a minbase root filesystem made
 * with mmdebstrap from the distro archive and imported, so that no registry is needed.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ContainerEngine, ImageInfo } from './engines/types.js';
import type { StageEnv } from '../../lib/env.js';
import { Py2DistroError } from '../../lib/errors.js';
import { packagePath } from '../../lib/paths.js';
import { requireTools, run } from '../../lib/exec.js';
import { acquireLock } from '../../lib/fs/lock.js';
import { TARGETS, type Target } from '../../distro/targets.js';

export const BUILDER_REPOSITORY = 'localhost/py2distro-builder';
export const BASE_REPOSITORY = 'localhost/py2distro-base';

/** docker/ of this installation (next to dist/ and src/). */
export const DOCKER_DIR = packagePath('docker');

export interface ImageEnv extends StageEnv {
  onLine?: (line: string) => void;
}

export interface BuilderImage {
  target: string;
  tag: string;
  baseImage: string;
  /** How the base was obtained, and whether the builder was built now or reused. */
  base: 'local' | 'pulled' | 'bootstrapped';
  status: 'built' | 'reused';
}

/** The files of a target's build context, relative path → bytes, in a stable order. */
export async function builderContext(target: Target, dockerDir = DOCKER_DIR): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const dockerfile = path.join(dockerDir, target.name, 'Dockerfile');
  try {
    files.set('Dockerfile', await readFile(dockerfile));
  } catch (err) {
    throw new Py2DistroError('E_IMAGE_BUILD', `no Dockerfile for target ${target.name} at ${dockerfile}`, { cause: err });
  }
  const scripts = (await readdir(path.join(dockerDir, 'scripts'))).sort();
  for (const s of scripts) files.set(`scripts/${s}`, await readFile(path.join(dockerDir, 'scripts', s)));
  return files;
}

/** sha256 over (path, length, bytes) of every context file, so renames and edits both count. */
export function contextDigest(files: Map<string, Buffer>): string {
  const h = createHash('sha256');
  for (const [rel, data] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    h.update(`${rel}\0${data.length}\0`);
    h.update(data);
  }
  return h.digest('hex');
}

export function builderTag(target: Target, digest: string): string {
  return `${BUILDER_REPOSITORY}:${target.name}-${digest.slice(0, 12)}`;
}

/** `localhost/py2distro-base:debian-bookworm` — the name the offline bootstrap imports as. */
export function bootstrapBaseTag(target: Target): string {
  return `${BASE_REPOSITORY}:${target.distro}-${target.bootstrap?.suite ?? target.codename}`;
}

const KEYRINGS: Record<string, string> = { ubuntu: '/usr/share/keyrings/ubuntu-archive-keyring.gpg' };

async function bootstrapBase(target: Target, engine: ContainerEngine, env: ImageEnv): Promise<string> {
  const boot = target.bootstrap;
  if (!boot) {
    throw new Py2DistroError('E_IMAGE_BASE', `cannot pull ${target.baseImage} and ${target.name} has no offline bootstrap`, {
      hint: `Make ${target.baseImage} available (pull it on a connected machine and \`${engine.name} load\` it, or mirror the registry), then retry.`,
    });
  }
  await requireTools(['mmdebstrap']);
  const tag = bootstrapBaseTag(target);
  const args = ['--variant=minbase', `--components=${boot.components.join(',')}`, '--format=tar'];
  const keyring = KEYRINGS[target.distro];
  if (keyring) args.push(`--keyring=${keyring}`);
  const tarball = path.join(await mkdtemp(path.join(env.workDir, 'rootfs-')), 'rootfs.tar');
  env.log.info(`bootstrapping ${tag} with mmdebstrap from ${boot.mirror}`);
  try {
    await run('mmdebstrap', [...args, boot.suite, tarball, boot.mirror], { timeout: 30 * 60_000, signal: env.signal, onLine: env.onLine, log: env.log });
    await engine.importRootfs(tarball, tag, { signal: env.signal, onLine: env.onLine });
  } catch (err) {
    if ((err as Py2DistroError).code === 'E_ABORTED') throw err;
    throw new Py2DistroError('E_IMAGE_BASE', `bootstrapping ${tag} failed: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
      hint: `mmdebstrap needs ${boot.mirror} reachable${keyring ? ` and ${keyring} (apt-get install ${target.distro}-keyring)` : ''}.`,
    });
  } finally {
    await rm(path.dirname(tarball), { recursive: true, force: true });
  }
  return tag;
}

/** Resolve the base image reference, pulling or bootstrapping it if needed. */
export async function ensureBaseImage(target: Target, engine: ContainerEngine, env: ImageEnv): Promise<{ ref: string; how: BuilderImage['base'] }> {
  if (await engine.imageExists(target.baseImage)) return { ref: target.baseImage, how: 'local' };
  const own = bootstrapBaseTag(target);
  if (target.bootstrap && (await engine.imageExists(own))) return { ref: own, how: 'local' };
  env.log.info(`pulling ${target.baseImage}`);
  if (await engine.tryPull(target.baseImage, { signal: env.signal, onLine: env.onLine })) return { ref: target.baseImage, how: 'pulled' };
  env.signal?.throwIfAborted();
  env.log.info(`cannot pull ${target.baseImage}; falling back to an offline bootstrap`);
  if (!target.bootstrap) return { ref: await bootstrapBase(target, engine, env), how: 'bootstrapped' }; // throws E_IMAGE_BASE
  // Two targets share one base (debian-bookworm, rpmtest-bookworm): bootstrap it once.
  const lock = await acquireImageLock(own, engine, env);
  try {
    if (await engine.imageExists(own)) return { ref: own, how: 'local' };
    return { ref: await bootstrapBase(target, engine, env), how: 'bootstrapped' };
  } finally {
    await lock.release();
  }
}

/**
 * A cross-process lock per image tag. Images live in the engine's store, shared by every py2distro
 * of this user whatever its --cache-dir, so the lock lives in the system temp dir, per uid.
 */
function acquireImageLock(tag: string, engine: ContainerEngine, env: ImageEnv) {
  const uid = process.getuid?.() ?? 'user';
  const lockDir = path.join(os.tmpdir(), `py2distro-image-locks-${uid}`, `${engine.name}-${tag.replace(/[^A-Za-z0-9_.-]+/g, '_')}`);
  return acquireLock(lockDir, { waitMs: 60 * 60_000, signal: env.signal });
}

// One build per engine+tag at a time inside this process (packages × targets share images).
const inFlight = new Map<string, Promise<BuilderImage>>();

/** The builder image for a target: reused when its tag exists, built otherwise. */
export async function ensureImage(target: Target, engine: ContainerEngine, env: ImageEnv, opts: { rebuild?: boolean } = {}): Promise<BuilderImage> {
  const files = await builderContext(target);
  const tag = builderTag(target, contextDigest(files));
  const key = `${engine.name}\0${engine.hostId}\0${tag}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = buildIfMissing(target, tag, files, engine, env, opts.rebuild ?? false).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function buildIfMissing(target: Target, tag: string, files: Map<string, Buffer>, engine: ContainerEngine, env: ImageEnv, rebuild: boolean): Promise<BuilderImage> {
  if (!rebuild && (await engine.imageExists(tag))) {
    return { target: target.name, tag, baseImage: '', base: 'local', status: 'reused' };
  }
  // Another py2distro (a parallel test, a second sync) may be building the same tag: wait for it
  // rather than bootstrapping and building twice, then reuse what it built.
  const lock = await acquireImageLock(tag, engine, env);
  try {
    if (!rebuild && (await engine.imageExists(tag))) {
      return { target: target.name, tag, baseImage: '', base: 'local', status: 'reused' };
    }
    return await buildImageNow(target, tag, files, engine, env);
  } finally {
    await lock.release();
  }
}

async function buildImageNow(target: Target, tag: string, files: Map<string, Buffer>, engine: ContainerEngine, env: ImageEnv): Promise<BuilderImage> {
  const base = await ensureBaseImage(target, engine, env);
  // The context holds exactly the hashed files, so the tag describes what was built.
  const contextDir = await mkdtemp(path.join(env.workDir, `context-${target.name}-`));
  try {
    for (const [rel, data] of files) {
      await mkdir(path.dirname(path.join(contextDir, rel)), { recursive: true });
      await writeFile(path.join(contextDir, rel), data);
    }
    env.log.info(`building ${tag} from ${base.ref}`);
    await engine.buildImage(
      {
        contextDir,
        tag,
        buildArgs: { BASE_IMAGE: base.ref },
        labels: { 'org.py2distro.target': target.name, 'org.py2distro.context-sha256': contextDigest(files) },
      },
      { signal: env.signal, onLine: env.onLine },
    );
  } finally {
    await rm(contextDir, { recursive: true, force: true });
  }
  return { target: target.name, tag, baseImage: base.ref, base: base.how, status: 'built' };
}

/**
 * A target's builder image as the engine has it now, with one query of that one image (no build,
 * no listing of every image in the store): the tag its current Dockerfile and scripts give, and
 * the image's id if the engine has that tag — as `images` shows it (the first 12 hex digits), the
 * form build keys have always used.
 */
export async function findBuilderImage(target: Target, engine: ContainerEngine): Promise<{ tag: string; id?: string }> {
  const tag = builderTag(target, contextDigest(await builderContext(target)));
  const full = await engine.imageId(tag);
  const hex = full?.replace(/^sha256:/, '');
  return hex && /^[0-9a-f]{12,}$/.test(hex) ? { tag, id: hex.slice(0, 12) } : { tag };
}

export async function listBuilderImages(engine: ContainerEngine): Promise<ImageInfo[]> {
  return engine.listImages(BUILDER_REPOSITORY);
}

export interface PruneResult {
  kept: string[];
  removed: string[];
  /** Stale tags the engine would not remove (a container still uses them). */
  failed: string[];
}

/**
 * Remove builder images whose tag no longer matches their target's current Dockerfile and scripts
 * (every edit of docker/ makes a new tag; nightly syncs would otherwise fill the disk). Images of
 * targets py2distro does not know, and bases, are left alone.
 */
export async function pruneBuilderImages(engine: ContainerEngine, opts: { dryRun?: boolean } = {}): Promise<PruneResult> {
  const current = new Set<string>();
  for (const t of TARGETS) current.add(builderTag(t, contextDigest(await builderContext(t))));
  const result: PruneResult = { kept: [], removed: [], failed: [] };
  for (const image of await listBuilderImages(engine)) {
    const ours = TARGETS.some((t) => image.ref.startsWith(`${BUILDER_REPOSITORY}:${t.name}-`));
    if (!ours || current.has(image.ref)) {
      result.kept.push(image.ref);
    } else if (opts.dryRun || (await engine.removeImage(image.ref))) {
      result.removed.push(image.ref);
    } else {
      result.failed.push(image.ref);
    }
  }
  return result;
}
