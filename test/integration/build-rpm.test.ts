/**
 * `py2distro build --target rpmtest-bookworm`: the RPM path built offline on Debian's rpm tools.
 * Judged by rpm itself (the payload lists the module) and by rpmlint.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { CONTAINERS_CONF } from '../helpers/build-fixtures.ts';
import { runCli } from '../helpers/cli.ts';
import { makeSdist, purePythonProject } from '../helpers/sdist.ts';

test('rpmtest-bookworm: a noarch .rpm and .src.rpm; rpm -qpl lists the module; rpmlint finds no errors', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'build-rpm-'));
  const sdist = await makeSdist(purePythonProject('hello-rpm', '2.0.1'), path.join(dir, 'sdists'));
  const out = path.join(dir, 'out');
  const r = await runCli(['--cache-dir', path.join(dir, 'cache'), 'build', sdist, '--target', 'rpmtest-bookworm', '--out', out], { env: { CONTAINERS_CONF } });
  assert.equal(r.exitCode, 0, r.stderr);
  const files = await readdir(out);
  const rpm = files.find((f) => f.endsWith('.noarch.rpm'));
  assert.ok(rpm, files.join(', '));
  assert.ok(files.some((f) => f.endsWith('.src.rpm')));
  assert.ok(files.includes('hello-rpm-2.0.1-rpmtest-bookworm.build.log'));

  const list = String((await execa('rpm', ['-qpl', path.join(out, rpm)])).stdout).split('\n');
  assert.ok(list.some((l) => /\/hello_rpm\/__init__\.py$/.test(l)), list.join('\n'));

  const lint = await execa('rpmlint', [path.join(out, rpm)], { reject: false });
  // no-signature: packages are signed by the publish step (issue 5), not by the build.
  const errors = String(lint.stdout).split('\n').filter((l) => / E: /.test(l) && !/ E: no-signature/.test(l));
  assert.deepEqual(errors, []);
});
