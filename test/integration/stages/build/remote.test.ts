/**
 * Builds on an engine that does not share this machine's filesystem: `podman system service` in its
 * own mount namespace, where the client's work root is an empty tmpfs (test/helpers/engine-service.ts).
 * The test first proves the invisibility (a bind mount of the client's directory sees nothing), then
 * builds through the real docker CLI (DOCKER_HOST) — the docker dialect for real — and through
 * `podman --remote` (--engine-host), a .deb with a C extension (Build-Depends downloaded by the
 * deps container, handed to the offline build container) and an RPM with a build dependency
 * offered from --local-repo. Each must come out whole, though no path was ever mounted.
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { BASE_IMAGE, cExtensionProject } from '../../../helpers/build-fixtures.ts';
import { runCli } from '../../../helpers/cli.ts';
import { CONTAINERS_CONF, listMountedThroughService, startEngineService, type EngineService } from '../../../helpers/engine-service.ts';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.ts';

let dir: string;
let client: string;
let service: EngineService;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'p2d-remote-'));
  await chmod(dir, 0o755);
  client = path.join(dir, 'client');
  service = await startEngineService(dir, 'engine', client);
});

after(async () => {
  await service?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** The CLI as a client of the remote engine: every scratch dir, cache and output under `client`. */
const cli = (args: string[], engineEnv: Record<string, string>) =>
  runCli(['--cache-dir', path.join(client, 'cache'), '--json', ...args], {
    env: { CONTAINERS_CONF, TMPDIR: path.join(client, 'tmp'), ...engineEnv }, timeout: 20 * 60_000,
  });

test('the engine service cannot see the client work root', async () => {
  await mkdir(client, { recursive: true });
  await writeFile(path.join(client, 'client-only-marker'), 'x');
  const seen = await listMountedThroughService(service, BASE_IMAGE);
  assert.doesNotMatch(seen, /client-only-marker/, 'a bind mount of a client path must not show client files');
});

test('docker CLI against the Docker-API service: a C extension .deb, nothing bind-mounted', async () => {
  await mkdir(path.join(client, 'tmp'), { recursive: true });
  const sdist = await makeSdist(cExtensionProject('remote-ext', '0.3.0'), path.join(client, 'sdists'));
  const out = path.join(client, 'out-docker');
  const r = await cli(['build', sdist, '--target', 'debian-bookworm', '--engine', 'docker', '--out', out], { DOCKER_HOST: service.url });
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  const files = await readdir(out);
  // Named after the project (remote-ext), not after its import name hello_ext.
  const deb = files.find((f) => /^python3-remote-ext_0\.3\.0-1_amd64\.deb$/.test(f));
  assert.ok(deb, files.join(', '));
  const log = files.find((f) => f.endsWith('.build.log'))!;
  const text = String((await execa('cat', [path.join(out, log)])).stdout);
  assert.match(text, /files copied in and out/, 'the copy transfer was used');
  assert.match(text, /network disabled/);
  const contents = String((await execa('dpkg-deb', ['--contents', path.join(out, deb)])).stdout);
  assert.match(contents, /hello_ext.*\.so/, 'the compiled extension is in the package');
});

test('podman --remote (--engine-host): an RPM through the libpod API, nothing bind-mounted', async () => {
  const sdist = await makeSdist(purePythonProject('remote-rpm', '1.1.0'), path.join(client, 'sdists'));
  const out = path.join(client, 'out-podman');
  const r = await cli(['build', sdist, '--target', 'rpmtest-bookworm', '--engine', 'podman', '--engine-host', service.url, '--out', out], {});
  assert.equal(r.exitCode, 0, r.stderr + r.stdout);
  const rpm = (await readdir(out)).find((f) => /^python3-remote-rpm-1\.1\.0-1.*\.noarch\.rpm$/.test(f));
  assert.ok(rpm, (await readdir(out)).join(', '));
  const q = await execa('rpm', ['-qp', '--queryformat', '%{NAME} %{VERSION}', path.join(out, rpm)]);
  assert.equal(String(q.stdout), 'python3-remote-rpm 1.1.0');
});
