/**
 * Which settings a py2distro.yaml found in the working directory (not named with --config) may
 * not carry. Such a file is read by whoever runs py2distro there — a cloned project, a shared
 * build directory — so it must not be able to weaken verification or run code on the host:
 *   signature-policy: off        signatures no longer checked (if-present is the default)
 *   allow-dsa: true              accepts DSA signatures, refused by default
 *   keyrings, trust              add signer keys and pins: an index without hashes is then
 *                                trusted on the strength of a key the file chose
 *   trust-publishers,            the same for PEP 740 attestations: publishers, the Sigstore root
 *   sigstore-trusted-root,       that vouches for them, the lock of identities seen before
 *   trust-lock
 *   templates                    packaging templates run as code on the host (nunjucks) and in the build
 *   engine-args                  global podman/docker arguments (e.g. --runtime PROGRAM) run programs on the host
 *   engine-host                  another machine's engine would build (and hand back) the packages
 *   container-limits             raises or removes the build containers' limits and capabilities
 *   max-download-size            raises the download limit
 *   allow-distro-names           lets packages take names the distribution ships
 * The same file passed with --config is trusted as the user's own choice.
 */
import { Py2DistroError } from '../lib/errors.js';

/** A parsed config (api/config.ts ConfigFile); typed loosely here so the two files import one way. */
type ConfigData = Record<string, unknown>;

const WEAKENING: { key: string; weakens: (v: unknown) => boolean; why: string }[] = [
  { key: 'signature-policy', weakens: (v) => v === 'off', why: 'switches signature checks off' },
  { key: 'allow-dsa', weakens: (v) => v === true, why: 'accepts DSA signatures' },
  { key: 'keyrings', weakens: (v) => Array.isArray(v) && v.length > 0, why: 'adds signer keys' },
  { key: 'trust', weakens: (v) => typeof v === 'object' && v !== null && Object.keys(v).length > 0, why: 'pins signer keys' },
  { key: 'trust-publishers', weakens: (v) => typeof v === 'object' && v !== null && Object.keys(v).length > 0, why: 'pins Trusted Publishers' },
  { key: 'sigstore-trusted-root', weakens: (v) => v !== undefined, why: 'replaces the Sigstore trust root' },
  { key: 'trust-lock', weakens: (v) => v !== undefined, why: 'chooses the trust lock file' },
  { key: 'templates', weakens: (v) => v !== undefined, why: 'names packaging templates (code run on this host)' },
  { key: 'engine-args', weakens: (v) => Array.isArray(v) && v.length > 0, why: 'passes arguments to the container engine' },
  { key: 'engine-host', weakens: (v) => v !== undefined, why: 'sends builds to another engine host' },
  { key: 'container-limits', weakens: (v) => v !== undefined, why: 'changes the build containers\' limits' },
  { key: 'max-download-size', weakens: (v) => v !== undefined, why: 'changes the download limit' },
  { key: 'allow-distro-names', weakens: (v) => Array.isArray(v) && v.length > 0, why: 'lets packages take distribution names' },
];

/** The settings of `data` that a working-directory config may not carry, with the reason. */
export function weakeningSettings(data: ConfigData): string[] {
  return WEAKENING.filter((w) => data[w.key] !== undefined && w.weakens(data[w.key])).map((w) => `${w.key} (${w.why})`);
}

export function refuseUnsafeImplicitConfig(data: ConfigData, file: string): void {
  const found = weakeningSettings(data);
  if (!found.length) return;
  throw new Py2DistroError('E_CONFIG_UNSAFE', `${file} was found in the working directory and sets security settings: ${found.join(', ')}`, {
    details: { file, settings: found },
    hint: `If you trust this file, pass it explicitly: --config ${file}. Otherwise remove those settings or run py2distro elsewhere.`,
  });
}
