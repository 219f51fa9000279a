/** lib/concurrency.ts: mapLimit keeps input order; createLimiter never runs more than its limit, first in first out. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createLimiter, mapLimit } from '../../../src/lib/concurrency.ts';

test('mapLimit: results in input order', async () => {
  assert.deepEqual(await mapLimit([3, 1, 2], 2, async (n) => (await sleep(n), n * 10)), [30, 10, 20]);
});

test('createLimiter: at most `limit` running, started in the order asked, failures do not leak a slot', async () => {
  const run = createLimiter(2);
  let running = 0;
  let most = 0;
  const started: number[] = [];
  const job = (i: number) => run(async () => {
    started.push(i);
    running++;
    most = Math.max(most, running);
    await sleep(5);
    running--;
    if (i === 1) throw new Error('job 1 fails');
    return i;
  });
  const results = await Promise.allSettled([0, 1, 2, 3, 4].map(job));
  assert.equal(most, 2);
  assert.deepEqual(started, [0, 1, 2, 3, 4]);
  assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : 'failed')), [0, 'failed', 2, 3, 4]);
  assert.equal(await run(async () => 'after'), 'after');
});
