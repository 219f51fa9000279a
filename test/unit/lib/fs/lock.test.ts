import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { acquireLock, LOCK_NAME } from '../../../../src/lib/fs/lock.js';
import { Py2DistroError } from '../../../../src/lib/errors.js';

const isLocked = (e: unknown) => e instanceof Py2DistroError && e.code === 'E_REPO_LOCKED';

test('one holder at a time; released locks can be taken again', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-lock-'));
  const lock = await acquireLock(dir);
  await assert.rejects(acquireLock(dir), isLocked);
  await lock.release();
  const again = await acquireLock(dir);
  await again.release();
});

test('a lock left by a killed process is taken over; a live or freshly empty one is not', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-lock-'));
  const dead = (await execa('sh', ['-c', 'echo $$'])).stdout.trim(); // that shell has exited
  await writeFile(path.join(dir, LOCK_NAME), JSON.stringify({ pid: Number(dead), host: os.hostname(), since: 'then', token: 'x' }));
  const lock = await acquireLock(dir);
  assert.equal(JSON.parse(await readFile(path.join(dir, LOCK_NAME), 'utf8')).pid, process.pid);
  await lock.release();

  const sleeper = execa('sleep', ['30']);
  await writeFile(path.join(dir, LOCK_NAME), JSON.stringify({ pid: sleeper.pid, host: os.hostname(), since: 'now', token: 'y' }));
  await assert.rejects(acquireLock(dir), isLocked);
  sleeper.kill('SIGKILL');
  await sleeper.catch(() => undefined);
  await (await acquireLock(dir)).release();

  await writeFile(path.join(dir, LOCK_NAME), ''); // owner died between create and write, seconds ago
  await assert.rejects(acquireLock(dir), isLocked);
});
