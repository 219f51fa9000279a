import assert from 'node:assert/strict';
import test from 'node:test';
import { runSteps } from '../../../src/api/steps.js';

const failing = (title: string, ran: string[]) => ({
  title,
  async run() {
    ran.push(title);
    throw new Error(`${title} broke`);
  },
});

test('exitOnError: false runs every step, then throws all failures together', async () => {
  const ran: string[] = [];
  const ok = { title: 'ok', async run() { ran.push('ok'); } };
  await assert.rejects(
    runSteps([failing('a', ran), ok, failing('b', ran)], {}, { json: true, exitOnError: false }),
    (e: unknown) => e instanceof AggregateError && e.errors.map((x: Error) => x.message).join() === 'a broke,b broke',
  );
  assert.deepEqual(ran, ['a', 'ok', 'b']);
});

test('a single failure is thrown as itself; the default stops at the first failure', async () => {
  const ran: string[] = [];
  await assert.rejects(runSteps([failing('only', ran)], {}, { json: true, exitOnError: false }), /only broke/);
  await assert.rejects(runSteps([failing('first', ran), failing('second', ran)], {}, { json: true }), /first broke/);
  assert.deepEqual(ran, ['only', 'first']);
});
