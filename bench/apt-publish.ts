/**
 * apt publishing against the tools a user would otherwise run, in the same run on the same files.
 *   new repo  `py2distro repo publish` of N .debs into an empty repository (CLI: pool, Packages +
 *             .gz, by-hash, signed Release/InRelease) vs `apt-ftparchive packages` + gzip +
 *             `apt-ftparchive release` + `gpg --clearsign` over the same .debs;
 *   add 1     `py2distro repo publish` of one more .deb into that N-package repository (CLI,
 *             signing included) vs `apt-ftparchive --db` re-scan + release + clearsign.
 * BENCH_SIZES (default "2000 10000"), BENCH_RUNS (3); medians. BENCH_DIR keeps the generated .debs.
 * The .debs are built as `dpkg-deb --build` builds them by default (control.tar.xz + data.tar.xz,
 * dpkg 1.21) and live on the same file system as both repositories (BENCH_DIR), as a build's output
 * directory usually does: py2distro hard-links them into its pool, the reference indexes links too.
 */
import { execa } from 'execa';
import { linkSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { makeOrgKey } from '../test/helpers/packages.ts';
import { generateDebs, gpgHomeWith, median, report, RUNS, seconds } from './common.ts';
import { disposeGnupgHome } from '../test/helpers/keys.ts';

const SIZES = (process.env.BENCH_SIZES ?? '2000 10000').split(/\s+/).filter(Boolean).map(Number);
const work = process.env.BENCH_DIR ?? path.join(os.tmpdir(), 'py2distro-bench-apt');
// The installed command (bin/py2distro), as a user or a cron job runs it.
const CLI = path.resolve('bin/py2distro');

/** The reference: index, compress, Release and clearsign, as a user scripting apt-ftparchive would. */
async function reference(dir: string, gnupg: string, fpr: string, db?: string): Promise<void> {
  const dist = path.join(dir, 'dists/bookworm/main/binary-amd64');
  await mkdir(dist, { recursive: true });
  const packages = await execa('apt-ftparchive', [...(db ? ['--db', db] : []), 'packages', 'pool'], { cwd: dir, encoding: 'buffer' });
  await writeFile(path.join(dist, 'Packages'), packages.stdout as unknown as Buffer);
  await execa('gzip', ['-kf', path.join(dist, 'Packages')]);
  const release = await execa('apt-ftparchive', ['-o', 'APT::FTPArchive::Release::Codename=bookworm', 'release', 'dists/bookworm'], { cwd: dir });
  await writeFile(path.join(dir, 'dists/bookworm/Release'), release.stdout);
  await execa('gpg', ['--homedir', gnupg, '--batch', '--yes', '--local-user', fpr, '--clearsign', '-o', path.join(dir, 'dists/bookworm/InRelease'), path.join(dir, 'dists/bookworm/Release')]);
}

const key = await makeOrgKey(path.join(work, 'keys'), 'rsa');
const gpg = await gpgHomeWith(key.armored);
for (const n of SIZES) {
  const debs = await generateDebs(path.join(work, 'debs'), n + 1);
  const extra = debs.pop()!;
  const ours: number[] = [];
  const theirs: number[] = [];
  const ours1: number[] = [];
  const theirs1: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const repo = path.join(work, `repo-${n}`);
    await rm(repo, { recursive: true, force: true });
    ours.push(await seconds(() => execa(CLI, ['repo', 'publish', repo, ...debs, '--codename', 'bookworm', '--sign-key', key.file])));
    // The reference indexes the same files in place (a pool holding links to them; it copies nothing either).
    const ref = path.join(work, `ref-${n}`);
    await rm(ref, { recursive: true, force: true });
    await mkdir(ref, { recursive: true });
    // Exactly the n inputs (BENCH_DIR/debs may hold more, generated for a larger n).
    await mkdir(path.join(ref, 'pool'), { recursive: true });
    for (const f of debs) linkSync(f, path.join(ref, 'pool', path.basename(f)));
    theirs.push(await seconds(() => reference(ref, gpg.home, gpg.fingerprint)));

    ours1.push(await seconds(() => execa(CLI, ['repo', 'publish', repo, extra, '--codename', 'bookworm', '--sign-key', key.file])));
    const db = path.join(work, `ftparchive-${n}.db`);
    await rm(db, { force: true });
    await reference(ref, gpg.home, gpg.fingerprint, db); // warm apt-ftparchive's cache, as a cron job would have it
    await execa('ln', [extra, path.join(ref, 'pool', path.basename(extra))]);
    theirs1.push(await seconds(() => reference(ref, gpg.home, gpg.fingerprint, db)));
  }
  await report({ measure: 'apt: new signed repo', n, py2distro: median(ours), reference: median(theirs), referenceTool: 'apt-ftparchive packages+release, gzip, gpg --clearsign', goal: '≤ 1.0' });
  await report({ measure: 'apt: add 1 .deb (CLI)', n, py2distro: median(ours1), reference: median(theirs1), referenceTool: 'apt-ftparchive --db re-scan+release, gzip, gpg --clearsign', goal: '≤ 0.2 s, flat' });
}
await disposeGnupgHome(gpg.home); // no gpg-agent outlives the benchmark
