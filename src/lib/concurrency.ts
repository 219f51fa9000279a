/**
 * The one worker pool: at most `limit` calls of `fn` in flight, results in input order. Used for
 * file I/O (thousands of small reads and writes awaited one by one spend their time in thread-pool
 * round trips, not on the disk) and for the builds of a sync wave (`--jobs`).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Parallelism for repository file I/O (libuv's thread pool has 4 threads by default). */
export const IO_CONCURRENCY = 8;

/**
 * A limiter for work started as it is discovered (not a known list): `run(fn)` starts `fn` when
 * fewer than `limit` are running, else queues it (first in, first out).
 */
export function createLimiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let running = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    running--;
    waiting.shift()?.();
  };
  return async <R>(fn: () => Promise<R>): Promise<R> => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      release();
    }
  };
}
