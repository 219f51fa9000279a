/**
 * Binding what was verified to what is built. A signature or attestation vouches for bytes, not for
 * what the index claims those bytes are: an index can serve an old signed release under a newer
 * version (the record says 2.0, the package is 1.0), or one project's signed sdist as another
 * project that shares the maintainer's key. So after inspection the sdist's own metadata (PKG-INFO
 * Name and Version, or what pyproject/setup.cfg state) must be the requested project (PEP 503
 * normalised) at the resolved version (PEP 440 normalised). Every run calls this one check.
 */
import { clean } from '@renovatebot/pep440';
import { Py2DistroError } from '../../lib/errors.js';
import { normalizeName } from '../../python/requirement.js';

export function checkBuiltMatchesVerified(
  metadata: { name: string; version: string },
  verified: { project: string; version: string; filename: string },
): void {
  const name = normalizeName(metadata.name);
  const wantName = normalizeName(verified.project);
  const version = clean(metadata.version) ?? metadata.version;
  const wantVersion = clean(verified.version) ?? verified.version;
  const problems: string[] = [];
  if (name !== wantName) problems.push(`its metadata names the project ${JSON.stringify(metadata.name)}, not ${wantName}`);
  if (version !== wantVersion) problems.push(`its metadata says version ${JSON.stringify(metadata.version)}, not ${verified.version}`);
  if (!problems.length) return;
  throw new Py2DistroError('E_METADATA_MISMATCH', `${verified.filename}: verified as ${wantName} ${verified.version}, but ${problems.join(' and ')}`, {
    hint: 'The index served another project or release under this name/version (a signature vouches for bytes, not for the label). Do not use it; report it to the index operator.',
    details: { file: verified.filename, project: wantName, version: verified.version, metadataName: metadata.name, metadataVersion: metadata.version },
  });
}
