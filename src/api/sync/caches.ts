/**
 * Sync's caches, so that a sync where nothing changed does no work per package: index answers kept
 * with their ETag (revalidated every run, lib/http.ts; asked once per run and shared by the
 * closure's prefetch and its walk), inspected metadata under the sdist's sha256 (resolver.ts),
 * render digests under a hash of every render input (render-cache.ts) and trust verdicts under a
 * hash of every verification input (stages/verify/verdicts.ts). They live under the download cache
 * (`<cache>/sync/`) and are sealed with a secret kept in the state directory (`cache-seal.key`,
 * 0600): the state already decides what is rebuilt, so whoever can only write the cache can cost
 * us work, never change what is built or what is trusted.
 *
 * A kept verdict lets a no-op sync skip re-hashing and re-verifying a cached sdist that nothing is
 * built from; the index must still list that very sha256 (the page is revalidated every run), and
 * any package that is built fetches its sdist again without the verdict: hashed, signature and
 * policy checked, as without caches.
 */
import path from 'node:path';
import type { AnswerCache, CachedAnswer } from '../../lib/http.js';
import { createSealedStore, loadOrCreateSecret, type SealedStore } from '../../lib/fs/sealed-store.js';
import type { VerdictStore } from '../../stages/verify/index.js';

export interface SyncCaches {
  store: SealedStore;
  answers: AnswerCache;
  verdicts: VerdictStore;
}

export function syncCacheDir(cacheDir: string): string {
  return path.join(cacheDir, 'sync');
}

/**
 * One run's caches: each entry is read from disk at most once per run (the store's memo), and the
 * entries a run used are packed into one sealed file by `store.flush()` at its end, which the next
 * run reads whole: a sync where nothing changed reads one cache file, not several per package.
 */
export async function openSyncCaches(cacheDir: string, stateDir: string): Promise<SyncCaches> {
  const store = createSealedStore(syncCacheDir(cacheDir), await loadOrCreateSecret(path.join(stateDir, 'cache-seal.key')), { pack: 'sync' });
  const answers: AnswerCache = {
    async get(url) {
      const a = await store.get<CachedAnswer>('index-answer', url);
      const ok = a && typeof a.url === 'string' && typeof a.etag === 'string' && typeof a.contentType === 'string' && typeof a.body === 'string';
      return ok ? a : undefined;
    },
    put: (url, answer) => store.put('index-answer', url, answer),
    session: new Map(),
  };
  const verdicts: VerdictStore = {
    get: (key) => store.get('trust-verdict', key),
    put: (key, value) => store.put('trust-verdict', key, value),
  };
  return { store, answers, verdicts };
}
