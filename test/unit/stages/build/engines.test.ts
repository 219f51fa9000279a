/**
 * Engines, engine selection and builder-image decisions, with the process stubbed by its exact
 * argument list (as np/execa test): what podman/docker would be asked to do, in what order.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ExecaError } from 'execa';
import { createDockerEngine } from '../../../../src/stages/build/engines/docker.ts';
import { containerLimits, createEngine, requestedEngine, selectEngine } from '../../../../src/stages/build/engines/index.ts';
import { createPodmanEngine } from '../../../../src/stages/build/engines/podman.ts';
import type { Runner, RunSpec } from '../../../../src/stages/build/engines/types.ts';
import { Py2DistroError } from '../../../../src/lib/errors.ts';
import type { ExecOptions, ExecResult } from '../../../../src/lib/exec.ts';
import { builderContext, builderTag, contextDigest, ensureImage, pruneBuilderImages } from '../../../../src/stages/build/images.ts';
import { silentLogger } from '../../../../src/lib/log.ts';
import { getTarget } from '../../../../src/distro/targets.ts';

interface Call { file: string; args: string[]; opts: ExecOptions }

/** A runner that records calls and answers from a script keyed by the first engine verb. */
function stubRunner(answer: (args: string[]) => Partial<ExecResult> | Error = () => ({})): { runner: Runner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: Runner = async (file, args, opts = {}) => {
    calls.push({ file, args: [...args], opts });
    const a = answer([...args]);
    if (a instanceof Error) throw a;
    const r = { command: [file, ...args].join(' '), exitCode: 0, stdout: '', stderr: '', failed: false, ...a };
    if (r.exitCode !== 0 && opts.reject !== false) throw new Py2DistroError('E_EXEC', `${file} failed`);
    return r;
  };
  return { runner, calls };
}

const spec: RunSpec = {
  name: 'py2distro-abc-build',
  image: 'localhost/py2distro-builder:debian-bookworm-0123456789ab',
  network: 'none',
  mounts: [
    { source: '/work/src', target: '/py2distro/src', readOnly: true },
    { source: '/work/out', target: '/py2distro/out' },
  ],
  env: { SOURCE_DATE_EPOCH: '1704067200' },
  labels: { 'org.py2distro.build': 'hello-1.0-debian-bookworm' },
  command: ['py2distro-build', 'build'],
};

test('podman run: exact arguments, config engine-args first, SELinux relabel, no network', async () => {
  const { runner, calls } = stubRunner();
  const engine = createPodmanEngine(runner, ['--runtime', 'runc']);
  await engine.runContainer(spec, { timeout: 5000 });
  assert.equal(calls.length, 1, 'a clean exit needs no rm: --rm removed it');
  assert.equal(calls[0]!.file, 'podman');
  assert.deepEqual(calls[0]!.args, [
    '--runtime', 'runc',
    'run', '--rm', '--name', 'py2distro-abc-build', '--network=none', '--security-opt=no-new-privileges',
    '--pids-limit=4096', '--memory=8g', '--memory-swap=8g', '--cap-drop=ALL', '--cap-add=CHOWN', '--cap-add=DAC_OVERRIDE', '--cap-add=FOWNER', '--cap-add=SETUID', '--cap-add=SETGID',
    '--volume', '/work/src:/py2distro/src:ro,z',
    '--volume', '/work/out:/py2distro/out:z',
    '--env', 'SOURCE_DATE_EPOCH=1704067200',
    '--label', 'org.py2distro.build=hello-1.0-debian-bookworm',
    'localhost/py2distro-builder:debian-bookworm-0123456789ab', 'py2distro-build', 'build',
  ]);
  assert.equal(calls[0]!.opts.timeout, 5000);
});

