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
import { CONTAINERS_CONF } from '../../../helpers/build-fixtures.ts';
import { runCli } from '../../../helpers/cli.ts';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.ts';

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

  // Both the binary and the source package; rpmlint's own summary must agree, so a crashed or
  // silent rpmlint cannot pass as "no errors".
  const srpm = files.find((f) => f.endsWith('.src.rpm'))!;
  const lint = await execa('rpmlint', [path.join(out, rpm), path.join(out, srpm)], { reject: false });
  const lines = String(lint.stdout).split('\n');
  const summary = /2 packages and 0 specfiles checked; (\d+) errors?,/.exec(String(lint.stdout));
  assert.ok(summary, String(lint.stdout) + String(lint.stderr));
  // no-signature: packages are signed by the publish step (issue 5), not by the build.
  const exempt = lines.filter((l) => / E: no-signature\b/.test(l));
  const errors = lines.filter((l) => / E: /.test(l) && !exempt.includes(l));
  assert.deepEqual(errors, []);
  assert.equal(Number(summary[1]), exempt.length, String(lint.stdout));
});
