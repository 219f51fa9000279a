/**
 * What a client machine needs to trust the org repository: a deb822 .sources file whose
 * Signed-By carries the org public key inline (apt >= 2.3.10; nothing else is trusted for this
 * source), and a .repo file with gpgcheck and repo_gpgcheck on. The fingerprint is printed so the
 * admin can compare it out of band before installing either file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Py2DistroError } from '../../lib/errors.js';

export interface ClientConfig {
  sources: string;
  repo: string;
}

export function clientConfig(repoDir: string, url: string, opts: { codename?: string; name?: string } = {}): ClientConfig {
  if (!/^(https?|file):\/\/[^\s"'<>]+$/.test(url)) {
    throw new Py2DistroError('E_USAGE', `--url ${JSON.stringify(url)} must be an http(s):// or file:// URL`);
  }
  const base = url.replace(/\/+$/, '');
  const name = (opts.name ?? 'py2distro').replace(/[^A-Za-z0-9_.-]/g, '-');
  const debKey = path.join(repoDir, 'deb', 'key.asc');
  const codenames = listDirs(path.join(repoDir, 'deb', 'dists'));
  const targets = listDirs(path.join(repoDir, 'rpm'));
  if (!codenames.length && !targets.length) {
    throw new Py2DistroError('E_USAGE', `${repoDir} holds no published repository`, { hint: 'Publish first with `py2distro repo publish DIR FILES…`.' });
  }
  let sources = '';
  if (codenames.length) {
    const codename = opts.codename ?? codenames[0]!;
    if (!codenames.includes(codename)) throw new Py2DistroError('E_USAGE', `codename ${codename} is not published (have: ${codenames.join(', ')})`);
    // Inline key: each line indented by one space, empty lines as " ." (deb822 continuation rules).
    const key = readFileSync(debKey, 'utf8').trim().split('\n').map((l) => (l.trim() === '' ? ' .' : ` ${l}`)).join('\n');
    sources = [
      `# /etc/apt/sources.list.d/${name}.sources`,
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
    `gpgkey=${base}/rpm/key.asc`,
    '',
  ].join('\n')).join('\n');
  return { sources, repo: targets.length ? `# /etc/yum.repos.d/${name}.repo\n${repo}` : '' };
}

function listDirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}