test('the engine process gets an allow-listed environment: never the signing passphrase', async () => {
  const saved = { ...process.env };
  process.env.PY2DISTRO_SIGN_PASSPHRASE = 'correct horse';
  process.env.CONTAINERS_CONF = '/etc/test-containers.conf';
  process.env.SOME_APP_TOKEN = 'x';
  try {
    const { runner, calls } = stubRunner();
    await createPodmanEngine(runner).runContainer(spec);
    await createDockerEngine(runner).checkReachable();
    for (const c of calls) {
      assert.equal(c.opts.extendEnv, false, 'the environment is replaced, not extended');
      assert.equal(c.opts.env?.PY2DISTRO_SIGN_PASSPHRASE, undefined);
      assert.equal(c.opts.env?.SOME_APP_TOKEN, undefined);
      assert.equal(c.opts.env?.CONTAINERS_CONF, '/etc/test-containers.conf');
      assert.equal(c.opts.env?.PATH, process.env.PATH);
    }
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});

test('container limits: config overrides replace the defaults; invalid values never reach the command line', async () => {
  const { runner, calls } = stubRunner();
  const engine = createEngine('podman', runner, [], undefined, undefined, containerLimits({ pids: 512, memory: '2g', 'cap-add': [] }));
  await engine.runContainer(spec);
  const args = calls[0]!.args;
  assert.deepEqual(args.slice(args.indexOf('--pids-limit=512'), args.indexOf('--cap-drop=ALL') + 2), ['--pids-limit=512', '--memory=2g', '--memory-swap=2g', '--cap-drop=ALL', '--volume']);
  for (const bad of [{ pids: 1 }, { memory: '8g --privileged' }, { 'cap-add': ['ALL,SYS_ADMIN --privileged'] }]) {
    assert.throws(() => containerLimits(bad), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_CONFIG');
  }
});

test('docker run: no relabel option; a failed container is force-removed by name', async () => {
  const { runner, calls } = stubRunner((args) => (args[0] === 'run' ? { exitCode: 2 } : {}));
  const engine = createDockerEngine(runner);
  await assert.rejects(engine.runContainer(spec), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_EXEC');
  assert.deepEqual(calls.map((c) => c.args.slice(0, 4)), [
    ['run', '--rm', '--name', 'py2distro-abc-build'],
    ['rm', '--force', 'py2distro-abc-build'],
  ]);
  assert.ok(calls[0]!.args.includes('/work/src:/py2distro/src:ro'));
});

test('a timed-out container becomes E_BUILD_TIMEOUT and is removed without waiting', async () => {
  const timeout = Object.assign(Object.create(ExecaError.prototype) as ExecaError, { timedOut: true, message: 'timed out' });
  const { runner, calls } = stubRunner((args) => (args[0] === 'run' ? new Py2DistroError('E_EXEC', 'killed', { cause: timeout }) : {}));
  const engine = createPodmanEngine(runner);
  await assert.rejects(engine.runContainer(spec, { timeout: 1000 }), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_BUILD_TIMEOUT');
  assert.deepEqual(calls[1]!.args, ['rm', '--force', '--time', '0', '--ignore', 'py2distro-abc-build']);
  assert.equal(calls[1]!.opts.signal, undefined, 'clean-up must not be cancelled by the same Ctrl-C');
});

test('mount paths that --volume cannot express are refused before anything runs', async () => {
  const { runner, calls } = stubRunner();
  const engine = createPodmanEngine(runner);
  const bad = { ...spec, mounts: [{ source: '/tmp/a:b', target: '/py2distro/src' }] };
  await assert.rejects(engine.runContainer(bad), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_USAGE');
  const badLabel = { ...spec, labels: { 'org.py2distro.build': 'x\n--privileged' } };
  await assert.rejects(engine.runContainer(badLabel), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_USAGE');
  assert.equal(calls.filter((c) => c.args.includes('run')).length, 0);
});

test('image build: host network, never re-pull the resolved base, context Dockerfile', async () => {
  const { runner, calls } = stubRunner();
  await createPodmanEngine(runner).buildImage({ contextDir: '/ctx', tag: 'localhost/x:t', buildArgs: { BASE_IMAGE: 'localhost/base:b' }, labels: { 'org.py2distro.target': 't' } });
  assert.deepEqual(calls[0]!.args, [
    'build', '--network=host', '--force-rm', '--pull=never', '--layers', '--tag', 'localhost/x:t',
    '--build-arg', 'BASE_IMAGE=localhost/base:b', '--label', 'org.py2distro.target=t', '--file', '/ctx/Dockerfile', '/ctx',
  ]);
});

async function fakePath(programs: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'engines-path-'));
  for (const p of programs) {
    await writeFile(path.join(dir, p), '#!/bin/sh\nexit 0\n');
    await chmod(path.join(dir, p), 0o755);
  }
  return dir;
}

test('engine choice: --engine, then PY2DISTRO_ENGINE, then config, then detection (podman first)', async () => {
  assert.deepEqual(requestedEngine({ flag: 'docker', env: { PY2DISTRO_ENGINE: 'podman' }, config: { engine: 'podman' } }), { name: 'docker', from: '--engine' });
  assert.deepEqual(requestedEngine({ env: { PY2DISTRO_ENGINE: 'docker' }, config: { engine: 'podman' } }), { name: 'docker', from: 'PY2DISTRO_ENGINE' });
  assert.deepEqual(requestedEngine({ env: {}, config: { engine: 'docker' } }), { name: 'docker', from: 'config engine' });
  assert.equal(requestedEngine({ env: {} }), undefined);
  assert.throws(() => requestedEngine({ flag: 'lxc', env: {} }), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_USAGE');

  const both = await fakePath(['podman', 'docker']);
  const { runner, calls } = stubRunner();
  const engine = await selectEngine({ env: { PATH: both }, runner, config: { 'engine-args': ['--log-level', 'warn'] } });
  assert.equal(engine.name, 'podman');
  assert.deepEqual(calls[0]!.args, ['--log-level', 'warn', 'info', '--format', '{{.Host.OCIRuntime.Name}}'], 'reachability is checked up front');
  const onlyDocker = await fakePath(['docker']);
  assert.equal((await selectEngine({ env: { PATH: onlyDocker }, runner })).name, 'docker');
});

test('missing and unreachable engines fail up front with a hint', async () => {
  const empty = await fakePath([]);
  await assert.rejects(selectEngine({ env: { PATH: empty } }), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_ENGINE_MISSING' && e.exitCode === 2);
  await assert.rejects(selectEngine({ env: { PATH: empty, PY2DISTRO_ENGINE: 'docker' } }), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_ENGINE_MISSING' && /docker/.test(e.message));
  const docker = await fakePath(['docker']);
  const { runner } = stubRunner(() => ({ exitCode: 1, stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock' }));
  await assert.rejects(selectEngine({ env: { PATH: docker }, runner }), (e: unknown) =>
    e instanceof Py2DistroError && e.code === 'E_ENGINE_UNREACHABLE' && /Cannot connect/.test(e.message) && /systemctl start docker/.test(e.hint));
});

test('deferCheck: no `info` until the first container or image build; a failed image query is explained by it', async () => {
  const podman = await fakePath(['podman']);
  const { runner, calls } = stubRunner((args) => (args[0] === 'images' ? { stdout: 'localhost/py2distro-builder:t\tabc123\t\t\n' } : {}));
  const engine = await selectEngine({ env: { PATH: podman }, runner, deferCheck: true });
  assert.deepEqual(calls, [], 'nothing asked at selection');
  assert.deepEqual(await engine.listImages('localhost/py2distro-builder'), [{ ref: 'localhost/py2distro-builder:t', id: 'abc123', created: '', size: '' }]);
  assert.deepEqual(calls.map((c) => c.args[0]), ['images'], 'a query runs unchecked');
  await engine.runContainer(spec);
  await engine.runContainer(spec);
  assert.deepEqual(calls.map((c) => c.args[0]), ['images', 'info', 'run', 'run'], 'checked once, before the first container');

  // An engine that does not answer: the failed query reports the reachability error and its hint.
  const down = stubRunner(() => ({ exitCode: 125, stderr: 'cannot connect to the Podman socket' }));
  const broken = await selectEngine({ env: { PATH: podman }, runner: down.runner, deferCheck: true });
  await assert.rejects(broken.listImages('localhost/py2distro-builder'), (e: unknown) =>
    e instanceof Py2DistroError && e.code === 'E_ENGINE_UNREACHABLE' && /cannot connect/.test(e.message) && /podman info/.test(e.hint));
  await assert.rejects(broken.buildImage({ contextDir: '/ctx', tag: 'localhost/x:t', buildArgs: {}, labels: {} }), { code: 'E_ENGINE_UNREACHABLE' });
  assert.ok(!down.calls.some((c) => c.args[0] === 'build'), 'no build was started');
});

test('findBuilderImage: the current tag and its id (as `images` shows it) from one inspect of that image, no build', async () => {
  const { findBuilderImage } = await import('../../../../src/stages/build/images.ts');
  const target = getTarget('debian-bookworm');
  const tag = builderTag(target, contextDigest(await builderContext(target)));
  const full = '1c4e9ab0578b32e1e1a1b2a1e02b5455344e0a855b0a4174228fc536a8d87f3c';
  for (const [engine, stdout] of [['podman', full], ['docker', `sha256:${full}`]] as const) {
    const { runner, calls } = stubRunner((args) => (args[0] === 'image' ? { stdout } : {}));
    const e = engine === 'podman' ? createPodmanEngine(runner) : createDockerEngine(runner);
    assert.deepEqual(await findBuilderImage(target, e), { tag, id: '1c4e9ab0578b' });
    assert.deepEqual(calls.map((c) => c.args), [['image', 'inspect', '--format', '{{.Id}}', tag]]);
  }
  const none = stubRunner(() => ({ exitCode: 1, stderr: 'no such image' }));
  assert.deepEqual(await findBuilderImage(target, createPodmanEngine(none.runner)), { tag });
});

test('builder tags hash the Dockerfile and scripts: a one-byte change gives a new tag', async () => {
  const target = getTarget('deb');
  const files = await builderContext(target);
  assert.ok(files.has('Dockerfile') && files.has('scripts/deb.sh'));
  const digest = contextDigest(files);
  assert.match(builderTag(target, digest), /^localhost\/py2distro-builder:debian-trixie-[0-9a-f]{12}$/);
  const edited = new Map(files);
  edited.set('Dockerfile', Buffer.concat([files.get('Dockerfile')!, Buffer.from('\n')]));
  assert.notEqual(contextDigest(edited), digest);
  assert.equal(contextDigest(new Map([...files].reverse())), digest, 'order of reading does not matter');
});

const env = { log: silentLogger, workDir: os.tmpdir(), cacheDir: os.tmpdir() };

test('an existing builder tag is reused: nothing is pulled or built', async () => {
  const { runner, calls } = stubRunner();
  const image = await ensureImage(getTarget('rpmtest-bookworm'), createPodmanEngine(runner), env);
  assert.equal(image.status, 'reused');
  assert.deepEqual(calls.map((c) => c.args[0]), ['image']);
});

test('Fedora/EL bases that cannot be pulled fail with E_IMAGE_BASE and say how to provide them', async () => {
  const { runner, calls } = stubRunner((args) => (args[0] === 'image' || args[0] === 'pull' ? { exitCode: 125 } : {}));
  await assert.rejects(ensureImage(getTarget('el9'), createPodmanEngine(runner), env), (e: unknown) =>
    e instanceof Py2DistroError && e.code === 'E_IMAGE_BASE' && /almalinux/.test(e.message) && /podman load/.test(e.hint));
  assert.deepEqual(calls.map((c) => c.args.slice(0, 2)), [
    ['image', 'exists'], // the builder tag
    ['image', 'exists'], // the builder tag again, under the cross-process image lock
    ['image', 'exists'], // the official base
    ['pull', 'quay.io/almalinuxorg/almalinux:9'],
  ]);
  assert.equal(calls.some((c) => c.args[0] === 'build'), false);
});

test('images prune removes only stale builder tags of known targets; a refused rmi is reported', async () => {
  const deb = getTarget('debian-bookworm');
  const current = builderTag(deb, contextDigest(await builderContext(deb)));
  const stale = 'localhost/py2distro-builder:debian-bookworm-000000000000';
  const busy = 'localhost/py2distro-builder:rpmtest-bookworm-111111111111';
  const foreign = 'localhost/py2distro-builder:my-own-target-222222222222';
  const listing = [current, stale, busy, foreign].map((ref, i) => `${ref}\tid${i}\t2026-11-24\t600 MB`).join('\n');
  const { runner, calls } = stubRunner((args) =>
    args[0] === 'images' ? { stdout: listing } : args[0] === 'rmi' && args[1] === busy ? { exitCode: 2 } : {});
  const result = await pruneBuilderImages(createPodmanEngine(runner));
  assert.deepEqual(result, { kept: [current, foreign], removed: [stale], failed: [busy] });
  assert.deepEqual(calls.filter((c) => c.args[0] === 'rmi').map((c) => c.args), [['rmi', stale], ['rmi', busy]]);

  const dry = stubRunner((args) => (args[0] === 'images' ? { stdout: listing } : {}));
  const planned = await pruneBuilderImages(createPodmanEngine(dry.runner), { dryRun: true });
  assert.deepEqual(planned.removed, [stale, busy]);
  assert.equal(dry.calls.some((c) => c.args[0] === 'rmi'), false, 'a dry run removes nothing');
});
