/**
 * Interrupting a build: Ctrl-C (SIGINT to the CLI) while the package is compiling, and a build
 * that exceeds --build-timeout. Either way no container is left behind and nothing partial is in
 * --out.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { CONTAINERS_CONF, hangingProject, podman } from '../../../helpers/build-fixtures.ts';
import { BIN, ROOT, runCli } from '../../../helpers/cli.ts';
import { makeSdist } from '../../../helpers/sdist.ts';

/** Containers of one build, found by the label py2distro puts on them (other tests may be building). */
async function containersOf(stem: string): Promise<string[]> {
  const r = await podman(['ps', '--all', '--filter', `label=org.py2distro.build=${stem}`, '--format', '{{.Names}}']);
  return r.stdout.split('\n').filter(Boolean);
}

test('SIGINT during the build: the container is removed, --out holds no package', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'build-abort-'));
  const sdist = await makeSdist(hangingProject(), path.join(dir, 'sdists'));
  const out = path.join(dir, 'out');
  const stem = 'slow-build-1.0-debian-bookworm';
  const cli = execa('node', [BIN, '--cache-dir', path.join(dir, 'cache'), 'build', sdist, '--target', 'debian-bookworm', '--out', out], {
    cwd: ROOT, env: { CI: 'true', NO_COLOR: '1', CONTAINERS_CONF }, reject: false, timeout: 10 * 60_000,
  });
  try {
    // The build announces that it is hanging (inside the network-less build container).
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => { if (String(chunk).includes('py2distro-test: build is hanging now')) resolve(); };
      cli.stderr!.on('data', onData);
      cli.stdout!.on('data', onData);
      cli.then(() => reject(new Error('the CLI exited before the build started')), reject);
    });
    assert.equal((await containersOf(stem)).length, 1, 'exactly one build container runs');
  } finally {
    cli.kill('SIGINT');
  }
  const r = await cli;
  assert.notEqual(r.exitCode, 0);
  assert.match(String(r.stderr), /E_ABORTED/);
  assert.deepEqual(await containersOf(stem), [], 'no container is left behind');
  const files = await readdir(out).catch(() => [] as string[]);
  assert.deepEqual(files.filter((f) => /\.(deb|changes|buildinfo)$/.test(f) || f.startsWith('.')), []);
});

test('--build-timeout: the build stops with E_BUILD_TIMEOUT and leaves its log, no container', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'build-timeout-'));
  const sdist = await makeSdist(hangingProject('slow-timeout', '1.0'), path.join(dir, 'sdists'));
  const out = path.join(dir, 'out');
  const r = await runCli(['--cache-dir', path.join(dir, 'cache'), 'build', sdist, '--target', 'debian-bookworm', '--out', out, '--build-timeout', '40'], { env: { CONTAINERS_CONF } });
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /E_BUILD_TIMEOUT/);
  assert.deepEqual(await containersOf('slow-timeout-1.0-debian-bookworm'), []);
  const files = await readdir(out);
  assert.deepEqual(files.filter((f) => f.endsWith('.deb')), []);
  assert.ok(files.includes('slow-timeout-1.0-debian-bookworm.build.log'), files.join(', '));
});
