/**
 * Test inputs for the publish stage without the build stage: tiny python3-* .debs made with
 * dpkg-deb, tiny noarch .rpms made with rpmbuild, and org keys made with openpgp. Also a private
 * host apt (APT_CONFIG + its own root) used as a fast judge of a repository.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openpgp } from '../../src/lib/openpgp.js';
import { encodeHeader, padTo8, readRpmLayout, TYPE, type HeaderEntry } from '../../src/distro/rpm/header.js';

export interface DebSpec {
  name: string;
  version: string;
  arch?: string;
  /** python module name installed under /usr/lib/python3/dist-packages */
  module?: string;
  compression?: 'xz' | 'gzip' | 'zstd';
  body?: string;
}

export async function makeDeb(dir: string, spec: DebSpec): Promise<string> {
  const root = path.join(dir, `${spec.name}-${spec.version}-root`);
  const arch = spec.arch ?? 'all';
  await mkdir(path.join(root, 'DEBIAN'), { recursive: true });
  const module = spec.module ?? spec.name.replace(/^python3-/, '').replace(/-/g, '_');
  await mkdir(path.join(root, 'usr/lib/python3/dist-packages'), { recursive: true });
  await writeFile(path.join(root, 'usr/lib/python3/dist-packages', `${module}.py`), spec.body ?? `VERSION = ${JSON.stringify(spec.version)}\n`);
  await writeFile(path.join(root, 'DEBIAN/control'), [
    `Package: ${spec.name}`, `Version: ${spec.version}`, `Architecture: ${arch}`,
    'Maintainer: Test <test@example.com>', 'Depends: python3:any', 'Section: python', 'Priority: optional',
    `Description: test module ${module}`, ' A tiny package made by the py2distro tests.', ' .', ' Second paragraph.', '',
  ].join('\n'));
  const out = path.join(dir, `${spec.name}_${spec.version.replace(/^\d+:/, '')}_${arch}.deb`);
  await execa('dpkg-deb', ['--root-owner-group', `-Z${spec.compression ?? 'xz'}`, '--build', root, out]);
  return out;
}

export async function makeRpm(dir: string, spec: { name: string; version: string; release?: string; module?: string; epoch?: number }): Promise<string> {
  const module = spec.module ?? spec.name.replace(/^python3-/, '').replace(/-/g, '_');
  const top = path.join(dir, `rpmbuild-${spec.name}-${spec.version}`);
  const specFile = path.join(dir, `${spec.name}-${spec.version}.spec`);
  await writeFile(specFile, [
    `Name: ${spec.name}`, ...(spec.epoch !== undefined ? [`Epoch: ${spec.epoch}`] : []), `Version: ${spec.version}`, `Release: ${spec.release ?? '1'}`, 'Summary: tiny test package',
    'License: MIT', 'BuildArch: noarch', '%description', 'A tiny package made by the py2distro tests.',
    '%install', 'mkdir -p %{buildroot}/usr/lib/python3/dist-packages',
    `echo 'VERSION = "${spec.version}"' > %{buildroot}/usr/lib/python3/dist-packages/${module}.py`,
    '%files', `/usr/lib/python3/dist-packages/${module}.py`, '',
  ].join('\n'));
  await execa('rpmbuild', ['-bb', '--define', `_topdir ${top}`, specFile]);
  return path.join(top, 'RPMS', 'noarch', `${spec.name}-${spec.version}-${spec.release ?? '1'}.noarch.rpm`);
}

/**
 * A copy of `rpmFile` whose main header also carries rpm 4.11's legacy weak dependency tags
 * (OLDSUGGESTSNAME/VERSION/FLAGS 1156-1158: "Suggests: <suggests>", as EL7's rpmbuild wrote it),
 * with the signature header's digests (SHA1, SHA256, MD5, SIZE) made to match again: a valid
 * package that py2distro's renderer leaves to createrepo_c.
 */
export async function withLegacySuggests(rpmFile: string, suggests: string, out: string): Promise<string> {
  const bytes = await readFile(rpmFile);
  const { signature, main } = readRpmLayout(bytes);
  const payload = bytes.subarray(main.end);
  const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b; };
  const mainHeader = encodeHeader([...main.entries,
    { tag: 1156, type: TYPE.STRING_ARRAY, count: 1, data: Buffer.from(`${suggests}\0`) },
    { tag: 1157, type: TYPE.STRING_ARRAY, count: 1, data: Buffer.from('\0') },
    { tag: 1158, type: TYPE.INT32, count: 1, data: u32(0) }], 63);
  const hex = (algo: string) => Buffer.from(`${createHash(algo).update(mainHeader).digest('hex')}\0`);
  const sig: HeaderEntry[] = signature.entries.map((e) => {
    if (e.tag === 269) return { ...e, data: hex('sha1') };
    if (e.tag === 273) return { ...e, data: hex('sha256') };
    if (e.tag === 1000) return { ...e, data: u32(mainHeader.length + payload.length) };
    if (e.tag === 1004) return { ...e, data: createHash('md5').update(mainHeader).update(payload).digest() };
    return e;
  });
  const sigHeader = encodeHeader(sig, 62);
  await writeFile(out, Buffer.concat([bytes.subarray(0, signature.start), sigHeader, Buffer.alloc(padTo8(sigHeader.length)), mainHeader, payload]));
  return out;
}

export async function makeOrgKey(dir: string, kind: 'rsa' | 'ed25519' = 'rsa', passphrase?: string): Promise<{ file: string; publicFile: string; armored: string }> {
  const { privateKey, publicKey } = await openpgp.generateKey(
    kind === 'rsa'
      ? { type: 'rsa', rsaBits: 3072, userIDs: [{ name: 'Org Repo', email: 'repo@example.com' }], passphrase, format: 'armored' }
      : { type: 'ecc', curve: 'ed25519Legacy', userIDs: [{ name: 'Org Repo Ed', email: 'repo@example.com' }], passphrase, format: 'armored' },
  );
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `org-${kind}.asc`);
  const publicFile = path.join(dir, `org-${kind}.pub.asc`);
  await writeFile(file, privateKey, { mode: 0o600 });
  await writeFile(publicFile, publicKey);
  return { file, publicFile, armored: privateKey };
}

/** A private host apt: its own root, only the given .sources, no system keys. */
export async function privateApt(dir: string, sources: string): Promise<{ env: Record<string, string>; aptGet: (args: string[]) => ReturnType<typeof execa> }> {
  const root = path.join(dir, 'aptroot');
  for (const d of ['etc/apt/sources.list.d', 'etc/apt/trusted.gpg.d', 'etc/apt/preferences.d', 'etc/apt/apt.conf.d', 'var/lib/apt/lists/partial', 'var/cache/apt/archives/partial', 'var/lib/dpkg']) {
    await mkdir(path.join(root, d), { recursive: true });
  }
  await writeFile(path.join(root, 'var/lib/dpkg/status'), '');
  await writeFile(path.join(root, 'etc/apt/sources.list.d/org.sources'), sources);
  const conf = path.join(root, 'apt.conf');
  await writeFile(conf, [
    `Dir "${root}/";`, 'Dir::Etc "etc/apt/";', 'Dir::State "var/lib/apt/";', 'Dir::Cache "var/cache/apt/";',
    `Dir::State::status "${root}/var/lib/dpkg/status";`, 'Debug::NoLocking "true";', 'APT::Architecture "amd64";',
    'Acquire::Languages "none";', 'APT::Sandbox::User "root";', '',
  ].join('\n'));
  const env = { APT_CONFIG: conf };
  return { env, aptGet: (args) => execa('apt-get', args, { env, reject: false, all: true }) };
}
