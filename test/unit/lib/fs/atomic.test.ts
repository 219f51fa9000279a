/** lib/fs/atomic.ts removeStaleTemps: temporaries of dead processes go, everything else stays. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeStaleTemps } from '../../../../src/lib/fs/atomic.ts';

/** The pid of a process that has exited (its number is free again). */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

test('removeStaleTemps removes dead processes\' temporaries, here and (unless told not to) below', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-temps-'));
  try {
    const dead = deadPid();
    const files = [`.tmp-${dead}-a-Packages`, `.tmp-${process.pid}-b-Packages`, `.tmp-1-c`, 'Packages', '.tmpx', `x.tmp-${dead}-d`];
    for (const f of files) await writeFile(path.join(dir, f), 'x');
    await mkdir(path.join(dir, `.tmp-${dead}-dir`));
    await writeFile(path.join(dir, `.tmp-${dead}-dir`, 'inside'), 'x');
    await mkdir(path.join(dir, 'sub'));
    await writeFile(path.join(dir, 'sub', `.tmp-${dead}-e`), 'x');
    await writeFile(path.join(dir, 'sub', 'keep'), 'x');

    // Not descending: only this directory's stale temporaries (pid 1 is alive: kept).
    assert.equal(await removeStaleTemps(dir, { recursive: false }), 2);
    assert.deepEqual((await readdir(dir)).sort(), [`.tmp-${process.pid}-b-Packages`, '.tmp-1-c', '.tmpx', 'Packages', 'sub', `x.tmp-${dead}-d`].sort());
    assert.deepEqual((await readdir(path.join(dir, 'sub'))).sort(), [`.tmp-${dead}-e`, 'keep']);
    // Descending: the one below too.
    assert.equal(await removeStaleTemps(dir), 1);
    assert.deepEqual(await readdir(path.join(dir, 'sub')), ['keep']);
    assert.equal(await removeStaleTemps(path.join(dir, 'missing')), 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
