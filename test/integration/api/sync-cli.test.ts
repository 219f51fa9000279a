/**
 * `py2distro sync` usage and configuration errors through the real CLI (no containers): each is
 * exit 2 and names the file, line and field.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.ts';

let dir: string;
before(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-sync-cli-')); });
after(() => rm(dir, { recursive: true, force: true }));

const sync = (config: string, ...args: string[]) => runCli(['--config', path.join(dir, config), 'sync', ...args], { cwd: dir });

test('a config with wrong sync keys: every problem with its line, exit 2', async () => {
  await writeFile(path.join(dir, 'bad.yaml'), 'repo: repo\npackages:\n  - six\nconflict-policy: sometimes\nretention: 0\nfail-fast: yes-please\n');
  const r = await sync('bad.yaml');
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /bad\.yaml:4: conflict-policy must be one of build, fail/);
  assert.match(r.stderr, /bad\.yaml:5: retention/);
  assert.match(r.stderr, /bad\.yaml:6: fail-fast/);
});

test('requirements files: pip index options are refused at their line; a bad requirement names its line', async () => {
  await writeFile(path.join(dir, 'ok.yaml'), 'repo: repo\n');
  await writeFile(path.join(dir, 'requirements.txt'), 'six\n\n--extra-index-url https://evil.invalid/simple\n');
  const r = await sync('ok.yaml', '-r', path.join(dir, 'requirements.txt'));
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /requirements\.txt:3: pip option --extra-index-url is not supported/);
  await writeFile(path.join(dir, 'bad-req.txt'), 'six\nattrs=1.0\n');
  const b = await sync('ok.yaml', '-r', path.join(dir, 'bad-req.txt'));
  assert.equal(b.exitCode, 2);
  assert.match(b.stderr, /E_REQUIREMENT.*bad-req\.txt:2/);
});

test('nothing to sync, or nowhere to publish: exit 2 with the fix', async () => {
  await writeFile(path.join(dir, 'empty.yaml'), 'repo: repo\n');
  const r = await sync('empty.yaml');
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /nothing to sync/);
  await writeFile(path.join(dir, 'norepo.yaml'), 'packages: [six]\n');
  const n = await sync('norepo.yaml');
  assert.equal(n.exitCode, 2);
  assert.match(n.stderr, /sync needs a repository: --repo DIR/);
});

test('sync -c py2distro.yaml (pip\'s -c is constraints): exit 2, "did you mean --config?"', async () => {
  await writeFile(path.join(dir, 'py2distro.yaml'), 'repo: repo\npackages: [six]\n');
  const r = await runCli(['sync', '-c', 'py2distro.yaml'], { cwd: dir });
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /did you mean --config py2distro\.yaml\?/);
  assert.doesNotMatch(r.stderr, /PEP 440/);
});
