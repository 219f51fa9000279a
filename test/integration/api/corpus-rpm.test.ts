/**
 * Issue 15: the RPM path builds the same corpus as the Debian path. The class corpus is built
 * for debian-bookworm and the test-only rpmtest-bookworm in one `build` command; each rpm passes
 * rpmlint without errors, and for every project the .deb and the .rpm ship the same Python files
 * and the same console scripts. Covers the two RPM-only failures: Cython from [build-system]
 * requires reaching the build (cytoolz), and a project the build host already has installed
 * (packaging 25.0: "Permission denied: 'RECORD'").
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { execa } from 'execa';
import { CONTAINERS_CONF } from '../../helpers/build-fixtures.ts';
import { runCli } from '../../helpers/cli.ts';
import type { CorpusEntry } from '../../helpers/corpus.ts';
import { serveCorpus } from '../../helpers/corpus-index.ts';
import type { IndexServer } from '../../helpers/index-server.ts';

let dir: string;
let index: IndexServer;
let sdists: string[] = [];
let corpus: CorpusEntry[] = [];

before(async () => {
  ({ dir, index, sdists, corpus } = await serveCorpus('p2d-corpus-rpm-'));
});
after(() => index.close());

/** Python files under dist-packages and /usr/bin entries, as package-relative paths. */
function shipped(paths: string[]): { python: string[]; scripts: string[] } {
  const norm = paths.map((p) => p.replace(/^\.\//, '/'));
  return {
    python: norm.map((p) => /\/dist-packages\/(.+\.(py|so))$/.exec(p)?.[1]).filter((p): p is string => Boolean(p) && !p.includes('__pycache__')).sort(),
    scripts: norm.map((p) => /^\/usr\/bin\/([^/]+)$/.exec(p)?.[1]).filter((p): p is string => Boolean(p)).sort(),
  };
}

test('the corpus builds for debian-bookworm and rpmtest-bookworm; same modules and scripts; rpmlint clean', async () => {
  const out = path.join(dir, 'out');
  const r = await runCli(['--cache-dir', path.join(dir, 'cache'), '--json', 'build', ...sdists, '--target', 'debian-bookworm', '--target', 'rpmtest-bookworm',
    '--out', out, '--jobs', '2', '--index-url', index.url, '--signature-policy', 'off'], { env: { CONTAINERS_CONF } });
  assert.equal(r.exitCode, 0, `${r.stderr}\n${r.stdout.slice(-4000)}`);
  const files = await readdir(out);
  for (const entry of corpus) {
    const stem = entry.spec.name.replace(/_/g, '-');
    const deb = files.find((f) => f.startsWith(`python3-${stem}_`) && f.endsWith('.deb'));
    const rpm = files.find((f) => f.startsWith(`python3-${stem}-${entry.spec.version}-`) && f.endsWith('.rpm') && !f.endsWith('.src.rpm'));
    assert.ok(deb && rpm, `${entry.spec.name}: ${files.join(', ')}`);
    const debFiles = shipped(String((await execa('dpkg-deb', ['--contents', path.join(out, deb)])).stdout).split('\n').map((l) => l.split(/\s+/).slice(5).join(' ').replace(/ -> .*$/, '')));
    const rpmFiles = shipped(String((await execa('rpm', ['-qpl', path.join(out, rpm)])).stdout).split('\n'));
    assert.ok(debFiles.python.some((p) => p.startsWith(`${entry.module}/`)), `${deb}: ${debFiles.python.join(', ')}`);
    assert.deepEqual(rpmFiles.python, debFiles.python, `${entry.spec.name}: the same Python files`);
    assert.deepEqual(rpmFiles.scripts, debFiles.scripts, `${entry.spec.name}: the same scripts`);
    assert.deepEqual(rpmFiles.scripts, [...entry.scripts].sort());
    const lint = await execa('rpmlint', [path.join(out, rpm)], { reject: false });
    const errors = String(lint.stdout).split('\n').filter((l) => / E: /.test(l) && !/ E: no-signature\b/.test(l));
    assert.deepEqual(errors, [], `${rpm}: rpmlint`);
  }
  // cytoolz's class: Cython reached the rpm build and compiled the extension.
  const cython = files.find((f) => f.startsWith('python3-corpus-cython-1.0-') && f.endsWith('.x86_64.rpm'))!;
  assert.match(String((await execa('rpm', ['-qpl', path.join(out, cython)])).stdout), /corpus_cython\/fast\.cpython-\d+-x86_64-linux-gnu\.so/);
});
