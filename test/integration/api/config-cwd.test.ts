/**
 * ./py2distro.yaml is read from the working directory without being asked for: the CLI says which
 * file it loaded, and refuses one that weakens security (signatures off, DSA, keys, templates,
 * engine arguments, limits) unless the user names it with --config.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { makeSdist, purePythonProject } from '../../helpers/sdist.ts';

let dir: string;
let sdist: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'config-cwd-'));
  sdist = await makeSdist(purePythonProject('cwd-pkg', '1.0.0'), dir);
});
after(() => rm(dir, { recursive: true, force: true }));

async function inDir(name: string, yaml: string, args: string[]) {
  const cwd = path.join(dir, name);
  await mkdir(cwd, { recursive: true });
  await writeFile(path.join(cwd, 'py2distro.yaml'), yaml);
  return { cwd, r: await runCli(['--cache-dir', path.join(cwd, 'cache'), ...args], { cwd }) };
}

test('a working-directory config that weakens security is refused (exit 2, E_CONFIG_UNSAFE), nothing is fetched', async () => {
  const cases: [string, RegExp][] = [
    ['signature-policy: off\n', /signature-policy/],
    ['allow-dsa: true\n', /allow-dsa/],
    ['templates: ./evil\n', /templates/],
    ['engine-args: ["--runtime", "/tmp/x"]\n', /engine-args/],
    [`trust:\n  cwd-pkg: ${'A'.repeat(40)}\n`, /trust/],
    ['container-limits:\n  cap-add: [SYS_ADMIN]\n', /container-limits/],
  ];
  for (const [i, [yaml, key]] of cases.entries()) {
    const { cwd, r } = await inDir(`unsafe-${i}`, yaml, ['fetch', sdist, '--out', 'out']);
    assert.equal(r.exitCode, 2, `${yaml}: ${r.stderr}`);
    assert.match(r.stderr, /E_CONFIG_UNSAFE/);
    assert.match(r.stderr, key);
    assert.match(r.stderr, /--config/, 'the hint says how to accept the file');
    assert.ok(r.stderr.includes(path.join(cwd, 'py2distro.yaml')));
  }
});

test('the same file passed with --config is used, and the loaded file is always named on stderr', async () => {
  const { cwd, r } = await inDir('explicit', 'signature-policy: off\n', ['--config', 'py2distro.yaml', '--json', 'fetch', sdist, '--out', 'out']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok(r.stderr.includes(`configuration: ${path.join(cwd, 'py2distro.yaml')}`), r.stderr);
  assert.equal(JSON.parse(r.stdout).files[0].provenance.signature.policy, 'off');

  const safe = await inDir('safe', 'signature-policy: required\njobs: 2\n', ['fetch', sdist, '--out', 'out']);
  assert.equal(safe.r.exitCode, 3, 'required policy from the cwd file applies (the local sdist is unsigned)');
  assert.ok(safe.r.stderr.includes(`configuration: ${path.join(safe.cwd, 'py2distro.yaml')} (found in the working directory)`), safe.r.stderr);
});
