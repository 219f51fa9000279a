/**
 * The real {@link SyncBackend}: the index resolver (fetch/verify/inspect), builder images
 * (src/images.ts), render (src/render.ts), build (src/build.ts) and publish (src/publish.ts).
 * The signing key is loaded only when something is published, so a no-op sync needs neither the
 * key's passphrase nor a container.
 */
import { createWriteStream } from 'node:fs';
import { link, copyFile, mkdir, readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ContainerEngine } from '../../stages/build/index.js';
import type { StageEnv } from '../../lib/env.js';
import type { FetchOptions } from '../../stages/fetch/index.js';
import { BUILDER_REPOSITORY, ensureImage, findBuilderImage } from '../../stages/build/index.js';
import { familyOf } from '../../distro/family.js';
import type { PublishSettings } from '../../stages/publish/index.js';
import type { RenderResult } from '../../stages/render/index.js';
import type { SigningKey } from '../../stages/sign/index.js';
import type { Target } from '../../distro/targets.js';
import { digestFiles, digestTree } from './buildkey.js';
import type { ClosureNode } from './closure.js';
import { createIndexResolver, type SdistHandle } from './resolver.js';
import { isKeptRender, renderKey, type KeptRender } from './render-cache.js';
import type { SealedStore } from '../../lib/fs/sealed-store.js';
import type { SyncBackend } from './types.js';
import { archiveReader, distroNameRefusal } from '../distro-names.js';
import { normalizeName } from '../../python/requirement.js';

export interface RealBackendOptions {
  engine: ContainerEngine;
  fetchOptions: FetchOptions;
  env: StageEnv;
  repoDir: string;
  /** Loaded on first publish. */
  loadKey: () => Promise<SigningKey>;
  templatesDir?: string;
  maintainer?: string;
  runTests?: boolean;
  buildTimeoutSeconds?: number;
  /** Package files offered to every build besides our own dependencies (build's --local-repo). */
  extraLocalPackages?: string[];
  keepWork?: boolean;
  publish: PublishSettings;
  /**
   * Sealed store for inspected metadata and render digests (sync's caches); none: always work. The
   * distributed planner passes none: it records which archive binaries render looks up.
   */
  store?: SealedStore;
  /** Projects allowed to take the name their target distribution gives them (api/distro-names.ts). */
  allowDistroNames?: string[];
}

// The binary name render gave each of our packages (target → project → name): a project the distro
// ships keeps the distro's name (stages/render/distro-fit.ts), which only render knows.
const renderedNames = new Map<string, Map<string, string>>();

/** The binary package name py2distro gives a node on a target (for py3dist-overrides / Requires). */
export function ourBinaryName(node: ClosureNode, target: Target): string {
  const rendered = renderedNames.get(target.name)?.get(node.name);
  if (rendered) return rendered;
  // Named after the project that was resolved, not after what the sdist says it is.
  const { fetched } = node.sdist.handle as SdistHandle;
  return familyOf(target).binaryName({ normalizedName: fetched.name });
}

/** The build key's packaging input: debian/ (without the provenance record) or the .spec. */
export async function packagingDigest(result: RenderResult): Promise<string> {
  // The provenance record carries the verification time; it is not an input of the build.
  return result.family === 'deb'
    ? digestTree(path.join(result.deb.sourceDir, 'debian'), (rel) => rel === 'py2distro-provenance.json')
    : digestFiles({ spec: await readFile(result.rpm.specFile) });
}

