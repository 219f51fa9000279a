/**
 * The shared fetch/verify flags, added to any command that downloads or checks sdists (fetch,
 * verify, render, build, sync), and their merge with py2distro.yaml into a {@link FetchOptions}.
 * Precedence: flag, then environment (PIP_INDEX_URL), then config file, then default. Lists
 * (keyrings, trust pins) are the union of config and flags.
 */
import path from 'node:path';
import { Option, type Command } from '../commander.js';
import { DEFAULT_INDEX_URL, mergeTrust, mergeTrustPublishers, type ConfigFile, type SignaturePolicy } from '../../api/config.js';
import { Py2DistroError } from '../../lib/errors.js';
import type { FetchOptions } from '../../stages/fetch/index.js';
import { normalizeName } from '../../python/requirement.js';
import { collect } from '../context.js';

export interface FetchFlags {
  indexUrl?: string;
  keyring?: string[];
  trust?: string[];
  trustPublisher?: string[];
  sigstoreTrustedRoot?: string;
  trustLock?: string;
  signaturePolicy?: SignaturePolicy;
  pre?: boolean;
  allowDsa?: boolean;
  maxDownloadSize?: string;
}

/** Adds the flags; `index: false` leaves out the index-only ones (for `verify` of a local file). */
export function addFetchOptions(cmd: Command, opts: { index?: boolean; defaultPolicy?: SignaturePolicy } = {}): Command {
  if (opts.index !== false) {
    cmd.option('--index-url <url>', `PEP 503/691 simple index (default: $PIP_INDEX_URL, config, ${DEFAULT_INDEX_URL})`);
    cmd.option('--pre', 'allow pre-releases when choosing a version');
    cmd.option('--max-download-size <size>', 'largest sdist accepted, e.g. 512m (default: config max-download-size, else 512m)');
  }
  cmd.option('--keyring <file>', 'OpenPGP public keyring, armored (several blocks allowed) or binary; repeatable', collect);
  cmd.option('--trust <name=fingerprint>', 'trust this key fingerprint to sign this package (and require it); repeatable', collect);
  cmd.option(
    '--trust-publisher <name=pin>',
    'trust this PEP 740 Trusted Publisher for this package (and require it): github:OWNER/REPO[:WORKFLOW_FILE], gitlab:NAMESPACE/PROJECT[:CI_FILE_PATH] or google:EMAIL; repeatable',
    collect,
  );
  cmd.option('--sigstore-trusted-root <file>', 'Sigstore trusted_root.json for attestations (default: config, then `trust refresh`\'s, then the pinned one shipped)');
  cmd.option('--trust-lock <file>', 'trust on first use: record who vouched for each project here and refuse a change (default: config trust-lock)');
  cmd.addOption(
    new Option('--signature-policy <policy>', `required | if-present | off (default: config, then ${opts.defaultPolicy ?? 'if-present'})`).choices([
      'required',
      'if-present',
      'off',
    ]),
  );
  cmd.option('--allow-dsa', 'accept signatures made with DSA keys (refused by default)');
  return cmd;
}

function checkIndexUrl(url: string, from: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Py2DistroError(from === 'config' ? 'E_CONFIG' : 'E_USAGE', `${from}: ${JSON.stringify(url)} is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new Py2DistroError(from === 'config' ? 'E_CONFIG' : 'E_USAGE', `${from}: the index URL must be http:// or https://`);
  }
  return u.toString();
}

/** "512m", "2g", "1048576" → bytes (k/m/g are powers of 1024). */
export function parseByteSize(value: string, from: string): number {
  const m = /^([1-9][0-9]*)([kmg]?)$/i.exec(value.trim());
  if (!m) {
    throw new Py2DistroError(from === 'config' ? 'E_CONFIG' : 'E_USAGE', `${from}: ${JSON.stringify(value)} is not a size`, { hint: 'Use a whole number of bytes, or one with k, m or g (e.g. 512m).' });
  }
  return Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] || ' ').toLowerCase());
}

/** Flags + environment + config → the options fetchSdist takes. */
export function fetchOptionsFrom(
  flags: FetchFlags,
  config: ConfigFile,
  extra: { defaultPolicy?: SignaturePolicy; pythonVersion?: string; env?: NodeJS.ProcessEnv } = {},
): FetchOptions {
  const env = extra.env ?? process.env;
  const indexUrl = flags.indexUrl
    ? checkIndexUrl(flags.indexUrl, '--index-url')
    : env.PIP_INDEX_URL
      ? checkIndexUrl(env.PIP_INDEX_URL, 'PIP_INDEX_URL')
      : config['index-url']
        ? checkIndexUrl(config['index-url'], 'config')
        : DEFAULT_INDEX_URL;
  const keyrings = [...(config.keyrings ?? []), ...(flags.keyring ?? []).map((k) => path.resolve(k))];
  return {
    indexUrl,
    keyrings: [...new Set(keyrings)],
    trust: mergeTrust(config.trust, flags.trust ?? [], normalizeName),
    publisherPins: mergeTrustPublishers(config['trust-publishers'], flags.trustPublisher ?? [], normalizeName),
    ...(flags.sigstoreTrustedRoot || config['sigstore-trusted-root'] ? { trustedRootFile: flags.sigstoreTrustedRoot ? path.resolve(flags.sigstoreTrustedRoot) : config['sigstore-trusted-root'] } : {}),
    ...(flags.trustLock || config['trust-lock'] ? { trustLockFile: flags.trustLock ? path.resolve(flags.trustLock) : config['trust-lock'] } : {}),
    signaturePolicy: flags.signaturePolicy ?? config['signature-policy'] ?? extra.defaultPolicy ?? 'if-present',
    pre: Boolean(flags.pre ?? config.pre ?? false),
    allowDsa: Boolean(flags.allowDsa ?? config['allow-dsa'] ?? false),
    ...(flags.maxDownloadSize
      ? { maxDownloadBytes: parseByteSize(flags.maxDownloadSize, '--max-download-size') }
      : config['max-download-size'] ? { maxDownloadBytes: parseByteSize(config['max-download-size'], 'config') } : {}),
    ...(extra.pythonVersion ? { pythonVersion: extra.pythonVersion } : {}),
  };
}
