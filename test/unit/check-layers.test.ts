/**
 * `make check-layers` (scripts/check-layers.mjs) on the real tree passes, and on a copy of it fails
 * for each kind of violation planted: an upward import, a stage entered past its door, a stage
 * using a later stage, a loose file in src/, and an import cycle.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, appendFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { ROOT } from '../helpers/cli.ts';

const SCRIPT = path.join(ROOT, 'scripts/check-layers.mjs');

async function check(srcDir: string) {
  return execa('node', [SCRIPT, srcDir], { reject: false });
}

async function copyOfSrc(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'layers-'));
  await cp(path.join(ROOT, 'src'), path.join(dir, 'src'), { recursive: true });
  return path.join(dir, 'src');
}

test('the tree respects its layers', async () => {
  const r = await check(path.join(ROOT, 'src'));
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /no import cycle/);
});

const PLANTS: Array<[string, string, string, RegExp]> = [
  ['upward import (lib → cli)', 'lib/log.ts', "import '../cli/main.js';\n", /lib\/log\.ts imports \.\.\/cli\/main\.js: nothing outside cli\/ may import cli\//],
  ['upward import (python → stages)', 'python/markers.ts', "import type { InspectedSdist } from '../stages/inspect/index.js';\n", /upward import \(python → stages\)/],
  ['a stage entered past its door', 'api/fetch.ts', "import { resolveRelease } from '../stages/resolve/resolve.js';\n", /stage resolve is entered through stages\/resolve\/index\.ts only/],
  ['a stage using a later stage', 'stages/fetch/fetch.ts', "import { renderPackaging } from '../render/index.js';\n", /stage fetch may use only an earlier stage's door/],
];

for (const [what, file, line, expected] of PLANTS) {
  test(`check-layers fails on ${what}`, async () => {
    const src = await copyOfSrc();
    await appendFile(path.join(src, file), line);
    const r = await check(src);
    assert.equal(r.exitCode, 1);
    assert.match(r.stderr, expected);
  });
}

test('check-layers fails on a loose file in src/ and on an import cycle', async () => {
  const src = await copyOfSrc();
  await writeFile(path.join(src, 'helpers.ts'), 'export const x = 1;\n');
  await appendFile(path.join(src, 'lib/env.ts'), "import type { Logger as L2 } from './exec.js';\n");
  await appendFile(path.join(src, 'lib/exec.ts'), "import type { StageEnv as E2 } from './env.js';\n");
  const r = await check(src);
  assert.equal(r.exitCode, 1);
  assert.match(r.stderr, /helpers\.ts: outside the layer folders/);
  assert.match(r.stderr, /import cycle: lib\/(env|exec)\.ts → lib\/(exec|env)\.ts → lib\/(env|exec)\.ts/);
});
