/**
 * Publish signed .rpms into a yum/dnf repository at <repo>/rpm/<target>/. The new packages' metadata
 * blocks are rendered from their signed bytes as createrepo_c (the reference implementation) writes
 * them (distro/rpm/repodata.ts; createrepo_c itself indexes any package the renderer does not
 * model), the rest is carried over from the verified previous generation (yum-generation.ts,
 * yum-metadata.ts); py2distro makes it atomic. dnf with
 * repo_gpgcheck reads repomd.xml and then repomd.xml.asc, and the two must always match, which two
 * file renames cannot promise. So each publish writes a complete generation directory
 * (repodata.<stamp>/: primary, filelists, other, repomd.xml and repomd.xml.asc) and swaps the
 * `repodata` symlink to it with one rename. Data files of the previous generation are hard-linked
 * into the new one, so a client that read the old repomd.xml a moment before the swap still
 * finds what it names. The state py2distro reads back is exactly what dnf sees — the signed
 * repomd.xml and the primary.xml it names — and is verified before use (yum-state.ts).
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { StageEnv } from '../../lib/env.js';
import { BugError, Py2DistroError } from '../../lib/errors.js';
import type { SigningKey } from '../sign/index.js';
import { signDetachedArmored } from '../sign/index.js';
import { readYumState, type YumEntry } from './yum-state.js';
import { classify, nevra, retain, rpmFileName, toItem, type Input, type NewRpm, type YumPublishResult } from './yum-classify.js';
import { buildGeneration, indexRpms, stagedPath } from './yum-generation.js';
import { primaryEntry, REPODATA_TYPES, type RepodataPackage, type RepodataType } from './yum-metadata.js';
import { assertRealDirs, removePublished, GENERATION, RPM_TARGET } from './trust.js';
import { PoolPlacer, syncDir, syncFiles, syncFilesystem, tmpPathFor, writeFileAtomic, type SourceFile } from '../../lib/fs/atomic.js';
import { renderRepodata } from '../../distro/rpm/repodata.js';
import { IO_CONCURRENCY, mapLimit } from '../../lib/concurrency.js';
import { phaseTimer } from '../../lib/timing.js';

export { RPM_TARGET };
export type { YumEntry } from './yum-state.js';
export { rpmFileName, type NewRpm, type YumItem, type YumPublishResult } from './yum-classify.js';

export async function publishYum(
  opts: { repoDir: string; target: string; rpms: NewRpm[]; key: SigningKey; retention?: number },
  env: StageEnv,
): Promise<YumPublishResult> {
  if (!RPM_TARGET.test(opts.target)) throw new Py2DistroError('E_USAGE', `invalid rpm target ${JSON.stringify(opts.target)}`);
  const targetDir = path.join(opts.repoDir, 'rpm', opts.target);
  const timer = phaseTimer(env.log, `yum ${opts.target} phases`);
  const inputs = opts.rpms.map((rpm) => ({ ...rpm, file: `Packages/${rpmFileName(rpm.info)}` }));
  let scratch: string | undefined;
  try {
    const state = await readYumState(opts.repoDir, opts.target, opts.key);
    timer.lap('state');
    const { result, toAdd } = await classify(targetDir, opts.target, state, inputs);
    timer.lap('classify');
    if (toAdd.length === 0 && state.generation) return result;
    const published = state.documents;

    // The new packages' blocks, rendered from the signed bytes; createrepo_c indexes (private
    // copies of) any package whose header the renderer does not model.
    const written = Math.floor(Date.now() / 1000);
    const fresh = new Map<string, RepodataPackage>();
    const forCreaterepo: typeof toAdd = [];
    for (const rpm of toAdd) {
      const blocks = rpmRepodata(rpm, written);
      if (blocks) fresh.set(rpm.file, blocks);
      else forCreaterepo.push(rpm);
    }
    timer.lap(`render ${fresh.size} new`);
    if (forCreaterepo.length) {
      // Private (mkdtemp: 0700) and hidden: env.workDir may be a build's --out, where globs over *.rpm should not find it.
      scratch = await mkdtemp(path.join(env.workDir, '.py2distro-yum-'));
      env.log.debug(`yum ${opts.target}: createrepo_c indexes ${forCreaterepo.map((r) => r.file).join(', ')}`);
      for (const [file, p] of await indexRpms(scratch, forCreaterepo, env)) fresh.set(file, p);
      timer.lap(`createrepo_c (${forCreaterepo.length} new)`);
    }

    await assertRealDirs(opts.repoDir, `rpm/${opts.target}/Packages`);
    await mkdir(path.join(targetDir, 'Packages'), { recursive: true });
    const placer = new PoolPlacer();
    const viaScratch = new Set(forCreaterepo.map((r) => r.file));
    await mapLimit(toAdd, IO_CONCURRENCY, async (rpm) => {
      env.signal?.throwIfAborted();
      // A hard link of the staged copy createrepo_c read (no second copy of the bytes), else a write.
      let staged: SourceFile | undefined;
      if (scratch && viaScratch.has(rpm.file)) {
        const from = stagedPath(scratch, rpm.file);
        const st = statSync(from);
        staged = { path: from, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
      }
      // A rendered package's file carries the time its primary.xml entry names (createrepo_c: the file's mtime).
      await placer.place(path.join(targetDir, rpm.file), rpm.bytes, staged, { fsync: false, ...(staged ? {} : { mtime: written }) });
    });
    // Durable before any index names them, overlapping the metadata work. A few files: one fsync
    // each (syncfs would also wait for every other writer on the file system); many: one syncfs.
    const packagesDurable = toAdd.length > 64 ? syncFilesystem(targetDir) : syncFiles(toAdd.map((r) => path.join(targetDir, r.file)));
    packagesDurable.catch(() => undefined); // awaited in buildGeneration
    timer.lap('packages');

    let keep = (_file: string) => true;
    if (opts.retention) {
      const entries: YumEntry[] = [...state.entries, ...toAdd.map((r) => ({
        name: r.info.name, epoch: r.info.epoch, version: r.info.version, release: r.info.release, arch: r.info.arch, file: r.file, sha256: '',
      }))];
      const { kept, pruned } = retain(entries, opts.retention);
      const keptFiles = new Set(kept.map((e) => e.file));
      keep = (file) => keptFiles.has(file);
      result.pruned = pruned.map((e) => toItem(e, opts.target));
      const prunedPaths = new Set(result.pruned.map((p) => p.path));
      result.added = result.added.filter((a) => !prunedPaths.has(a.path));
    }
    const added = toAdd.map((r) => fresh.get(r.file)!);
    const generation = await buildGeneration({ targetDir, previous: state, published, added, keep, packagesDurable, key: opts.key }, timer);
    // The swap: one rename of a symlink makes the new generation live.
    const tmpLink = tmpPathFor(path.join(targetDir, 'repodata'));
    await symlink(generation, tmpLink);
    await rename(tmpLink, path.join(targetDir, 'repodata'));
    await syncDir(targetDir);
    timer.lap('swap');
    env.log.info(`yum ${opts.target}: +${result.added.length} package(s), ${result.unchanged.length} unchanged, ${result.pruned.length} pruned`);

    // Only now: generations older than the previous one, and pruned packages.
    for (const name of await readdir(targetDir)) {
      if (GENERATION.test(name) && name !== generation && name !== state.generation) {
        await rm(path.join(targetDir, name), { recursive: true, force: true });
      }
    }
    for (const p of result.pruned) await removePublished(opts.repoDir, p.path);
    timer.lap('cleanup');
    return result;
  } finally {
    timer.done();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * A new package's blocks from its signed bytes (distro/rpm/repodata.ts), undefined when createrepo_c
 * must index it. The primary block is read back as the next publish will read it and must name
 * exactly this package.
 */
