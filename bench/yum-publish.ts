/**
 * yum publishing against the tools a user would otherwise run, in the same run on the same files.
 *   new repo  `py2distro repo publish` of N unsigned .rpms (CLI: header signatures, repodata entries,
 *             repomd.xml.asc, generation swap) vs `rpmsign --addsign` of copies of the same files +
 *             `createrepo_c` + `gpg --detach-sign --armor` of repomd.xml;
 *   add 1     one more .rpm through the CLI vs `rpmsign --addsign` of it + `createrepo_c --update` +
 *             `gpg --detach-sign`.
 * BENCH_SIZES (default "2000"), BENCH_RUNS (3); medians. BENCH_DIR keeps the generated .rpms.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeOrgKey } from '../test/helpers/packages.ts';
import { gpgHomeWith, median, report, RUNS, seconds } from './common.ts';
import { disposeGnupgHome } from '../test/helpers/keys.ts';

const SIZES = (process.env.BENCH_SIZES ?? '2000').split(/\s+/).filter(Boolean).map(Number);
const work = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'py2distro-bench-yum');
// The installed command (bin/py2distro), as a user or a cron job runs it.
const CLI = path.resolve('bin/py2distro');

async function generateRpms(n: number): Promise<string[]> {
  const top = path.join(work, `top-${n}`);
  const out = path.join(top, 'RPMS', 'noarch');
  if (!existsSync(out) || (await readdir(out)).length < n) {
    const lines = ['Name: python3-bench', 'Version: 1.0', 'Release: 1', 'Summary: bench', 'License: MIT', 'BuildArch: noarch',
      '%description', 'bench', '%install', 'mkdir -p %{buildroot}/usr/lib/python3/dist-packages',
      `for i in $(seq 0 ${n - 1}); do echo "N = $i" > %{buildroot}/usr/lib/python3/dist-packages/bench$i.py; done`];
    for (let i = 0; i < n; i++) {
      lines.push(`%package -n python3-bench${i}`, `Summary: bench ${i}`, `%description -n python3-bench${i}`, `bench ${i}`,
        `%files -n python3-bench${i}`, `/usr/lib/python3/dist-packages/bench${i}.py`);
    }
    await mkdir(work, { recursive: true });
    await writeFile(path.join(work, `bench-${n}.spec`), lines.join('\n') + '\n');
    await execa('rpmbuild', ['-bb', '--define', `_topdir ${top}`, path.join(work, `bench-${n}.spec`)]);
  }
  return (await readdir(out)).filter((f) => /^python3-bench\d+-/.test(f)).map((f) => path.join(out, f)).slice(0, n);
}

const key = await makeOrgKey(path.join(work, 'keys'), 'rsa');
const gpg = await gpgHomeWith(key.armored);
const rpmsign = (files: string[]) => execa('rpmsign', ['--define', '__gpg /usr/bin/gpg', '--define', `_gpg_name ${gpg.fingerprint}`, '--define', `_gpg_path ${gpg.home}`, '--addsign', ...files]);
const detach = (dir: string) => execa('gpg', ['--homedir', gpg.home, '--batch', '--yes', '--local-user', gpg.fingerprint, '--detach-sign', '--armor', path.join(dir, 'repodata/repomd.xml')]);

for (const n of SIZES) {
  const rpms = await generateRpms(n + 1);
  const extra = rpms.pop()!;
  const ours: number[] = [];
  const theirs: number[] = [];
  const ours1: number[] = [];
  const theirs1: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const repo = path.join(work, `repo-${n}`);
    await rm(repo, { recursive: true, force: true });
    ours.push(await seconds(() => execa(CLI, ['repo', 'publish', repo, ...rpms, '--rpm-target', 'fedora-41', '--sign-key', key.file])));
    ours1.push(await seconds(() => execa(CLI, ['repo', 'publish', repo, extra, '--rpm-target', 'fedora-41', '--sign-key', key.file])));

    const ref = path.join(work, `ref-${n}`);
    await rm(ref, { recursive: true, force: true });
    await mkdir(ref, { recursive: true });
    await execa('cp', [...rpms, ref]); // rpmsign rewrites files in place: it needs its own copies (not timed)
    theirs.push(await seconds(async () => {
      await rpmsign(rpms.map((f) => path.join(ref, path.basename(f))));
      await execa('createrepo_c', ['--quiet', '--no-database', ref]);
      await detach(ref);
    }));
    await execa('cp', [extra, ref]);
    theirs1.push(await seconds(async () => {
      await rpmsign([path.join(ref, path.basename(extra))]);
      await execa('createrepo_c', ['--quiet', '--no-database', '--update', ref]);
      await detach(ref);
    }));
  }
  await report({ measure: 'yum: new signed repo', n, py2distro: median(ours), reference: median(theirs), referenceTool: 'rpmsign --addsign, createrepo_c, gpg --detach-sign', goal: '≤ 0.5' });
  await report({ measure: 'yum: add 1 .rpm (CLI)', n, py2distro: median(ours1), reference: median(theirs1), referenceTool: 'rpmsign, createrepo_c --update, gpg --detach-sign', goal: '≤ 0.2 s' });
}
await disposeGnupgHome(gpg.home); // no gpg-agent outlives the benchmark
