/**
 * yum index benchmark: N generated noarch .rpms (default 2,000; made by one rpmbuild of a spec
 * with N subpackages).
 *   full    py2distro publish of all N (native header signing + createrepo_c + repomd.xml.asc +
 *           generation swap) next to plain `createrepo_c` on the same (unsigned) packages;
 *   add-1   adding one package to that repo, signing included, next to `createrepo_c --update`.
 * Prints numbers; asserts nothing about time.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { publishPackages } from '../src/stages/publish/publish.ts';
import { parseSigningKey } from '../src/stages/sign/key.ts';
import { silentLogger } from '../src/lib/log.ts';
import { makeOrgKey } from '../test/helpers/packages.ts';

const N = Number(process.env.BENCH_N ?? 2000);
const work = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'py2distro-bench-yum');

async function generateRpms(n: number): Promise<string[]> {
  const out = path.join(work, 'top', 'RPMS', 'noarch');
  if (!existsSync(out) || (await readdir(out)).length < n) {
    const lines = ['Name: python3-bench', 'Version: 1.0', 'Release: 1', 'Summary: bench', 'License: MIT', 'BuildArch: noarch',
      '%description', 'bench', '%install', 'mkdir -p %{buildroot}/usr/lib/python3/dist-packages',
      `for i in $(seq 0 ${n - 1}); do echo "N = $i" > %{buildroot}/usr/lib/python3/dist-packages/bench$i.py; done`];
    for (let i = 0; i < n; i++) {
      lines.push(`%package -n python3-bench${i}`, `Summary: bench ${i}`, `%description -n python3-bench${i}`, `bench ${i}`,
        `%files -n python3-bench${i}`, `/usr/lib/python3/dist-packages/bench${i}.py`);
    }
    await mkdir(work, { recursive: true });
    await writeFile(path.join(work, 'bench.spec'), lines.join('\n') + '\n');
    await execa('rpmbuild', ['-bb', '--define', `_topdir ${path.join(work, 'top')}`, path.join(work, 'bench.spec')]);
  }
  return (await readdir(out)).filter((f) => /^python3-bench\d+-/.test(f)).map((f) => path.join(out, f)).slice(0, n);
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const rpms = await generateRpms(N + 1);
const extra = rpms.pop()!;
const key = await parseSigningKey((await makeOrgKey(path.join(work, 'keys'), 'rsa')).armored, undefined);
const repoDir = path.join(work, 'repo');
await rm(repoDir, { recursive: true, force: true });
const env = { log: silentLogger, workDir: work, cacheDir: work };
const full = await timed(() => publishPackages({ repoDir, files: rpms, key, rpmTarget: 'fedora-41' }, env));
const add1 = await timed(() => publishPackages({ repoDir, files: [extra], key, rpmTarget: 'fedora-41' }, env));

// createrepo_c alone, on a plain directory holding the same packages
const plain = path.join(work, 'plain');
await rm(plain, { recursive: true, force: true });
await mkdir(plain, { recursive: true });
for (const f of rpms) await copyFile(f, path.join(plain, path.basename(f)));
const cr = await timed(() => execa('createrepo_c', ['--quiet', '--no-database', plain]));
await copyFile(extra, path.join(plain, path.basename(extra)));
const crUpdate = await timed(() => execa('createrepo_c', ['--quiet', '--no-database', '--update', plain]));

const f = (s: number) => `${s.toFixed(2)} s`;
console.log(`yum index, ${N} .rpms (${os.cpus().length} cores)`);
console.log(`  py2distro full publish (sign ${N} + createrepo_c + .asc + swap): ${f(full)}`);
console.log(`  createrepo_c (metadata only, unsigned):                        ${f(cr)}   ratio = ${(full / cr).toFixed(2)}`);
console.log(`  py2distro add 1 package (incl. signing, --update):             ${f(add1)}`);
console.log(`  createrepo_c --update after adding 1:                          ${f(crUpdate)}   ratio = ${(add1 / crUpdate).toFixed(2)}`);