function rpmRepodata(rpm: Input, written: number): RepodataPackage | undefined {
  const sha256 = createHash('sha256').update(rpm.bytes).digest('hex');
  const blocks = renderRepodata({ bytes: rpm.bytes, sha256, href: rpm.file, mtime: written });
  if (!blocks) return undefined;
  const entry = primaryEntry(blocks.primary, `the primary.xml entry rendered for ${rpm.file}`);
  if (entry.file !== rpm.file || entry.sha256 !== sha256 || nevra(entry) !== nevra(rpm.info)) {
    throw new BugError(`the primary.xml entry rendered for ${rpm.file} names ${nevra(entry)} at ${entry.file}`);
  }
  const out = {} as Record<RepodataType, Buffer>;
  for (const type of REPODATA_TYPES) out[type] = Buffer.from(blocks[type], 'utf8');
  return { entry, blocks: out };
}

/** Re-sign the verified repomd.xml of the live generation (timer, key rotation); one rename, so always consistent. */
export async function resignYum(repoDir: string, target: string, key: SigningKey): Promise<boolean> {
  const state = await readYumState(repoDir, target, key);
  if (!state.generation || !state.repomd) return false;
  // The bytes signed are the ones just verified, never a second read of the file.
  await writeFileAtomic(path.join(repoDir, 'rpm', target, state.generation, 'repomd.xml.asc'), await signDetachedArmored(state.repomd, key));
  return true;
}

