/**
 * Publish .debs into an apt repository (<repo>/deb/) for one codename, in the order that keeps
 * every moment valid for apt (a SIGKILL anywhere leaves the previous generation intact):
 *   1. pool files (new names; an orphan from a killed run is simply rewritten),
 *   2. Packages{,.gz} under by-hash/SHA256/ (content-addressed, never overwritten),
 *   3. the plain Packages files, hard links to those objects (apt with Acquire-By-Hash never reads
 *      them against an old Release),
 *   4. Release, Release.gpg, InRelease — InRelease last,
 *   5. only then: old by-hash generations and pruned pool files are deleted.
 * Pool layout: pool/<codename>/main/<prefix>/<package>_<version>_<arch>.deb (../trust.ts). The
 * codename level exists because py2distro builds the same version separately per distribution;
 * sharing one pool file name across codenames would make every second target a conflict. The
 * version keeps a non-zero epoch ("1:2.0": apt fetches ':' in a path as is), so `foo 1:2.0` and
 * `foo 2.0` never share a file; a pool file that a published entry already names is never written again.
 * Everything read back from the repository is verified first (state.ts, ../trust.ts).
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StageEnv } from '../../../lib/env.js';
import { Py2DistroError } from '../../../lib/errors.js';
import type { SigningKey } from '../../sign/index.js';
import { DEFAULT_VALID_UNTIL_DAYS, renderRelease, writeSignedRelease } from './release.js';
import { distDir, readPublishedApt, type PublishedIndex } from './state.js';
import { byteString, compareEntries, PackagesText, type AptIndexEntry } from './packages-index.js';
import { rebuildIndex, retentionEdit, type RebuiltIndex } from './index-update.js';
import { byHashDir, collectGarbage, linkPlainIndex, recordGeneration, writeByHash } from './byhash.js';
import { PoolPlacer, syncFiles, syncFilesystem, type SourceFile } from '../../../lib/fs/atomic.js';
import { PoolDirs } from './pool-dirs.js';
import { assertRealDirs, CODENAME, poolPathFor, removePublished } from '../trust.js';
import { readDebInfo, type DebInfo } from '../../../distro/deb/deb-file.js';
import { formatParagraph, type Paragraph } from '../../../distro/deb/deb822.js';
import { phaseTimer } from '../../../lib/timing.js';

export const DEFAULT_ARCHITECTURES = ['amd64', 'arm64'];
export { CODENAME };

export interface NewDeb {
  /** Where the caller got it (for messages and results). */
  input: string;
  info: DebInfo;
  bytes: Buffer;
  /** The input file, when `bytes` are exactly its content (then it is linked, not copied, into the pool). */
  source?: SourceFile;
}

/** Up to this many new pool files are fsynced one by one; more get one syncfs(2). */
const FSYNC_EACH_MAX = 16;

export interface AptPublishOptions {
  repoDir: string;
  codename: string;
  debs: NewDeb[];
  key: SigningKey;
  origin?: string;
  label?: string;
  validUntilDays?: number;
  retention?: number;
  architectures?: string[];
  now?: Date;
}

export interface AptItem {
  input?: string;
  package: string;
  version: string;
  architecture: string;
  codename: string;
  path: string;
  sha256: string;
}

export interface AptPublishResult {
  added: AptItem[];
  unchanged: AptItem[];
  pruned: AptItem[];
}

export function poolPath(info: Pick<DebInfo, 'package' | 'version' | 'architecture' | 'source'>, codename: string): string {
  return poolPathFor(info, codename);
}

