/**
 * `py2distro repo publish DIR FILES…` (sign and add packages), `repo resign DIR` (refresh
 * Date/Valid-Until, for a timer) and `repo client-config DIR --url URL` (the .sources and .repo a
 * client installs). The passphrase is deliberately not a flag: PY2DISTRO_SIGN_PASSPHRASE or
 * `sign-passphrase-file` only, so it never shows up in `ps` or shell history.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Option, type Command } from '../commander.js';
import type { ConfigFile } from '../../api/config.js';
import type { PublishedItem } from '../../stages/publish/index.js';
import type { SigningKey } from '../../stages/sign/index.js';
import type { Logger } from '../../lib/log.js';
import { collect, createContext, positiveInt } from '../context.js';
import { addSigningOptions, PREVIOUS_KEY_HELP, publishSettingsFrom, SIGN_KEY_HELP, type PublishFlags } from '../options/shared.js';

interface RepoPublishFlags extends PublishFlags {
  codename?: string;
  rpmTarget?: string;
  lockWait?: number;
}

/** The org key from --sign-key, config `sign-key`, or PY2DISTRO_SIGN_KEY_FILE (build and sync use this too). */
export async function signingKeyFrom(flag: string | undefined, config: ConfigFile, log: Logger, previousKeys?: string[]): Promise<SigningKey> {
  const { loadSigningKey } = await import('../../stages/sign/index.js'); // openpgp: only when a key is needed
  return loadSigningKey({
    keyFile: flag ?? config['sign-key'], passphraseFile: config['sign-passphrase-file'],
    previousKeyFiles: previousKeys?.length ? previousKeys : config['previous-keys'],
  }, { log });
}

function describe(items: PublishedItem[]): string {
  return items.map((i) => `  ${i.path}`).join('\n');
}

export function register(program: Command): void {
  const repo = program.command('repo').description('signed apt and yum repositories: publish, resign, client-config');

  const publish = repo
    .command('publish')
    .description('sign packages with the org key and add them to the apt (deb/) and yum (rpm/<target>/) repositories')
    .argument('<dir>', 'repository directory')
    .argument('<files...>', '.deb and .rpm files')
    .option('--codename <name>', 'apt codename for the .debs (default: from the path, e.g. debian-bookworm/)')
    .option('--rpm-target <name>', 'yum repository for the .rpms (default: from the path, e.g. fedora-41/)')
    .option('--lock-wait <seconds>', 'wait this long for another publisher (default 0)', positiveInt);
  addSigningOptions(publish);
  publish.action(async (dir: string, files: string[], flags: RepoPublishFlags, self: Command) => {
    // Stage modules load here, not at start-up: `--help`, `--version` and other commands never need them.
    const loaded = performance.now(); // ms since the process started
    const { publishPackages } = await import('../../stages/publish/index.js');
    const ctx = await createContext(self);
    const key = await signingKeyFrom(flags.signKey, ctx.config, ctx.log, flags.previousKey);
    ctx.log.debug(`start-up ${loaded.toFixed(0)} ms, publish modules + config + key ${(performance.now() - loaded).toFixed(0)} ms`);
    const workDir = await mkdtemp(path.join(os.tmpdir(), 'py2distro-publish-'));
    try {
      const result = await publishPackages({
        repoDir: dir, files, key,
        codename: flags.codename, rpmTarget: flags.rpmTarget,
        ...publishSettingsFrom(flags, ctx.config), lockWaitMs: (flags.lockWait ?? 0) * 1000,
      }, { log: ctx.log, signal: ctx.signal, workDir, cacheDir: ctx.cacheDir });
      ctx.print({ ok: true, signer: key.fingerprint, ...result }, () => [
        `signed with ${key.fingerprint}`,
        `added ${result.added.length}${result.added.length ? `:\n${describe(result.added)}` : ''}`,
        `unchanged ${result.unchanged.length}${result.unchanged.length ? `:\n${describe(result.unchanged)}` : ''}`,
        ...(result.pruned.length ? [`pruned ${result.pruned.length}:\n${describe(result.pruned)}`] : []),
      ].join('\n'));
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  });

  repo
    .command('resign')
    .description('refresh Date/Valid-Until and re-sign InRelease, Release.gpg and repomd.xml.asc (run it from a timer)')
    .argument('<dir>', 'repository directory')
    .option('--sign-key <file>', SIGN_KEY_HELP)
    .option('--previous-key <file>', PREVIOUS_KEY_HELP, collect)
    .option('--valid-until-days <n>', 'days until the Release expires (default: as before)', positiveInt)
    .option('--lock-wait <seconds>', 'wait this long for another publisher (default 0)', positiveInt)
    .action(async (dir: string, flags: RepoPublishFlags, self: Command) => {
      const { resignRepo } = await import('../../stages/publish/index.js');
      const ctx = await createContext(self);
      const key = await signingKeyFrom(flags.signKey, ctx.config, ctx.log, flags.previousKey);
      const result = await resignRepo(dir, key, {
        validUntilDays: flags.validUntilDays ?? ctx.config['valid-until-days'], lockWaitMs: (flags.lockWait ?? 0) * 1000,
      }, { log: ctx.log, signal: ctx.signal, workDir: os.tmpdir(), cacheDir: ctx.cacheDir });
      ctx.print({ ok: true, signer: key.fingerprint, ...result }, () => [
        ...result.codenames.map((c) => `apt ${c.codename}: valid until ${c.validUntil}`),
        ...result.rpmTargets.map((t) => `yum ${t}: repomd.xml re-signed`),
      ].join('\n') || 'nothing published yet');
    });

  repo
    .command('client-config')
    .description('print the deb822 .sources (with Signed-By), the .repo file and the key file a client needs, with the key fingerprint')
    .argument('<dir>', 'repository directory')
    .requiredOption('--url <url>', 'where clients reach DIR (http(s):// or file://)')
    .option('--codename <name>', 'apt suite for the client (default: the first published)')
    .option('--name <name>', 'file and repo id name (default: py2distro)')
    .option('--key <file>', 'the org public key (default: the key.asc the repository exports — compare its fingerprint)')
    .option('--key-path <path>', 'where clients install the key file for yum/dnf (default: /etc/pki/rpm-gpg/RPM-GPG-KEY-<name>)')
    .addOption(new Option('--only <file>', 'print only the apt .sources, the yum .repo or the key file').choices(['sources', 'repo', 'key']))
    .action(async (dir: string, flags: { url: string; codename?: string; name?: string; key?: string; keyPath?: string; only?: 'sources' | 'repo' | 'key' }, self: Command) => {
      const { clientConfig } = await import('../../stages/publish/index.js');
      const ctx = await createContext(self);
      const result = await clientConfig(dir, flags.url, { codename: flags.codename, name: flags.name ?? ctx.config['repo-label'], keyFile: flags.key, keyPath: flags.keyPath });
      const keyBlock = result.repo ? `# ${result.keyPath} — org key ${result.fingerprint}\n${result.key.trim()}\n` : '';
      const wanted = flags.only === 'key' ? [result.key] : flags.only ? [result[flags.only]] : [result.sources, result.repo, keyBlock];
      ctx.print({ ok: true, ...result }, () => [
        ...(flags.only ? [] : [`# org key fingerprint: ${result.fingerprint} (${result.keySource})`]),
        ...wanted.filter(Boolean),
      ].join('\n'));
    });
}
