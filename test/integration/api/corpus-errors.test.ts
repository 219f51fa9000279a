/**
 * The corpus classes that cannot build offline fail with an error naming the missing piece: a
 * build requirement neither the distro nor the index has, and Rust crates without a Cargo.lock,
 * before any build container starts; Rust crates that cannot be fetched, from the dependency
 * step, with what failed. And the mechanics of the Rust path: a crate pinned by its Cargo.lock is
 * vendored in the dependency step and built offline (a setuptools-rust RustBin on trixie).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { baseImageFor, CONTAINERS_CONF, podman } from '../../helpers/build-fixtures.ts';
import { runCli } from '../../helpers/cli.ts';
import { needsNowhere, rustProject } from '../../helpers/corpus.ts';
import { startIndexServer, type IndexServer } from '../../helpers/index-server.ts';
import { makeSdist } from '../../helpers/sdist.ts';

let dir: string;
let index: IndexServer;
const env = { CONTAINERS_CONF };

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-corpus-err-'));
  index = await startIndexServer({ mode: 'json' });
});
after(() => index.close());

const build = (sdist: string, target: string, out: string) =>
  runCli(['--cache-dir', path.join(dir, 'cache'), 'build', sdist, '--target', target, '--out', out, '--index-url', index.url, '--signature-policy', 'off'], { env });

async function buildContainers(stem: string): Promise<string> {
  return (await podman(['ps', '-a', '--filter', `label=org.py2distro.build=${stem}`, '--format', '{{.Names}}'])).stdout.trim();
}

test('a build requirement in neither the distro nor the index fails before any build container, naming it and the fix', async () => {
  const sdist = await makeSdist(needsNowhere, path.join(dir, 'sdists'));
  const out = path.join(dir, 'out-nowhere');
  const r = await build(sdist, 'debian-bookworm', out);
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /E_BUILD_REQUIREMENT/);
  assert.match(r.stderr, /corpus-nowhere>=2 \(needed by corpus-needs-nowhere\): debian-bookworm has no package of it, and the index has no usable release/);
  assert.match(r.stderr, /Publish corpus-nowhere on the index/);
  const files = await readdir(out).catch(() => []);
  assert.ok(!files.some((f) => f.endsWith('.build.log')), `no build was started: ${files.join(', ')}`);
  assert.equal(await buildContainers('corpus-needs-nowhere-1.0-debian-bookworm'), '');
});

test('Rust crates without a Cargo.lock fail before any build container (E_RUST_CRATES)', async () => {
  const sdist = await makeSdist(rustProject({ dependency: true, lock: false }), path.join(dir, 'sdists-nolock'));
  const r = await build(sdist, 'debian-trixie', path.join(dir, 'out-nolock'));
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /E_RUST_CRATES/);
  assert.match(r.stderr, /Cargo\.toml has crate dependencies but the sdist has no Cargo\.lock/);
});

test('Rust crates that cannot be fetched fail in the dependency step, saying so', async () => {
  const sdist = await makeSdist(rustProject({ dependency: true }), path.join(dir, 'sdists-dep'));
  const r = await build(sdist, 'debian-trixie', path.join(dir, 'out-dep'));
  assert.equal(r.exitCode, 1, r.stderr);
  assert.match(r.stderr, /E_BUILD_FAILED/);
  assert.match(r.stderr, /cannot fetch the Rust crates pinned by Cargo\.lock \(cargo vendor failed/);
});

test('trixie: a crate pinned by Cargo.lock is vendored in the dependency step and built offline', async () => {
  const sdist = await makeSdist(rustProject(), path.join(dir, 'sdists-rust'));
  const out = path.join(dir, 'out-rust');
  const r = await build(sdist, 'debian-trixie', out);
  assert.equal(r.exitCode, 0, r.stderr);
  const deb = (await readdir(out)).find((f) => /^python3-corpus-rust_1\.0-1_amd64\.deb$/.test(f));
  assert.ok(deb);
  const run = await podman(['run', '--rm', '--network=host', '--volume', `${out}:/debs:ro`, baseImageFor('debian-trixie'), 'sh', '-c',
    `apt-get update -qq && apt-get install -y -qq /debs/${deb} >/dev/null && corpus-rustbin && cd / && python3 -c "import corpus_rust"`]);
  assert.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`);
  assert.match(run.stdout, /corpus-rustbin ok/);
});
