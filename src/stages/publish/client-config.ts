/**
 * What a client machine needs to trust the org repository: a deb822 .sources file whose Signed-By
 * carries the org public key inline (apt >= 2.3.10; nothing else is trusted for this source), and a
 * .repo file with gpgcheck and repo_gpgcheck on whose gpgkey is a local file:// path — the key file
 * printed beside it, installed under /etc/pki/rpm-gpg/ — never a URL on the repository itself
 * (which would let whoever serves the repository, over plain http or not, choose the key).
 * The key comes from --key (the org's public key, the trusted source) or else from the
 * repository's exported key.asc; either way its fingerprint is printed so the admin can compare
 * it out of band before installing anything.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type * as OpenPGP from 'openpgp';
import { openpgp } from '../../lib/openpgp.js';
import { Py2DistroError } from '../../lib/errors.js';

export interface ClientConfig {
  sources: string;
  repo: string;
  /** The armored public key to install at `keyPath` (yum/dnf). */
  key: string;
  keyPath: string;
  fingerprint: string;
  /** Where the key came from: the --key file, or the repository's own export. */
  keySource: string;
}

export interface ClientConfigOptions {
  codename?: string;
  name?: string;
  /** The org public key (armored file); default: the repository's deb/key.asc or rpm/key.asc. */
  keyFile?: string;
  /** Where the .repo expects the key file (default /etc/pki/rpm-gpg/RPM-GPG-KEY-<name>). */
  keyPath?: string;
}

export async function clientConfig(repoDir: string, url: string, opts: ClientConfigOptions = {}): Promise<ClientConfig> {
  if (!/^(https?|file):\/\/[^\s"'<>]+$/.test(url)) {
    throw new Py2DistroError('E_USAGE', `--url ${JSON.stringify(url)} must be an http(s):// or file:// URL`);
  }
  const base = url.replace(/\/+$/, '');
  const name = (opts.name ?? 'py2distro').replace(/[^A-Za-z0-9_.-]/g, '-');
  const keyPath = opts.keyPath ?? `/etc/pki/rpm-gpg/RPM-GPG-KEY-${name}`;
  if (!/^\/[A-Za-z0-9_.+\/-]+$/.test(keyPath) || keyPath.split('/').includes('..')) {
    throw new Py2DistroError('E_USAGE', `--key-path ${JSON.stringify(keyPath)} must be an absolute path of plain characters`);
  }
  const codenames = listDirs(path.join(repoDir, 'deb', 'dists'));
  const targets = listDirs(path.join(repoDir, 'rpm'));
  if (!codenames.length && !targets.length) {
    throw new Py2DistroError('E_USAGE', `${repoDir} holds no published repository`, { hint: 'Publish first with `py2distro repo publish DIR FILES…`.' });
  }
  const { armored, fingerprint, source } = await orgKey(repoDir, opts.keyFile, codenames.length > 0);
  let sources = '';
  if (codenames.length) {
    const codename = opts.codename ?? codenames[0]!;
    if (!codenames.includes(codename)) throw new Py2DistroError('E_USAGE', `codename ${codename} is not published (have: ${codenames.join(', ')})`);
    // Inline key: each line indented by one space, empty lines as " ." (deb822 continuation rules).
    const key = armored.trim().split('\n').map((l) => (l.trim() === '' ? ' .' : ` ${l}`)).join('\n');
    sources = [
      `# /etc/apt/sources.list.d/${name}.sources — org key ${fingerprint}`,
      ...(codenames.length > 1 ? [`# published codenames: ${codenames.join(', ')} — set Suites to the client's own`] : []),
      'Types: deb',
      `URIs: ${base}/deb`,
      `Suites: ${codename}`,
      'Components: main',
      'Signed-By:',
      key,
      '',
    ].join('\n');
  }
  const repo = targets.map((t) => [
    `[${name}-${t}]`,
    `name=${name} (${t})`,
    `baseurl=${base}/rpm/${t}`,
    'enabled=1',
    'gpgcheck=1',
    'repo_gpgcheck=1',
    `gpgkey=file://${keyPath}`,
    '',
  ].join('\n')).join('\n');
  return {
    sources,
    repo: targets.length ? `# /etc/yum.repos.d/${name}.repo — install the key file at ${keyPath} first (org key ${fingerprint})\n${repo}` : '',
    key: armored, keyPath, fingerprint, keySource: source,
  };
}

async function orgKey(repoDir: string, keyFile: string | undefined, deb: boolean): Promise<{ armored: string; fingerprint: string; source: string }> {
  const file = keyFile ?? path.join(repoDir, deb ? 'deb' : 'rpm', 'key.asc');
  let key: OpenPGP.Key;
  try {
    key = await openpgp.readKey({ armoredKey: readFileSync(file, 'utf8') });
  } catch (err) {
    throw new Py2DistroError('E_USAGE', `${file} is not an armored OpenPGP public key`, { cause: err, hint: 'Pass the org public key with --key FILE (gpg --armor --export FPR).' });
  }
  const pub = key.toPublic(); // a secret key given by mistake never reaches the output
  return { armored: pub.armor(), fingerprint: pub.getFingerprint().toUpperCase(), source: keyFile ? file : `${file} (from the repository: compare the fingerprint out of band)` };
}

function listDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}
