/**
 * One yum generation directory (repodata.<stamp>-<pid>/): primary, filelists and other .xml.gz,
 * repomd.xml and its signature, made with work proportional to what changed. Only the packages
 * being added get new blocks (rendered from their signed bytes by the caller, or by indexRpms); every
 * package already published keeps its blocks from the previous generation, verified against its
 * signed repomd.xml (yum-state.ts, yum-metadata.ts), and only the gzip members a change falls into
 * are compressed again. So a package file on disk that nobody re-signed is never re-read into
 * signed metadata — `createrepo_c --update` would re-read any file whose size or mtime changed and
 * let the next publish sign whatever it found.
 *
 * createrepo_c (indexRpms, for headers distro/rpm/repodata.ts does not model) reads the new
 * packages from a private scratch copy of the signed bytes, and what it reports is checked too:
 * exactly the files asked for, each under the sha256 of those bytes. Everything is fsynced before
 * the directory gets its final name; the caller swaps the `repodata` symlink to it.
 */
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { StageEnv } from '../../lib/env.js';
import { Py2DistroError } from '../../lib/errors.js';
import { run } from '../../lib/exec.js';
import { syncDir, syncFiles, tmpPathFor } from '../../lib/fs/atomic.js';
import type { PhaseTimer } from '../../lib/timing.js';
import { signDetachedArmored, type SigningKey } from '../sign/index.js';
import {
  blockEnd, inflateDocument, parseRepodata, planDocuments, REPODATA_TYPES, writeDocument, type RepodataPackage, type RepodataType,
} from './yum-metadata.js';
import { parseRepomd, renderRepomd, type PublishedDocument, type RepodataFile } from './yum-published.js';
import type { YumState } from './yum-state.js';

export interface AddedRpm {
  /** Packages/<name>-<version>-<release>.<arch>.rpm, where it is published. */
  file: string;
  /** The signed package. */
  bytes: Buffer;
}