export function createRealBackend(o: RealBackendOptions): SyncBackend {
  const resolver = createIndexResolver(o.fetchOptions, o.env, o.store);
  const archives = archiveReader(o.engine, o.env);
  const allowed = new Set((o.allowDistroNames ?? []).map(normalizeName));
  let key: Promise<SigningKey> | undefined;
  return {
    ...resolver,
    async image(target) {
      // The tag names the Dockerfile's hash; the id also changes when the same Dockerfile is
      // rebuilt (`images build --rebuild` picks up new distro packages), which must rebuild too.
      // Asked of the engine on every run (one image list when the image exists): never remembered.
      const present = await findBuilderImage(target, o.engine);
      if (present.id) return { ref: present.tag, id: present.id };
      const image = await ensureImage(target, o.engine, o.env);
      const found = (await o.engine.listImages(BUILDER_REPOSITORY)).find((i) => i.ref === image.tag);
      return { ref: image.tag, id: found?.id ?? image.tag };
    },
    async runInImage(image, argv) {
      const r = await o.engine.runContainer(
        { name: `py2distro-archive-${randomBytes(6).toString('hex')}`, image, network: 'host', mounts: [], env: {}, command: argv },
        { signal: o.env.signal, timeout: 15 * 60_000 },
      );
      return r.stdout;
    },
    async render({ node, target, revision, dependencies, workDir, distro, fresh }) {
      const handle = node.sdist.handle as SdistHandle;
      const localPackages = new Map(dependencies.map((d) => [d.name, ourBinaryName(d, target)]));
      const named = (binary: string) => {
        if (!renderedNames.has(target.name)) renderedNames.set(target.name, new Map());
        renderedNames.get(target.name)!.set(node.name, binary);
      };
      const cacheKey = o.store && await renderKey({
        handle, target, templatesDir: o.templatesDir, maintainer: o.maintainer, extras: node.extras, runTests: Boolean(o.runTests), revision, localPackages, distro,
      });
      if (cacheKey && !fresh) {
        const kept = await o.store!.get<KeptRender>('render', cacheKey);
        if (isKeptRender(kept)) {
          named(kept.binaryName);
          return { digest: kept.digest, packageVersion: kept.packageVersion, handle: undefined, fromCache: true };
        }
      }
      await mkdir(workDir, { recursive: true });
      // Loaded when first needed: a no-op sync renders, builds and publishes nothing (start-up time).
      const { renderPackaging } = await import('../../stages/render/index.js');
      // The tree and the provenance shipped in the package come from the sdist verified in this run.
      const sdist = await handle.tree();
      const { provenance } = await handle.verified();
      const result = await renderPackaging(
        {
          sdist, project: handle.fetched.name, provenance, target, outDir: workDir,
          templatesDir: o.templatesDir, maintainer: o.maintainer, extras: node.extras, runTests: o.runTests, revision, localPackages, distro,
        },
        { ...o.env, workDir },
      );
      named(result.binaryPackages[0]!);
      // Before any build: a name the distribution already ships is refused (or explicitly allowed).
      const archive = await archives(target);
      for (const binary of result.binaryPackages) {
        const refusal = distroNameRefusal({ project: handle.fetched.name, binary, distroVersion: result.distroVersion, target }, archive, allowed);
        if (refusal) throw refusal;
      }
      const digest = await packagingDigest(result);
      if (cacheKey) await o.store!.put('render', cacheKey, { digest, packageVersion: result.distroVersion, binaryName: result.binaryPackages[0]! } satisfies KeptRender);
      return { digest, packageVersion: result.distroVersion, handle: result };
    },
    async build({ node, target, rendered, localPackages, outDir, logPath }) {
      const handle = node.sdist.handle as SdistHandle;
      // The build mounts a directory of .debs/.rpms it may install: our dependencies' files.
      const offered = [...localPackages, ...(o.extraLocalPackages ?? [])];
      let localRepo: string | undefined;
      if (offered.length) {
        localRepo = path.join(outDir, '..', 'localrepo');
        await mkdir(localRepo, { recursive: true });
        for (const f of offered) await linkOrCopy(f, path.join(localRepo, path.basename(f)));
      }
      await mkdir(path.dirname(logPath), { recursive: true });
      const log = createWriteStream(logPath);
      try {
        const { buildPackage } = await import('../../stages/build/index.js');
        const { provenance } = await handle.verified();
        const built = await buildPackage(
          rendered.handle as RenderResult,
          { target, engine: o.engine, outDir, provenance, localRepo, timeoutSeconds: o.buildTimeoutSeconds, keepWork: o.keepWork },
          { ...o.env, onLine: (line) => log.write(line + '\n') },
        );
        return { files: built.artifacts.filter((a) => familyOf(target).isInstallablePackage(a)) };
      } finally {
        await new Promise<void>((resolve) => log.end(resolve));
      }
    },
    async publish({ target, files }) {
      key ??= o.loadKey();
      const { publishPackages } = await import('../../stages/publish/index.js');
      const result = await publishPackages(
        {
          repoDir: o.repoDir, files, key: await key, ...o.publish,
          ...familyOf(target).publishGroup(target),
        },
        o.env,
      );
      const published = [...result.added, ...result.unchanged].filter((i) => i.input).map((i) => ({ input: i.input!, path: i.path }));
      return { published, pruned: result.pruned.map((i) => i.path) };
    },
    publishedPath(_target, repoPath) {
      return path.join(o.repoDir, repoPath);
    },
  };
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    await copyFile(from, to);
  }
}
