/**
 * Sync's caches, so that a sync where nothing changed does no work per package: index answers kept
 * with their ETag (revalidated every run, lib/http.ts), inspected metadata under the sdist's sha256
 * (resolver.ts) and render digests under a hash of every render input (render-cache.ts). They live
 * under the download cache (`<cache>/sync/`) and are sealed with a secret kept in the state
 * directory (`cache-seal.key`, 0600): the state already decides what is rebuilt, so whoever can
 * only write the cache can cost us work, never change what is built. Nothing kept here skips the
 * sdist's own verification: fetch re-hashes the cached file and runs the signature policy every time.
 */
import path from 'node:path';
import type { AnswerCache, CachedAnswer } from '../../lib/http.js';
import { createSealedStore, loadOrCreateSecret, type SealedStore } from '../../lib/fs/sealed-store.js';

export interface SyncCaches {
  store: SealedStore;
  answers: AnswerCache;
}

export function syncCacheDir(cacheDir: string): string {
  return path.join(cacheDir, 'sync');
}

export async function openSyncCaches(cacheDir: string, stateDir: string): Promise<SyncCaches> {
  const store = createSealedStore(syncCacheDir(cacheDir), await loadOrCreateSecret(path.join(stateDir, 'cache-seal.key')));
  const answers: AnswerCache = {
    async get(url) {
      const a = await store.get<CachedAnswer>('index-answer', url);
      const ok = a && typeof a.url === 'string' && typeof a.etag === 'string' && typeof a.contentType === 'string' && typeof a.body === 'string';
      return ok ? a : undefined;
    },
    put: (url, answer) => store.put('index-answer', url, answer),
  };
  return { store, answers };
}
