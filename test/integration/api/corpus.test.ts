/**
 * The class corpus (test/helpers/corpus.ts) built for both Debian releases with one `build`
 * command, as a new user would, judged as issue 12 says: each .deb has no lintian errors (and none
 * of the description/copyright tags the real corpus had), and all of them install with apt in a
 * clean container of that release, import, and their console scripts run. The build requirements
 * only the index has are built first; the distro's trixie/bookworm trove-classifiers is upgraded
 * in place by ours (same binary name, higher version).
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { baseImageFor, CONTAINERS_CONF, podman } from '../../helpers/build-fixtures.ts';
import { runCli } from '../../helpers/cli.ts';
import type { CorpusEntry } from '../../helpers/corpus.ts';
import { serveCorpus } from '../../helpers/corpus-index.ts';
import type { IndexServer } from '../../helpers/index-server.ts';

const TAGS = ['extended-description-line-too-long', 'possible-unindented-list-in-extended-description', 'description-synopsis-is-duplicated', 'copyright-not-using-common-license-for', 'copyright-file-contains-full-apache-2-license'];
let dir: string;
let index: IndexServer;
let sdists: string[] = [];
let corpus: CorpusEntry[] = [];

before(async () => {
  ({ dir, index, sdists, corpus } = await serveCorpus('p2d-corpus-'));
});
after(() => index.close());

for (const target of ['debian-trixie', 'debian-bookworm']) {
  test(`${target}: every class of the corpus builds, is lintian-clean, installs, imports and runs its scripts`, async () => {
    const out = path.join(dir, `out-${target}`);
    const r = await runCli(['--cache-dir', path.join(dir, 'cache'), '--json', 'build', ...sdists, '--target', target, '--out', out, '--jobs', '2',
      '--index-url', index.url, '--signature-policy', 'off'], { env: { CONTAINERS_CONF } });
    assert.equal(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(-4000)}`);
    const debs = (await readdir(out)).filter((f) => f.endsWith('.deb')).sort();
    // Ours, under the distro's own name, at a version above the distro's.
    assert.ok(debs.some((d) => d.startsWith('python3-trove-classifiers_2099.1.1-1_')), debs.join(', '));
    assert.ok(debs.some((d) => d.startsWith('python3-corpus-plugin_1.0-1_')), debs.join(', '));
    for (const deb of debs) {
      const lint = await execa('lintian', ['--tag-display-limit', '0', path.join(out, deb)], { reject: false });
      const lines = String(lint.stdout).split('\n');
      assert.deepEqual(lines.filter((l) => l.startsWith('E: ')), [], `${deb}: lintian errors`);
      assert.deepEqual(lines.filter((l) => TAGS.some((t) => l.includes(t))), [], `${deb}: description/copyright tags`);
    }
    const pkgres = debs.find((d) => d.startsWith('python3-corpus-pkgres_'))!;
    assert.match(String((await execa('dpkg-deb', ['--field', path.join(out, pkgres), 'Depends'])).stdout), /python3-pkg-resources/);
    const log = await readFile(path.join(out, `corpus-pkgres-1.0-${target}.build.log`), 'utf8');
    assert.match(log, /imports pkg_resources, which no dependency provides/);

    const imports = corpus.map((e) => e.module).join(', ');
    const scripts = corpus.flatMap((e) => e.scripts);
    const install = await podman(['run', '--rm', '--network=host', '--volume', `${out}:/debs:ro`, baseImageFor(target), 'sh', '-c', [
      'set -e', 'apt-get update -qq',
      // The distro's trove-classifiers first: ours must upgrade it in place (no file conflict).
      'apt-get install -y -qq python3-trove-classifiers >/dev/null',
      `apt-get install -y -qq ${debs.map((d) => `/debs/${d}`).join(' ')} >/dev/null`,
      "dpkg-query -W -f='${Version}\\n' python3-trove-classifiers",
      `cd / && python3 -c "import ${imports}; print('imported')"`,
      ...scripts.map((s) => `command -v ${s} && ${s}`),
    ].join('\n')]);
    assert.equal(install.exitCode, 0, `${install.stdout}\n${install.stderr}`);
    assert.match(install.stdout, /^2099\.1\.1-1$/m);
    assert.match(install.stdout, /imported/);
    for (const s of scripts) assert.match(install.stdout, new RegExp(`${s} ok`));
  });
}