export async function publishApt(opts: AptPublishOptions, env: StageEnv): Promise<AptPublishResult> {
  const { repoDir, codename } = opts;
  if (!CODENAME.test(codename)) throw new Py2DistroError('E_USAGE', `invalid codename ${JSON.stringify(codename)}`);
  const debRoot = path.join(repoDir, 'deb');
  const timer = phaseTimer(env.log, `apt ${codename} phases`);
  const poolPaths = new Map<DebInfo, string>(); // each new .deb's pool path, checked once
  const poolPathOf = (info: DebInfo) => {
    let rel = poolPaths.get(info);
    if (rel === undefined) poolPaths.set(info, (rel = poolPath(info, codename)));
    return rel;
  };
  const state = await readPublishedApt(debRoot, codename, opts.key);
  timer.lap('verified state');
  const origin = stableField('Origin', opts.origin, state.origin);
  const label = stableField('Label', opts.label, state.label);
  // What is published under the names being added — only those paragraphs are parsed. A pool
  // file name contains the package name, so only they can own the pool path a new file would take.
  const bases = [...new Set(state.indexes.values())];
  const published = new Map<string, AptIndexEntry>();
  const poolOwners = new Map<string, string>(); // pool file → the published id that names it
  for (const name of new Set(opts.debs.map((d) => d.info.package))) {
    for (const { packages } of bases) {
      for (const index of packages.indexesOf(name)) {
        const e = packages.entry(index);
        published.set(`${e.package} ${e.version} ${e.architecture}`, e);
        poolOwners.set(e.filename, `${e.package} ${e.version} ${e.architecture}`);
      }
    }
  }

  const result: AptPublishResult = { added: [], unchanged: [], pruned: [] };
  const conflicts: string[] = [];
  const toAdd = new Map<string, NewDeb>();
  for (const deb of opts.debs) {
    const { info } = deb;
    const id = `${info.package} ${info.version} ${info.architecture}`;
    const item: AptItem = { input: deb.input, package: info.package, version: info.version, architecture: info.architecture, codename, path: `deb/${poolPathOf(info)}`, sha256: info.sha256 };
    const existing = published.get(id);
    const pending = toAdd.get(id);
    if (existing) {
      if (existing.sha256 === info.sha256 || (await publishedIdentity(debRoot, existing)) === info.identitySha256) result.unchanged.push(item);
      else conflicts.push(`${id} (${codename}) is published as ${existing.filename} with different content`);
    } else if (pending) {
      if (pending.info.identitySha256 !== info.identitySha256) conflicts.push(`${id} (${codename}) given twice with different content`);
    } else if (poolOwners.has(item.path.slice('deb/'.length))) {
      // An older repository names its pool files without the epoch: never overwrite what it lists.
      conflicts.push(`${id} (${codename}) would replace ${item.path}, published for ${poolOwners.get(item.path.slice('deb/'.length))}`);
    } else {
      toAdd.set(id, deb);
      result.added.push(item);
    }
  }
  if (conflicts.length) {
    throw new Py2DistroError('E_REPO_CONFLICT', `refusing to replace published packages:\n  ${conflicts.join('\n  ')}`, { details: { conflicts } });
  }
  if (toAdd.size === 0 && state.release) return result; // idempotent: nothing to write, not even a new Date

  // 1. pool files: reflinked or hard-linked from the input when it is unchanged (no second copy of
  // the bytes), else written; temporaries in pool/ itself. Durability: few files are fsynced
  // together with the by-hash objects below; many get one syncfs with them, before any index names them.
  const checked = new Set<string>();
  const fsyncEach = toAdd.size <= FSYNC_EACH_MAX;
  const poolDirs = new PoolDirs(repoDir);
  const placer = new PoolPlacer(path.join(debRoot, 'pool'));
  const placed: string[] = [];
  for (const deb of toAdd.values()) {
    env.signal?.throwIfAborted();
    const rel = poolPathOf(deb.info);
    poolDirs.ensure(path.posix.dirname(rel));
    const target = `${debRoot}/${rel}`; // rel is a checked pool path (no empty, . or .. segment): path.join's result
    await placer.place(target, deb.bytes, deb.source, { fsync: false });
    placed.push(target);
  }
  timer.lap(`pool (${toAdd.size} files)`);

  // Indexes: the previous ones plus the new entries (arch "all" goes into every binary-<arch>), minus
  // what retention prunes; a new architecture starts from the published arch "all" entries.
  const newArches = [...toAdd.values()].map((d) => d.info.architecture).filter((a) => a !== 'all');
  const architectures = [...new Set([...state.architectures, ...(opts.architectures ?? DEFAULT_ARCHITECTURES), ...newArches])].sort();
  const added = [...toAdd.values()].map((d) => indexEntry(d.info, poolPathOf(d.info)));
  let archAllBase: PublishedIndex | undefined;
  const seedOfNewArch = () => (archAllBase ??= { packages: archAllIndex(bases, codename), members: async () => undefined });
  const edits = new Map<string, { base: PublishedIndex; inserts: AptIndexEntry[]; removed: Set<number> }>();
  const prunedEntries = new Map<string, AptIndexEntry>();
  for (const arch of architectures) {
    const base = state.indexes.get(arch) ?? seedOfNewArch();
    let inserts = added.filter((e) => e.architecture === arch || e.architecture === 'all');
    let removed = new Set<number>();
    if (opts.retention) {
      const r = retentionEdit(base.packages, inserts, opts.retention);
      ({ inserts, removed } = r);
      for (const e of r.pruned) prunedEntries.set(e.filename, e);
    }
    edits.set(arch, { base, inserts, removed });
  }
  // A file pruned from one architecture's index but still listed by another's is not pruned.
  const insertedFiles = [...edits.values()].map((edit) => new Set(edit.inserts.map((e) => e.filename)));
  for (const [file, pruned] of prunedEntries) {
    const listedElsewhere = [...edits.values()].some(({ base, removed }, i) => insertedFiles[i]!.has(file)
      || base.packages.indexesOf(pruned.package).some((index) => !removed.has(index) && base.packages.entry(index).filename === file));
    if (listedElsewhere) prunedEntries.delete(file);
  }
  const addedFiles = new Set(added.map((e) => e.filename));
  for (const e of prunedEntries.values()) {
    if (addedFiles.has(e.filename)) continue; // added and pruned in the same call: reported below
    result.pruned.push({ package: e.package, version: e.version, architecture: e.architecture, codename, path: `deb/${e.filename}`, sha256: e.sha256 });
  }
  // A package added and pruned in the same call (older than the kept versions) is reported as pruned.
  const listed = (a: AptItem) => !prunedEntries.has(a.path.slice('deb/'.length));
  result.pruned.push(...result.added.filter((a) => !listed(a)));
  result.added = result.added.filter(listed);
  timer.lap('index entries');

  // 2 + 3. by-hash objects, then the plain index files (hard links to them)
  const dir = distDir(debRoot, codename);
  for (const arch of architectures) await assertRealDirs(repoDir, `deb/dists/${codename}/main/binary-${arch}/by-hash/SHA256`, checked);
  const files = new Map<string, { sha256: string; size: number }>();
  // Architectures with the same previous index and the same change (arch-all-only repositories)
  // get the same result: rebuilt once. Only Packages and Packages.gz (apt-ftparchive's default set).
  const rebuilt = new Map<string, Promise<RebuiltIndex>>();
  const ids = new Map<PublishedIndex, number>();
  const rebuild = (arch: string) => {
    const edit = edits.get(arch)!;
    if (!ids.has(edit.base)) ids.set(edit.base, ids.size);
    const key = `${ids.get(edit.base)}|${edit.inserts.map((e) => e.filename).join(' ')}|${[...edit.removed].join(' ')}`;
    if (!rebuilt.has(key)) {
      rebuilt.set(key, edit.base.members().then((members) => rebuildIndex({ base: edit.base.packages, members, inserts: edit.inserts, removed: edit.removed })));
    }
    return rebuilt.get(key)!;
  };
  const pending = architectures.map((arch) => [arch, rebuild(arch)] as const); // all compressions start at once
  for (const [, p] of pending) p.catch(() => undefined);
  const written: Array<[string, string]> = [];
  const digests = new Map<Buffer, string>();
  const writtenNow = new Map<Buffer, string>(); // index bytes → the by-hash object this publish wrote for them
  for (const [arch, p] of pending) {
    const index = await p;
    env.log.debug(`apt ${codename} binary-${arch}: Packages.gz members reused ${index.reused}, compressed ${index.compressed}`);
    for (const [name, data] of [['Packages', index.text], ['Packages.gz', index.gz]] as const) {
      const rel = `main/binary-${arch}/${name}`;
      if (!digests.has(data)) digests.set(data, createHash('sha256').update(data).digest('hex'));
      const sha256 = digests.get(data)!;
      files.set(rel, { sha256, size: data.length });
      const object = await writeByHash(byHashDir(dir, arch), sha256, data, writtenNow.get(data));
      written.push([object.file, path.join(dir, rel)]);
      if (object.created) {
        placed.push(object.file);
        if (!writtenNow.has(data)) writtenNow.set(data, object.file);
      }
    }
  }
  // Pool files and new index objects become durable together, before a name points at them.
  if (fsyncEach) await syncFiles(placed);
  else await syncFilesystem(debRoot);
  for (const [object, plain] of written) await linkPlainIndex(object, plain);
  timer.lap('Packages{,.gz} by-hash');

  // 4. Release, Release.gpg, InRelease
  const release = renderRelease({
    origin, label, codename, architectures, files,
    date: opts.now ?? new Date(), validUntilDays: opts.validUntilDays ?? DEFAULT_VALID_UNTIL_DAYS,
  });
  await writeSignedRelease(dir, release, opts.key);
  timer.lap('signed Release');
  env.log.info(`apt ${codename}: +${result.added.length} package(s), ${result.unchanged.length} unchanged, ${result.pruned.length} pruned`);

  // 5. clean-up that is only safe once the new generation is live
  await recordGeneration(repoDir, codename, [...files.values()].map((f) => f.sha256));
  await collectGarbage(repoDir, dir, codename, architectures);
  // Packages.xz of earlier versions: no longer listed in Release.
  for (const arch of architectures) await rm(path.join(dir, `main/binary-${arch}/Packages.xz`), { force: true });
  for (const p of result.pruned) await removePublished(repoDir, p.path);
  timer.lap('clean-up');
  timer.done();
  return result;
}

