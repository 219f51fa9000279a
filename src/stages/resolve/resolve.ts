/**
 * Choosing the release: list a project's files on the index, group them by version and pick the
 * newest version that satisfies the requirement — PEP 440 semantics from @renovatebot/pep440,
 * pre-releases only with --pre or a pin, PEP 592 yanked files only when pinned with `==`,
 * `requires-python` checked against the target's Python, and always the sdist.
 */
import { compare, explain, satisfies, validRange } from '@renovatebot/pep440';
import { Py2DistroError } from '../../lib/errors.js';
import type { StageEnv } from '../../lib/env.js';
import { getText, redactUrl, type AnswerCache } from '../../lib/http.js';
import { formatRequirement, normalizeName, type UserRequirement } from '../../python/requirement.js';
import { parseDistributionFilename, type FileKind } from '../../python/filenames.js';
import { INDEX_ACCEPT, parseProjectPage, type IndexFileEntry } from './simple-index.js';

export type { IndexFileEntry } from './simple-index.js';

export type { FileKind } from '../../python/filenames.js';

export interface ReleaseFile extends IndexFileEntry {
  kind: FileKind;
}

export interface ReleaseInfo {
  version: string;
  prerelease: boolean;
  files: ReleaseFile[];
}

export interface ProjectReleases {
  name: string;
  /** The project page (credentials removed) and which format it answered in. */
  pageUrl: string;
  format: 'json' | 'html';
  /** Newest first. Files whose version cannot be read from the filename are left out. */
  releases: ReleaseInfo[];
}

export interface ResolvedRelease {
  name: string;
  version: string;
  filename: string;
  /** File URL, credentials removed. */
  url: string;
  sha256?: string;
  requiresPython?: string;
  yanked: boolean;
  /** Whether the index advertises a signature; undefined when it does not say (probe `<url>.asc`). */
  signatureAdvertised?: boolean;
  signatureUrl: string;
  /** PEP 740 provenance URL when the index lists one. */
  provenanceUrl?: string;
  indexUrl: string;
  format: 'json' | 'html';
}

/** Version from a filename of this project, or undefined (PEP 625 sdists, legacy dashed names, wheels). */
export function versionFromFilename(filename: string, project: string): { version: string; kind: FileKind } | undefined {
  const parsed = parseDistributionFilename(filename, project);
  return parsed && { version: parsed.version, kind: parsed.kind };
}

