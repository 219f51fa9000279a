/**
 * scripts/build-config-validator.mjs: the standalone validator `make build` writes gives the same
 * verdicts and errors as compiling the schema at run time, and records the schema it was made from.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Ajv } from 'ajv';

const ROOT = path.resolve(import.meta.dirname, '../../..');

test('the precompiled config validator agrees with the schema compiled at run time', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-validator-'));
  try {
    const out = path.join(dir, 'config-validator.cjs');
    execFileSync('node', [path.join(ROOT, 'scripts/build-config-validator.mjs'), out]);
    const schemaText = await readFile(path.join(ROOT, 'schema/py2distro.schema.json'), 'utf8');
    const compiled = createRequire(import.meta.url)(out) as ((data: unknown) => boolean) & { errors?: unknown; schemaSha256: string };
    assert.equal(compiled.schemaSha256, createHash('sha256').update(schemaText).digest('hex'));
    const runtime = new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(JSON.parse(schemaText));
    const cases: unknown[] = [
      {}, { targets: ['debian-bookworm'], jobs: 2 }, { targets: 3 }, { bogus: 1 }, { 'signature-policy': 'never' },
      { 'container-limits': { pids: 'many' } }, { packages: [{ name: 'x' }] }, { retention: 0 }, [], 'text', null,
    ];
    for (const data of cases) {
      assert.equal(compiled(data), runtime(data), JSON.stringify(data));
      assert.deepEqual(compiled.errors ?? null, runtime.errors ?? null, JSON.stringify(data));
    }
    assert.ok(cases.some((d) => !runtime(d)) && cases.some((d) => runtime(d)), 'both verdicts are exercised');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
