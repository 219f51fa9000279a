/**
 * lib/exec.ts without streamed lines (lib/spawn.ts, no execa): output collected, final newline
 * stripped from text, stdin fed, the catalogue's errors for a missing program, a failure, a
 * timeout and an abort; the passphrase never reaches the child; runaway output is capped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run, runBuffer, requireTools } from '../../../src/lib/exec.js';
import { spawnCollect, SpawnFailure } from '../../../src/lib/spawn.js';
import { Py2DistroError } from '../../../src/lib/errors.js';

const code = (c: string, re?: RegExp) => (e: unknown) => e instanceof Py2DistroError && e.code === c && (!re || re.test(e.message));

test('plain runs: output, stdin, exit codes', async () => {
  assert.equal((await run('sh', ['-c', 'printf "a\\nb\\n"'])).stdout, 'a\nb');
  assert.deepEqual((await runBuffer('sh', ['-c', 'printf "a\\nb\\n"'])).stdout, Buffer.from('a\nb\n'));
  assert.equal((await run('cat', [], { input: 'fed\n' })).stdout, 'fed');
  assert.equal((await runBuffer('head', ['-c', '3'], { input: Buffer.alloc(5_000_000) })).stdout.length, 3, 'a child that stops reading stdin is no failure');
  const r = await run('sh', ['-c', 'echo out; echo err >&2; exit 4'], { reject: false });
  assert.deepEqual([r.exitCode, r.failed, r.stdout, r.stderr], [4, true, 'out', 'err']);
  assert.equal((await run('pwd', [], { cwd: '/tmp' })).stdout, '/tmp');
});

test('plain runs: the catalogue errors', async () => {
  await assert.rejects(run('py2distro-no-such-program', []), code('E_TOOL_MISSING', /not installed/));
  await assert.rejects(run('sh', ['-c', 'echo the reason >&2; exit 3']), code('E_EXEC', /exit code 3: sh -c[\s\S]*the reason/));
  await assert.rejects(run('sleep', ['5'], { timeout: 100 }), code('E_EXEC', /timed out after 100 milliseconds/));
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(run('sleep', ['5'], { signal: ac.signal }), code('E_ABORTED'));
  await assert.rejects(requireTools(['sh', 'py2distro-no-such-tool']), code('E_TOOL_MISSING', /py2distro-no-such-tool/));
  await requireTools(['sh']);
});

test('plain runs: the passphrase is not inherited; a program ignoring SIGTERM is killed; output is capped', async () => {
  process.env.PY2DISTRO_SIGN_PASSPHRASE = 'do-not-leak';
  try {
    assert.equal((await run('sh', ['-c', 'echo "[$PY2DISTRO_SIGN_PASSPHRASE]"'])).stdout, '[]');
    assert.equal((await run('sh', ['-c', 'echo "[$X]"'], { env: { X: 'given' } })).stdout, '[given]');
  } finally {
    delete process.env.PY2DISTRO_SIGN_PASSPHRASE;
  }
  const stubborn = await spawnCollect('sh', ['-c', 'trap "" TERM; exec sleep 5'], { env: process.env, timeout: 100, forceKillAfterMs: 100 });
  assert.equal(stubborn.timedOut, true);
  assert.equal(stubborn.signal, 'SIGKILL');
  await assert.rejects(spawnCollect('head', ['-c', '2000000', '/dev/zero'], { env: process.env, timeout: 10_000, forceKillAfterMs: 100, maxBuffer: 1_000_000 }),
    (e: unknown) => e instanceof SpawnFailure && e.reason === 'max-buffer');
});
