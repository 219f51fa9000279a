/**
 * Stage resolve — the door. A requirement and an index in, the chosen release out: the project page
 * (PEP 691 JSON or PEP 503 HTML), files grouped by version, the newest that satisfies the
 * requirement and the target's Python.
 */
export {
  listReleases, pythonAllowed, resolveRelease,
  type FileKind, type IndexFileEntry, type ProjectReleases, type ReleaseFile, type ReleaseInfo, type ResolvedRelease,
} from './resolve.js';
