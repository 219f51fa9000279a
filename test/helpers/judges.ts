/**
 * Real clients as judges of a published repository, shared by the publish tests: gpgv (what apt
 * runs) against a keyring holding only the given key, a private dnf with gpgcheck and
 * repo_gpgcheck trusting only the given key file, rpmkeys -K against its own rpmdb.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { runCli } from './cli.ts';

/** gpgv over `data` with `sig` (detached, or a clearsigned file when `data` is omitted), trusting only `publicKeyFile`. */
export async function gpgv(publicKeyFile: string, sig: string, data?: string): Promise<{ ok: boolean; out: string }> {
  const home = await mkdtemp(path.join(path.dirname(publicKeyFile), 'gpgv-'));
  try {
    const keyring = path.join(home, 'trusted.gpg');
    await execa('gpg', ['--homedir', home, '--batch', '--yes', '--dearmor', '-o', keyring, publicKeyFile]);
    const r = await execa('gpgv', ['--homedir', home, '--keyring', keyring, sig, ...(data ? [data] : [])], { reject: false, all: true });
    return { ok: r.exitCode === 0, out: String(r.all) };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** dnf (gpgcheck=1, repo_gpgcheck=1) with the .repo from `repo client-config` and only `keyFile` (default: the repo's export). */
export async function dnf(workDir: string, repoDir: string, args: string[], keyFile?: string): Promise<{ exitCode: number; out: string }> {
  const root = await mkdtemp(path.join(workDir, 'dnfroot-'));
  try {
    await mkdir(path.join(root, 'repos.d'));
    const keyPath = path.join(root, 'RPM-GPG-KEY-org');
    const cc = await runCli(['repo', 'client-config', repoDir, '--url', `file://${repoDir}`, '--key-path', keyPath, '--json', ...(keyFile ? ['--key', keyFile] : [])]);
    if (cc.exitCode !== 0) throw new Error(cc.stderr);
    const config = JSON.parse(cc.stdout) as { repo: string; key: string };
    await writeFile(keyPath, config.key);
    await writeFile(path.join(root, 'repos.d', 'org.repo'), config.repo);
    const r = await execa('dnf', ['-y', '--noplugins', `--installroot=${root}`, `--setopt=reposdir=${root}/repos.d`, `--setopt=cachedir=${root}/cache`,
      '--setopt=skip_if_unavailable=False', '--releasever=1', ...args], { reject: false, all: true });
    return { exitCode: r.exitCode ?? -1, out: String(r.all) };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** `rpmkeys -K` of `rpm` with only `publicKeyFile` imported: true when the signature verifies. */
export async function rpmSignedBy(workDir: string, rpm: string, publicKeyFile: string): Promise<boolean> {
  const db = await mkdtemp(path.join(workDir, 'rpmdb-'));
  try {
    await execa('rpmkeys', ['--dbpath', db, '--import', publicKeyFile]);
    const r = await execa('rpmkeys', ['--dbpath', db, '-Kv', rpm], { reject: false, all: true });
    return r.exitCode === 0 && /Signature, key ID [0-9a-f]{8}: OK/.test(String(r.all));
  } finally {
    await rm(db, { recursive: true, force: true });
  }
}
