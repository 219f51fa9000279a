/**
 * The container sequence of a build (stages/build/steps.ts): the network only for the package
 * manager; RPM dynamic BuildRequires resolved in rounds, as mock does, with upstream code
 * (rpmbuild -br) always offline. The real engine's argument lists for each step are checked too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runArgs } from '../../../../src/stages/build/engines/cli-engine.ts';
import { podmanDialect } from '../../../../src/stages/build/engines/podman.ts';
import { buildSteps, MAX_BUILDREQS_ROUNDS, stepNetwork, type StepName } from '../../../../src/stages/build/steps.ts';
import { Py2DistroError } from '../../../../src/lib/errors.ts';

async function sequence(family: 'deb' | 'rpm', statuses: string[]): Promise<string[][]> {
  const argv: string[][] = [];
  await buildSteps(family, async (step: StepName) => {
    argv.push(runArgs({ name: `c-${step}`, image: 'img', network: stepNetwork(step), mounts: [], env: {}, command: ['py2distro-build', step] }, podmanDialect));
  }, async () => statuses.shift() ?? '', 'pkg');
  return argv;
}

const summary = (argv: string[][]) => argv.map((a) => `${a.at(-1)}:${a.find((x) => x.startsWith('--network='))}`);

test('deb: deps with the network, then the build without', async () => {
  assert.deepEqual(summary(await sequence('deb', [])), ['deps:--network=host', 'build:--network=none']);
});

test('rpm: rpmbuild -br runs offline; another dnf round only when it asks for more', async () => {
  assert.deepEqual(summary(await sequence('rpm', ['done'])), ['deps:--network=host', 'buildreqs:--network=none', 'build:--network=none']);
  assert.deepEqual(summary(await sequence('rpm', ['more', 'more', 'done'])), [
    'deps:--network=host', 'buildreqs:--network=none', 'deps:--network=host', 'buildreqs:--network=none',
    'deps:--network=host', 'buildreqs:--network=none', 'build:--network=none',
  ]);
});

test('rpm: a round without a status, or one that never settles, fails the build', async () => {
  await assert.rejects(sequence('rpm', ['garbage']), (e: unknown) => e instanceof Py2DistroError && e.code === 'E_BUILD_FAILED');
  await assert.rejects(sequence('rpm', Array(MAX_BUILDREQS_ROUNDS).fill('more')), /still asks for more after 5 rounds/);
});
