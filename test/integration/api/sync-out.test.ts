/**
 * `sync --out DIR` where DIR does not exist yet: it is created (it used to fail with ENOENT from
 * mkdtemp, reported as E_DEPENDENCY). The one package cannot be found on the empty index, so the
 * run fails for that reason alone.
 */
import assert from 'node:assert/strict';
import { mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { CONTAINERS_CONF } from '../../helpers/build-fixtures.ts';
import { runCli } from '../../helpers/cli.ts';
import { startIndexServer } from '../../helpers/index-server.ts';

test('sync --out NEW/DIR creates it; the report names the real failure, not ENOENT', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-sync-out-'));
  const index = await startIndexServer({ mode: 'json' });
  try {
    const out = path.join(dir, 'not', 'yet', 'there');
    const r = await runCli(['--cache-dir', path.join(dir, 'cache'), 'sync', 'absent-project', '--repo', path.join(dir, 'repo'), '--out', out,
      '--target', 'debian-bookworm', '--index-url', index.url, '--signature-policy', 'off', '--json'], { env: { CONTAINERS_CONF }, cwd: dir });
    assert.equal(r.exitCode, 1, r.stderr);
    assert.ok((await stat(out)).isDirectory());
    assert.doesNotMatch(`${r.stdout}${r.stderr}`, /ENOENT|mkdtemp/);
    assert.match(`${r.stdout}${r.stderr}`, /E_NOT_FOUND|absent-project/);
  } finally {
    await index.close();
  }
});
