/**
 * What a no-op sync needs of render without rendering: the packaging digest (an input of the build
 * key), the package version and the binary name. Render's output is a function of its inputs, so
 * they are kept (sealed, lib/fs/sealed-store.ts) under a sha256 of every one of them: the verified
 * sdist's sha256 and file name, its SOURCE_DATE_EPOCH, the target, py2distro's version, a digest of
 * the templates (built in and --templates), the maintainer, extras, --run-tests, the revision, the
 * names given to our dependencies and a digest of the distro archive facts render consults. If any
 * of them changes, the key changes and render runs again; a package that is built renders for real.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { DistroFacts } from '../../stages/render/index.js';
import { packagePath } from '../../lib/paths.js';
import type { Target } from '../../distro/targets.js';
import { canonicalJson } from '../../lib/json.js';
import { VERSION } from '../../lib/version.js';
import { digestTree } from './buildkey.js';
import type { SdistHandle } from './resolver.js';

/** What is kept: enough for the build key, the report and our dependents' Depends. */
export interface KeptRender {
  digest: string;
  packageVersion: string;
  binaryName: string;
}

export interface RenderKeyInput {
  handle: SdistHandle;
  target: Target;
  templatesDir?: string;
  maintainer?: string;
  extras: string[];
  runTests: boolean;
  revision: number;
  localPackages: Map<string, string>;
  distro?: DistroFacts;
}

/** templates/ of the installed package (as render's BUILTIN_TEMPLATES; not imported, to keep render unloaded). */
const BUILTIN_TEMPLATES = packagePath('templates');
const templateDigests = new Map<string, Promise<string>>();
const distroDigests = new WeakMap<DistroFacts, string>();

function templatesDigest(dir: string): Promise<string> {
  let p = templateDigests.get(dir);
  if (!p) {
    p = digestTree(dir).catch(() => 'absent');
    templateDigests.set(dir, p);
  }
  return p;
}

/** Names `distro` by a digest known already (the archive snapshot's), instead of serialising it. */
export function rememberDistroDigest(distro: DistroFacts, digest: string): void {
  distroDigests.set(distro, digest);
}

function distroDigest(distro: DistroFacts | undefined): string {
  if (!distro) return 'none';
  let d = distroDigests.get(distro);
  if (!d) {
    d = createHash('sha256').update(JSON.stringify(distro)).digest('hex');
    distroDigests.set(distro, d);
  }
  return d;
}

export async function renderKey(i: RenderKeyInput): Promise<string> {
  const { fetched, metadata } = i.handle;
  // Render falls back to the sdist file's mtime when the metadata gives no date (render.ts).
  const epoch = metadata.sourceDateEpoch || Math.floor((await stat(fetched.path)).mtimeMs / 1000);
  const input = {
    tool: VERSION, sdistSha256: fetched.sha256, filename: fetched.filename, sourceDateEpoch: epoch, target: i.target.name,
    family: i.target.family, python: i.target.python.fullVersion,
    templates: { builtin: await templatesDigest(BUILTIN_TEMPLATES), override: i.templatesDir ? await templatesDigest(i.templatesDir) : null },
    maintainer: i.maintainer ?? null, extras: [...i.extras].sort(), runTests: i.runTests, revision: i.revision,
    localPackages: [...i.localPackages].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)), distro: distroDigest(i.distro),
  };
  return createHash('sha256').update(`py2distro-render-key/1\n${canonicalJson(input)}`).digest('hex');
}

export function isKeptRender(v: unknown): v is KeptRender {
  const r = v as KeptRender;
  return typeof r?.digest === 'string' && /^[0-9a-f]{64}$/.test(r.digest) && typeof r.packageVersion === 'string' && typeof r.binaryName === 'string';
}