function projectPageUrl(indexUrl: string, name: string): string {
  const base = indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`;
  return new URL(`${encodeURIComponent(normalizeName(name))}/`, base).toString();
}

/** Every version of a project on the index with its files (sync uses this for dependency closure). */
export async function listReleases(name: string, indexUrl: string, env: Pick<StageEnv, 'log' | 'signal'>, answers?: AnswerCache): Promise<ProjectReleases> {
  // `answers`: the page is revalidated with its ETag; a kept body is parsed and checked as a fresh one is.
  const page = await getText(projectPageUrl(indexUrl, name), { accept: INDEX_ACCEPT, log: env.log, signal: env.signal, indexUrl, answers });
  if (!page) {
    throw new Py2DistroError('E_NOT_FOUND', `project ${name} not found on ${redactUrl(indexUrl)}`, { details: { project: name } });
  }
  const { format, files } = parseProjectPage(page.text, page.contentType, page.url);
  const byVersion = new Map<string, ReleaseFile[]>();
  for (const f of files) {
    const v = versionFromFilename(f.filename, name);
    if (!v) continue;
    const list = byVersion.get(v.version) ?? [];
    list.push({ ...f, kind: v.kind });
    byVersion.set(v.version, list);
  }
  const releases = [...byVersion.entries()]
    .map(([version, list]) => ({ version, prerelease: Boolean(explain(version)?.is_prerelease), files: list }))
    .sort((a, b) => compare(b.version, a.version));
  return { name: normalizeName(name), pageUrl: page.url, format, releases };
}

/** Whether a file may be installed on `pythonVersion` (an invalid specifier is ignored, as pip does). */
export function pythonAllowed(requiresPython: string | undefined, pythonVersion: string | undefined): boolean {
  if (!requiresPython || !pythonVersion) return true;
  const spec = requiresPython.split(',').map((s) => s.trim()).filter(Boolean).join(',');
  if (!validRange(spec)) return true;
  return satisfies(pythonVersion, spec, { prereleases: true });
}

export async function resolveRelease(
  req: UserRequirement,
  opts: { indexUrl: string; pre: boolean; pythonVersion?: string; answers?: AnswerCache },
  env: Pick<StageEnv, 'log' | 'signal'>,
): Promise<ResolvedRelease> {
  if (req.kind !== 'index') throw new Py2DistroError('E_REQUIREMENT', `${req.path} is a local file, not something to resolve on an index`);
  const project = await listReleases(req.name, opts.indexUrl, env, opts.answers);
  const pinned = req.pinnedVersion !== undefined;
  const allowPre = opts.pre || pinned;
  const skipped: string[] = [];
  const wheelOnly: string[] = [];
  for (const rel of project.releases) {
    if (req.specifier && !satisfies(rel.version, req.specifier, { prereleases: true })) continue;
    if (rel.prerelease && !allowPre) {
      skipped.push(`${rel.version} (pre-release; add --pre)`);
      continue;
    }
    const usable = rel.files.filter((f) => {
      if (f.yanked && !pinned) return skipped.push(`${f.filename} (yanked${f.yankedReason ? `: ${f.yankedReason}` : ''})`), false;
      if (!pythonAllowed(f.requiresPython, opts.pythonVersion)) {
        return skipped.push(`${f.filename} (requires-python ${f.requiresPython}, target has ${opts.pythonVersion})`), false;
      }
      return true;
    });
    const sdists = usable.filter((f) => f.kind === 'sdist').sort((a, b) => Number(b.filename.endsWith('.tar.gz')) - Number(a.filename.endsWith('.tar.gz')));
    if (!sdists.length) {
      if (usable.length) wheelOnly.push(`${rel.version}: ${usable.map((f) => f.filename).join(', ')}`);
      if (pinned) break;
      continue;
    }
    if (wheelOnly.length) env.log.warn(`${req.name}: newer releases have no sdist (${wheelOnly.map((w) => w.split(':')[0]).join(', ')}); using ${rel.version}`);
    const f = sdists[0];
    if (f.yanked) env.log.warn(`${f.filename} is yanked${f.yankedReason ? ` (${f.yankedReason})` : ''}; using it because it is pinned`);
    return {
      name: project.name,
      version: rel.version,
      filename: f.filename,
      url: f.url,
      ...(f.sha256 ? { sha256: f.sha256 } : {}),
      ...(f.requiresPython ? { requiresPython: f.requiresPython } : {}),
      yanked: f.yanked,
      ...(f.signatureAdvertised !== undefined ? { signatureAdvertised: f.signatureAdvertised } : {}),
      signatureUrl: `${f.url}.asc`,
      ...(f.provenanceUrl ? { provenanceUrl: f.provenanceUrl } : {}),
      indexUrl: redactUrl(opts.indexUrl),
      format: project.format,
    };
  }
  const wanted = formatRequirement(req);
  if (wheelOnly.length) {
    throw new Py2DistroError('E_NO_SDIST', `${wanted}: no source distribution on ${redactUrl(opts.indexUrl)}; what exists:\n  ${wheelOnly.slice(0, 10).join('\n  ')}`, {
      details: { project: project.name, available: wheelOnly },
    });
  }
  const versions = project.releases.map((r) => r.version);
  throw new Py2DistroError(
    'E_NO_MATCHING_VERSION',
    `${wanted}: no matching release on ${redactUrl(opts.indexUrl)}` +
      `\n  available: ${versions.slice(0, 15).join(', ') || '(none)'}` +
      (skipped.length ? `\n  skipped: ${skipped.slice(0, 10).join('; ')}` : ''),
    { details: { project: project.name, available: versions, skipped } },
  );
}
