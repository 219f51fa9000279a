/**
 * openpgp, one instance for the whole process, loaded as its minified CommonJS build: the same
 * library and version as `import 'openpgp'`, without ESM linking of a 1.2 MB module. Everything —
 * stages and tests — takes it from here, so keys and messages never cross two copies of the library.
 *
 * Loading it is most of a small publish's start-up (~34 ms to compile and run the module, then
 * ~20 ms compiling the functions a key load, a signature and a verification use). `make build`
 * records V8's code cache for it (scripts/build-openpgp-cache.mjs: the module plus those functions,
 * compiled) in dist/, beside our own compiled code and as trusted as it. It is used only for the
 * exact source it was made from (sha256 of openpgp's file, and the same Node and V8) — V8 itself
 * checks little more than the source's length — and only with the sha256 its stamp records for the
 * cache's own bytes; V8 rejects it for other flags. Without a usable cache the library loads the
 * ordinary way.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import type * as OpenPGP from 'openpgp';
import { packagePath } from './paths.js';

const require = createRequire(import.meta.url);

/** Where the build puts the cache, and what it was made from. */
export const OPENPGP_CODE_CACHE = packagePath('dist', 'openpgp.code-cache');

export interface CodeCacheStamp {
  sourceSha256: string;
  node: string;
  v8: string;
}

/** The file `require('openpgp')` loads, and the stamp a cache made for it here must carry. */
export function openpgpSource(): { file: string; source: string; stamp: CodeCacheStamp } {
  const file = require.resolve('openpgp');
  const source = readFileSync(file, 'utf8');
  const sourceSha256 = createHash('sha256').update(source).digest('hex');
  return { file, source, stamp: { sourceSha256, node: process.version, v8: process.versions.v8 } };
}

/** Compile and run openpgp's CommonJS file through vm.Script (with `cachedData` when given). */
export function runOpenpgp(file: string, source: string, cachedData?: Buffer): { exports: typeof OpenPGP; script: vm.Script } {
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const module = { exports: {} as typeof OpenPGP };
  const fn = script.runInThisContext() as (e: unknown, r: NodeRequire, m: unknown, f: string, d: string) => void;
  fn.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return { exports: module.exports, script };
}

/** The recorded code cache, if its stamp is exactly `stamp` and its bytes are the ones stamped (else undefined: compile instead). */
export function cachedCode(stamp: CodeCacheStamp, cacheFile = OPENPGP_CODE_CACHE): Buffer | undefined {
  try {
    const recorded = JSON.parse(readFileSync(`${cacheFile}.json`, 'utf8')) as Partial<CodeCacheStamp> & { cacheSha256?: string };
    if (recorded.sourceSha256 !== stamp.sourceSha256 || recorded.node !== stamp.node || recorded.v8 !== stamp.v8) return undefined;
    const cache = readFileSync(cacheFile);
    return createHash('sha256').update(cache).digest('hex') === recorded.cacheSha256 ? cache : undefined;
  } catch {
    return undefined; // no cache built (or unreadable): load the ordinary way
  }
}

function load(): typeof OpenPGP {
  if (!existsSync(`${OPENPGP_CODE_CACHE}.json`)) return require('openpgp') as typeof OpenPGP; // no cache built: nothing to hash
  const { file, source, stamp } = openpgpSource();
  const cache = cachedCode(stamp);
  if (!cache) return require('openpgp') as typeof OpenPGP;
  const { exports } = runOpenpgp(file, source, cache);
  // Registered as the loaded module, so that anything else requiring 'openpgp' gets this instance.
  const m = new Module(file);
  m.filename = file;
  m.exports = exports;
  m.loaded = true;
  require.cache[file] = m;
  return exports;
}

export const openpgp: typeof OpenPGP = load();
