/**
 * bin/py2distro, the installed command: it starts bin/py2distro.js with the node on PATH, hands
 * NODE_EXTRA_CA_CERTS over for `repo` commands only (Node 20 parses the file at every start-up;
 * they open no TLS connection), and the CLI gives it back to the environment of what it starts.
 * Judged by a node on PATH that records the environment the CLI starts with and ends with.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { ROOT } from '../../helpers/cli.ts';

const LAUNCHER = path.join(ROOT, 'bin/py2distro');
const CA = '/etc/ssl/certs/ca-certificates.crt';
let dir: string;
let fakeBin: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-launcher-'));
  fakeBin = path.join(dir, 'bin');
  const hook = path.join(dir, 'hook.mjs');
  // Records NODE_EXTRA_CA_CERTS as node started, the script and its arguments, and the variables at exit.
  await writeFile(hook, `import { writeFileSync } from 'node:fs';
const at = (e) => ({ extra: e.NODE_EXTRA_CA_CERTS ?? null, deferred: e.PY2DISTRO_NODE_EXTRA_CA_CERTS ?? null });
const start = at(process.env);
process.on('exit', () => writeFileSync(process.env.RECORD, JSON.stringify({ start, end: at(process.env), argv: process.argv.slice(1) })));
`);
  await mkdir(fakeBin);
  await writeFile(path.join(fakeBin, 'node'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${JSON.stringify(hook)} "$@"\n`);
  await chmod(path.join(fakeBin, 'node'), 0o755);
});

after(() => rm(dir, { recursive: true, force: true }));

interface Record { start: { extra: string | null; deferred: string | null }; end: { extra: string | null; deferred: string | null }; argv: string[] }

async function run(args: string[], launcher = LAUNCHER, extra: string | null = CA): Promise<Record & { exitCode: number }> {
  const record = path.join(dir, `record-${Math.random().toString(16).slice(2)}.json`);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, RECORD: record };
  delete env.NODE_EXTRA_CA_CERTS;
  delete env.PY2DISTRO_NODE_EXTRA_CA_CERTS;
  if (extra !== null) env.NODE_EXTRA_CA_CERTS = extra;
  const r = await execa(launcher, args, { reject: false, env, extendEnv: false, cwd: dir });
  return { exitCode: r.exitCode ?? -1, ...JSON.parse(await readFile(record, 'utf8')) as Record };
}

test('repo commands start without NODE_EXTRA_CA_CERTS and give it back; the arguments arrive as given', async () => {
  for (const args of [['repo', '--help'], ['--config', 'c y.yaml', 'repo', 'publish', '--help'], ['-v', 'repo', 'resign', '--help']]) {
    const r = await run(args);
    assert.equal(r.exitCode, 0, args.join(' '));
    assert.deepEqual(r.start, { extra: null, deferred: CA }, `${args.join(' ')}: node started with the variable`);
    assert.deepEqual(r.end, { extra: CA, deferred: null }, `${args.join(' ')}: not given back`);
    assert.deepEqual(r.argv, [path.join(ROOT, 'bin/py2distro.js'), ...args]);
  }
});

test('every other command, and a repo word that is not the command, keep the environment as it is', async () => {
  for (const args of [['--version'], ['targets', '--help'], ['--cache-dir', 'repo', 'targets', '--help'], ['--', 'repo'], ['fetch', 'repo', '--help']]) {
    const r = await run(args);
    assert.deepEqual(r.start, { extra: CA, deferred: null }, args.join(' '));
    assert.deepEqual(r.end, { extra: CA, deferred: null }, args.join(' '));
  }
  const unset = await run(['repo', '--help'], LAUNCHER, null);
  assert.deepEqual([unset.start, unset.end], [{ extra: null, deferred: null }, { extra: null, deferred: null }]);
  const empty = await run(['repo', '--help'], LAUNCHER, '');
  assert.deepEqual([empty.start, empty.end], [{ extra: null, deferred: '' }, { extra: '', deferred: null }]);
});

test('the launcher works through a symlink, as npm installs it', async () => {
  const link = path.join(dir, 'elsewhere', 'py2distro');
  await mkdir(path.dirname(link));
  await symlink(LAUNCHER, link);
  const r = await run(['repo', '--help'], link);
  assert.equal(r.exitCode, 0);
  assert.equal(r.argv[0], path.join(ROOT, 'bin/py2distro.js'));
});
