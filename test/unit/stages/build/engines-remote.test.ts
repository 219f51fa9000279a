/**
 * Remote engines: where the host comes from (flag, config, DOCKER_HOST, docker contexts,
 * CONTAINER_HOST, engine-args), that it switches the transfer to copy (no mount) unless told
 * otherwise, and the exact argument lists of the copy transfer — create with the same isolation
 * flags as run and never a --volume, cp in/out, start --attach.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createEngine } from '../../../../src/stages/build/engines/index.ts';
import { checkEngineUrl, resolveEngineHost } from '../../../../src/stages/build/engines/host.ts';
import type { Runner } from '../../../../src/stages/build/engines/types.ts';
import { Py2DistroError } from '../../../../src/lib/errors.ts';

const noHome = { HOME: '/nonexistent' };

test('engine host: flag over config over environment; docker gets --host, podman --remote --url', () => {
  const d = resolveEngineHost('docker', { hostFlag: 'ssh://builder@build1', config: 'tcp://x:2375', env: { DOCKER_HOST: 'unix:///a.sock' } });
  assert.deepEqual([d.remote, d.from, d.args], [true, '--engine-host', ['--host', 'ssh://builder@build1']]);
  const p = resolveEngineHost('podman', { config: 'unix:///run/podman/podman.sock', env: {} });
  assert.deepEqual([p.remote, p.from, p.args], [true, 'engine-host', ['--remote', '--url', 'unix:///run/podman/podman.sock']]);
  assert.equal(resolveEngineHost('docker', { env: { ...noHome, DOCKER_HOST: 'tcp://10.0.0.2:2376' } }).from, 'DOCKER_HOST');
  assert.equal(resolveEngineHost('podman', { env: { CONTAINER_HOST: 'ssh://me@h:22/run/podman/podman.sock' } }).from, 'CONTAINER_HOST');
  assert.equal(resolveEngineHost('docker', { env: { ...noHome, DOCKER_CONTEXT: 'buildfarm' } }).remote, true);
  assert.equal(resolveEngineHost('podman', { engineArgs: ['--connection', 'farm'], env: {} }).remote, true);
  assert.equal(resolveEngineHost('docker', { env: noHome }).remote, false, 'no host given: local');
  assert.equal(resolveEngineHost('podman', { env: { DOCKER_HOST: 'tcp://x:1' } }).remote, false, "DOCKER_HOST is docker's, not podman's");
});

test('engine host: the current docker context from ~/.docker/config.json', async () => {
  const home = await mkdtemp(path.join(os.tmpdir(), 'dctx-'));
  await writeFile(path.join(home, 'config.json'), JSON.stringify({ currentContext: 'remote-farm' }));
  assert.equal(resolveEngineHost('docker', { env: { DOCKER_CONFIG: home } }).from, 'docker context "remote-farm"');
  await writeFile(path.join(home, 'config.json'), JSON.stringify({ currentContext: 'default' }));
  assert.equal(resolveEngineHost('docker', { env: { DOCKER_CONFIG: home } }).remote, false);
});

test('engine URLs outside unix:// tcp:// ssh:// are refused before reaching argv', () => {
  for (const bad of ['http://x', 'unix://relative', 'tcp://host;rm -rf /', 'ssh://a b', '--help', 'tcp://x:1\n']) {
    assert.throws(() => checkEngineUrl(bad, 'engine-host'), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_CONFIG', bad);
  }
  assert.throws(() => resolveEngineHost('docker', { env: { DOCKER_HOST: 'npipe:////./pipe/x' } }), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_USAGE');
});

function recorder() {
  const calls: string[][] = [];
  const runner: Runner = async (file, args) => {
    calls.push([file, ...args]);
    return { command: '', exitCode: 0, stdout: args.includes('inspect') ? 'ab'.repeat(32) : '', stderr: '', failed: false };
  };
  return { calls, runner };
}

test('a remote engine copies: create (no --volume, --network=none kept), cp in, start --attach, cp out', async () => {
  const { calls, runner } = recorder();
  const engine = createEngine('docker', runner, [], resolveEngineHost('docker', { hostFlag: 'tcp://b:2375', env: {} }));
  assert.equal(engine.transfer, 'copy');
  const spec = { name: 'py2distro-1-build', image: 'img', network: 'none' as const, mounts: [], env: { A: '1' }, command: ['py2distro-build', 'build'] };
  await engine.createContainer(spec);
  await engine.copyIn(spec.name, '/w/run/py2distro', '/py2distro');
  await engine.startContainer(spec.name);
  await engine.copyOut(spec.name, '/py2distro/out', '/w/run/built');
  assert.equal(await engine.imageId('img'), `sha256:${'ab'.repeat(32)}`);
  assert.deepEqual(calls.slice(0, 4), [
    ['docker', '--host', 'tcp://b:2375', 'create', '--name', 'py2distro-1-build', '--network=none', '--security-opt=no-new-privileges',
      '--pids-limit=4096', '--memory=8g', '--memory-swap=8g', '--cap-drop=ALL', '--cap-add=CHOWN', '--cap-add=DAC_OVERRIDE', '--cap-add=FOWNER', '--cap-add=SETUID', '--cap-add=SETGID', '--env', 'A=1', 'img', 'py2distro-build', 'build'],
    ['docker', '--host', 'tcp://b:2375', 'cp', '/w/run/py2distro', 'py2distro-1-build:/py2distro'],
    ['docker', '--host', 'tcp://b:2375', 'start', '--attach', 'py2distro-1-build'],
    ['docker', '--host', 'tcp://b:2375', 'cp', 'py2distro-1-build:/py2distro/out', '/w/run/built'],
  ]);
  await assert.rejects(engine.createContainer({ ...spec, mounts: [{ source: '/x', target: '/y' }] }), (e: unknown) => e instanceof Py2DistroError);
  await assert.rejects(engine.copyIn(spec.name, 'relative', '/py2distro'), (e: unknown) => e instanceof Py2DistroError);
  await assert.rejects(engine.copyOut(spec.name, '/py2distro/../etc', '/w/x'), (e: unknown) => e instanceof Py2DistroError);
  await assert.rejects(engine.copyOut('bad name', '/py2distro/out', '/w/x'), (e: unknown) => e instanceof Py2DistroError);
});

test('transfer: local engines bind-mount; --no-bind-mounts copies locally; --bind-mounts mounts on a shared remote', () => {
  const { runner } = recorder();
  const local = resolveEngineHost('podman', { env: {} });
  const remote = resolveEngineHost('podman', { config: 'ssh://h', env: {} });
  assert.equal(createEngine('podman', runner, [], local).transfer, 'bind');
  assert.equal(createEngine('podman', runner, [], local, false).transfer, 'copy');
  assert.equal(createEngine('podman', runner, [], remote).transfer, 'copy');
  assert.equal(createEngine('podman', runner, [], remote, true).transfer, 'bind');
  assert.notEqual(createEngine('podman', runner, [], remote).hostId, createEngine('podman', runner, [], local).hostId);
});
