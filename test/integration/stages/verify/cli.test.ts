/**
 * `py2distro verify <file>`: a local file's detached signature, checked with the same refusals as
 * fetch; the policy defaults to required.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, appendFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../../../helpers/cli.ts';
import { generateKey, signDetached, writeKeyring, type TestKey } from '../../../helpers/keys.ts';

let dir: string;
let key: TestKey;
let keyring: string;
let file: string;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'verify-cli-'));
  key = await generateKey({ name: 'Release Manager' });
  keyring = await writeKeyring(path.join(dir, 'keys.asc'), [await generateKey({ name: 'Decoy' }), key]);
  file = path.join(dir, 'hello_pkg-1.0.0.tar.gz');
  const data = Buffer.from('pretend this is a tarball\n'.repeat(1000));
  await writeFile(file, data);
  await writeFile(`${file}.asc`, await signDetached(data, key));
});

after(() => rm(dir, { recursive: true, force: true }));

test('verify: good signature from the pinned key', async () => {
  const r = await runCli(['verify', file, '--keyring', keyring, '--trust', `hello-pkg=${key.fingerprint}`, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.signature.status, 'verified');
  assert.equal(j.signature.signer, key.fingerprint);
  assert.equal(j.project, 'hello-pkg');
});

test('verify: no pin → exit 3 with the --trust to add; wrong --sha256 → exit 3', async () => {
  const r = await runCli(['verify', file, '--keyring', keyring]);
  assert.equal(r.exitCode, 3);
  assert.match(r.stderr, /E_SIGNATURE_UNTRUSTED/);
  assert.ok(r.stderr.includes(`--trust hello-pkg=${key.fingerprint}`), r.stderr);
  const h = await runCli(['verify', file, '--keyring', keyring, '--trust', `hello-pkg=${key.fingerprint}`, '--sha256', '00'.repeat(32)]);
  assert.equal(h.exitCode, 3);
  assert.match(h.stderr, /E_HASH_MISMATCH/);
});

test('verify: modified file → BAD signature, exit 3; missing signature → exit 3', async () => {
  const copy = path.join(dir, 'other_pkg-1.0.tar.gz');
  await writeFile(copy, 'x');
  const missing = await runCli(['verify', copy, '--keyring', keyring, '--trust', `other-pkg=${key.fingerprint}`]);
  assert.equal(missing.exitCode, 3);
  assert.match(missing.stderr, /E_SIGNATURE_MISSING/);
  await appendFile(file, 'tampered');
  const bad = await runCli(['verify', file, '--keyring', keyring, '--trust', `hello-pkg=${key.fingerprint}`]);
  assert.equal(bad.exitCode, 3);
  assert.match(bad.stderr, /E_SIGNATURE_BAD.*hello_pkg-1\.0\.0\.tar\.gz/);
});

test('verify: a keyring that is not a keyring is a usage error (exit 2)', async () => {
  const junk = path.join(dir, 'junk.asc');
  await writeFile(junk, 'not a key');
  const r = await runCli(['verify', file, '--keyring', junk, '--trust', `hello-pkg=${key.fingerprint}`]);
  assert.equal(r.exitCode, 2, r.stderr);
  assert.match(r.stderr, /E_KEYRING/);
});

test('verify: keyrings and trust pins from py2distro.yaml (flags add to them)', async () => {
  const cfgDir = await mkdtemp(path.join(dir, 'cfg-'));
  await writeFile(path.join(cfgDir, 'keys.asc'), await (await import('node:fs/promises')).readFile(keyring));
  const data = Buffer.from('config case\n');
  const target = path.join(cfgDir, 'cfg_pkg-2.0.tar.gz');
  await writeFile(target, data);
  await writeFile(`${target}.asc`, await signDetached(data, key));
  await writeFile(path.join(cfgDir, 'py2distro.yaml'), `keyrings: [keys.asc]\ntrust:\n  Cfg_Pkg: "${key.fingerprint}"\n`);
  const r = await runCli(['--config', path.join(cfgDir, 'py2distro.yaml'), 'verify', target, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).signature.signer, key.fingerprint);
  const bad = await runCli(['--config', path.join(cfgDir, 'py2distro.yaml'), 'verify', target, '--signature-policy', 'sometimes']);
  assert.equal(bad.exitCode, 2);
});
