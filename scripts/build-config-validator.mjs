#!/usr/bin/env node
/**
 * Part of `make build`: compiles schema/py2distro.schema.json into a standalone ajv validator
 * (dist/api/config-validator.cjs, or the path given), so that loading a configuration does not compile the schema on
 * every run (~60 ms of a no-op sync). The module records the sha256 of the schema it was made
 * from; src/api/config.ts uses it only when that matches the schema it reads, and compiles the
 * schema itself otherwise (a build that skipped this step is slower, never wrong).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const schemaText = readFileSync(path.join(root, 'schema', 'py2distro.schema.json'), 'utf8');
// The same options as src/api/config.ts.
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { source: true } });
const validate = ajv.compile(JSON.parse(schemaText));
const sha256 = createHash('sha256').update(schemaText).digest('hex');
const out = process.argv[2] ? path.resolve(process.argv[2]) : path.join(root, 'dist', 'api', 'config-validator.cjs');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(out, `${standaloneCode.default(ajv, validate)}\nmodule.exports.schemaSha256 = ${JSON.stringify(sha256)};\n`);