export interface GenerationInput {
  targetDir: string;
  previous: YumState;
  /** The previous generation's documents (publishedDocuments of `previous`), when there is one. */
  published?: Record<RepodataType, PublishedDocument>;
  /** The packages being added, as indexRpms described them. */
  added: readonly RepodataPackage[];
  /** Whether a package (previous or added) stays listed; false = pruned by retention. */
  keep: (file: string) => boolean;
  /** Resolves when the added package files are durable; awaited before anything names them. */
  packagesDurable: Promise<void>;
  key: SigningKey;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Build, sign and fsync a generation directory in `targetDir`; returns its name. */
export async function buildGeneration(input: GenerationInput, timer: PhaseTimer): Promise<string> {
  const { targetDir, previous, key } = input;
  const work = tmpPathFor(path.join(targetDir, 'work'));
  let reused = 0;
  let compressed = 0;
  // Synchronous where a call is one small syscall: thread-pool round trips would cost more.
  mkdirSync(work, { recursive: true });
  try {
    const items = planDocuments(input.published ? previous.entries : [], input.added, input.keep);
    const out = path.join(work, 'repodata');
    mkdirSync(out);
    const durable: Array<Promise<void>> = [input.packagesDurable];
    const files = await Promise.all(REPODATA_TYPES.map(async (type): Promise<RepodataFile> => {
      const doc = await writeDocument(type, items, input.published?.[type]);
      const file = { type, sha256: sha256(doc.gz), size: doc.gz.length, openSha256: doc.openSha256, openSize: doc.openSize };
      const written = path.join(out, `${file.sha256}-${type}.xml.gz`);
      writeFileSync(written, doc.gz);
      durable.push(syncFiles([written])); // on libuv's threads while this one signs
      reused += doc.reused;
      compressed += doc.compressed;
      return file;
    }));
    const seconds = Math.floor(Date.now() / 1000);
    const repomd = Buffer.from(renderRepomd(files, seconds));
    parseRepomd(repomd.toString('utf8'), 'the repomd.xml py2distro renders'); // sign only the format we read back
    writeFileSync(path.join(out, 'repomd.xml'), repomd);
    writeFileSync(path.join(out, 'repomd.xml.asc'), await signDetachedArmored(repomd, key));
    timer.lap(`write + sign repodata (gzip members: ${reused} reused, ${compressed} compressed)`);
    // Hard-link the data files of the previous generation (same names = same content) for clients mid-update.
    for (const d of previous.data) {
      try {
        linkSync(path.join(targetDir, previous.generation!, d.name), path.join(out, d.name));
      } catch {
        // the same name is in the new generation already (unchanged content), or the old file is gone
      }
    }
    durable.push(syncFiles([path.join(out, 'repomd.xml'), path.join(out, 'repomd.xml.asc')]));
    await Promise.all(durable);
    await syncDir(out);
    const stamp = new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').replace('Z', '');
    const generation = `repodata.${stamp}-${process.pid}`;
    await rename(out, path.join(targetDir, generation));
    timer.lap('fsync');
    return generation;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * createrepo_c over copies of the given packages in a private scratch directory (scratch/Packages/…,
 * the layout of the repository, so locations come out the same): what it reads is exactly what
 * py2distro signed, whoever else can write the repository. Its blocks are checked against those
 * bytes. The staged files are what the caller then hard-links into the repository (stagedPath).
 */
export async function indexRpms(scratch: string, rpms: readonly AddedRpm[], env: StageEnv): Promise<Map<string, RepodataPackage>> {
  const found = new Map<string, RepodataPackage>();
  if (!rpms.length) return found;
  const run_ = path.join(scratch, `index-${++indexRuns}`);
  await mkdir(path.join(scratch, 'Packages'), { recursive: true });
  await mkdir(run_);
  // Synchronous: for thousands of small packages the thread-pool round trips cost more than the writes.
  for (const r of rpms) writeFileSync(stagedPath(scratch, r.file), r.bytes, { flag: 'wx' });
  const list = path.join(run_, 'pkglist');
  await writeFile(list, rpms.map((a) => a.file).sort().join('\n') + '\n');
  await run('createrepo_c', ['--quiet', '--no-database', '--simple-md-filenames', '--general-compress-type=gz', '--pkglist', list, '--outputdir', run_, scratch],
    { signal: env.signal, log: env.log, timeout: 30 * 60_000 });
  let packages: RepodataPackage[];
  try {
    const where = {} as Record<RepodataType, string>;
    const texts = {} as Record<RepodataType, Buffer>;
    for (const type of REPODATA_TYPES) {
      where[type] = path.join(run_, 'repodata', `${type}.xml.gz`);
      texts[type] = inflateDocument(readFileSync(where[type]), where[type]);
    }
    const { docs, entries } = parseRepodata(texts, where);
    packages = entries.map((entry, i) => {
      const blocks = {} as Record<RepodataType, Buffer>;
      for (const type of REPODATA_TYPES) blocks[type] = docs[type].text.subarray(docs[type].starts[i], blockEnd(docs[type], i));
      return { entry, blocks };
    });
  } catch (err) {
    throw new Py2DistroError('E_EXEC', `createrepo_c wrote metadata py2distro cannot read: ${(err as Error).message}`, { cause: err });
  }
  const expected = new Map(rpms.map((a) => [a.file, sha256(a.bytes)]));
  for (const p of packages) {
    if (expected.get(p.entry.file) !== p.entry.sha256) throw new Py2DistroError('E_EXEC', `createrepo_c indexed ${p.entry.file} with a sha256 other than that of the package py2distro signed`);
    expected.delete(p.entry.file);
    found.set(p.entry.file, p);
  }
  if (expected.size) throw new Py2DistroError('E_EXEC', `createrepo_c did not index ${[...expected.keys()].join(', ')}`);
  return found;
}

let indexRuns = 0;

/** Where indexRpms staged a package. */
export function stagedPath(scratch: string, file: string): string {
  return path.join(scratch, file);
}