function stableField(name: string, wanted: string | undefined, current: string | undefined): string {
  if (wanted && current && wanted !== current) {
    throw new Py2DistroError('E_REPO_CONFLICT', `the repository's ${name} is "${current}", not "${wanted}"`, {
      hint: `apt clients refuse a repository whose ${name} changes (they need --allow-releaseinfo-change). Keep repo-${name.toLowerCase()} as it is.`,
    });
  }
  return wanted ?? current ?? 'py2distro';
}

/** The identity of a published .deb — only when the pool file still matches the sha256 its signed index records. */
async function publishedIdentity(debRoot: string, entry: AptIndexEntry): Promise<string | undefined> {
  try {
    const buf = await readFile(path.join(debRoot, entry.filename));
    if (createHash('sha256').update(buf).digest('hex') !== entry.sha256) return undefined;
    return (await readDebInfo(buf, entry.filename)).identitySha256;
  } catch {
    return undefined;
  }
}

/** The Packages paragraph: Package first, control fields, then Filename/Size/SHA256, Description last. */
export function indexEntry(info: DebInfo, filename: string): AptIndexEntry {
  const rest: Paragraph = [];
  let description: Paragraph[number] | undefined;
  for (const f of info.control) {
    const n = f[0].toLowerCase();
    if (n === 'description') description ??= f;
    else if (n !== 'package') rest.push(f);
  }
  const paragraph: Paragraph = [
    ['Package', info.package], ...rest,
    ['Filename', filename], ['Size', String(info.size)], ['SHA256', info.sha256],
    ...(description ? [description] : []),
  ];
  return { text: byteString(formatParagraph(paragraph)), package: info.package, version: info.version, architecture: info.architecture, filename, sha256: info.sha256, size: info.size };
}

/** The arch "all" entries of the published indexes: where a new architecture's index starts. */
function archAllIndex(bases: PublishedIndex[], codename: string): PackagesText {
  const seen = new Map<string, AptIndexEntry>();
  for (const { packages } of bases) for (const e of packages.all()) if (e.architecture === 'all') seen.set(e.filename, e);
  const entries = [...seen.values()].sort(compareEntries);
  return new PackagesText(entries.map((e) => e.text).join('\n\n') + (entries.length ? '\n' : ''), codename);
}
