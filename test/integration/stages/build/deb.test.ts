/**
 * `py2distro build` for both Debian releases (trixie, the `deb` alias, and bookworm), judged by
 * Debian's own tools: lintian reports no errors, apt installs the packages in a clean container of
 * that release and the modules import; a pure-Python
 * project gives Architecture: all, a C extension an arch-specific package with shlibs
 * dependencies; and building the same input twice gives byte-identical .debs.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import { execa } from 'execa';
import { baseImageFor, CONTAINERS_CONF, cExtensionProject, lintianErrors, podman } from '../../../helpers/build-fixtures.ts';
import { runCli } from '../../../helpers/cli.ts';
import { makeSdist, purePythonProject } from '../../../helpers/sdist.ts';

let dir: string;
let pureSdist: string;
let extSdist: string;
const env = { CONTAINERS_CONF };

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'build-deb-'));
  pureSdist = await makeSdist(purePythonProject('hello-pure', '1.2.0'), path.join(dir, 'sdists'));
  extSdist = await makeSdist(cExtensionProject(), path.join(dir, 'sdists'));
});

const sha256 = async (f: string) => createHash('sha256').update(await readFile(f)).digest('hex');
const field = async (deb: string, name: string) => String((await execa('dpkg-deb', ['--field', deb, name])).stdout);

for (const target of ['debian-trixie', 'debian-bookworm']) {
  test(`${target}: pure Python and C extension build into lintian-clean .debs that install and import`, async () => {
    const out = path.join(dir, `out-${target}`);
    const r = await runCli(['--cache-dir', path.join(dir, 'cache'), '--json', 'build', pureSdist, extSdist, '--target', target, '--out', out, '--jobs', '2'], { env });
    assert.equal(r.exitCode, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { builds: { package: string; artifacts: string[]; log: string; provenance: { build: Record<string, unknown> } }[] };
    assert.equal(report.builds.length, 2);

    const pure = path.join(out, 'python3-hello-pure_1.2.0-1_all.deb');
    const ext = path.join(out, 'python3-hello-ext_0.2.0-1_amd64.deb');
    const files = await readdir(out);
    for (const f of [pure, ext]) assert.ok(files.includes(path.basename(f)), `${path.basename(f)} in ${files.join(', ')}`);
    assert.ok(files.some((f) => f.endsWith('.buildinfo')) && files.some((f) => f.endsWith('.changes')));
    assert.ok(!files.some((f) => f.startsWith('.')), 'no temp files left in --out');

    assert.equal(await field(pure, 'Architecture'), 'all');
    assert.equal(await field(ext, 'Architecture'), 'amd64');
    assert.match(await field(ext, 'Depends'), /libc6 \(>= [^)]+\)/, '${shlibs:Depends} was expanded');
    assert.deepEqual(await lintianErrors(pure), []);
    assert.deepEqual(await lintianErrors(ext), []);

    for (const b of report.builds) {
      const log = await readFile(b.log, 'utf8');
      assert.match(log, /dpkg-buildpackage/);
      assert.ok(b.provenance.build.packageMetadata, 'the built package metadata is recorded');
    }

    const install = await podman([
      'run', '--rm', '--network=host', '--volume', `${out}:/debs:ro`, baseImageFor(target), 'sh', '-c',
      'apt-get update -qq && apt-get install -y -qq ./debs/python3-hello-pure_1.2.0-1_all.deb ./debs/python3-hello-ext_0.2.0-1_amd64.deb >/dev/null && cd / && python3 -c "import hello_pure, hello_ext; print(hello_pure.hello(), hello_ext.pid() > 0)"',
    ]);
    assert.equal(install.exitCode, 0, install.stderr);
    assert.match(install.stdout, /hello from hello-pure True/);
  });
}

test('building the same sdist again gives a byte-identical .deb', async () => {
  const outA = path.join(dir, 'out-debian-bookworm');
  const outB = path.join(dir, 'again');
  const r = await runCli(['--cache-dir', path.join(dir, 'cache'), 'build', pureSdist, '--target', 'debian-bookworm', '--out', outB], { env });
  assert.equal(r.exitCode, 0, r.stderr);
  const name = 'python3-hello-pure_1.2.0-1_all.deb';
  assert.equal(await sha256(path.join(outB, name)), await sha256(path.join(outA, name)));
});
