/**
 * Trusted Publisher pins: the user's statement of who may publish a project,
 * and exact matching of a verified certificate identity against it.
 *
 * Why exact strings: PEP 740 leaves identity policy to the verifier, and the
 * reference implementation (pypi-attestations' `Publisher` policies) compares
 * the Fulcio extensions as exact strings. The Sigstore libraries' own
 * certificate-identity options take *unanchored* regular expressions, where
 * `evil/pypi-attestations-fork` would match a pattern meant for
 * `pypi-attestations`; they are deliberately not used here.
 *
 * Case: comparisons are case-SENSITIVE. GitHub owner/repo names are
 * case-insensitive on github.com, but Fulcio copies the canonical spelling from
 * the OIDC token, and the reference implementation compares exactly. A user who
 * pinned `TrailOfBits/...` gets a mismatch whose hint prints the certificate's
 * own spelling, so the fix is a copy-paste. (Fail closed beats guessing.)
 *
 * Pin grammar (`--trust-publisher NAME=PIN`):
 *   github:OWNER/REPO[:WORKFLOW_FILE]        e.g. github:pypa/pip:release.yml
 *   gitlab:NAMESPACE/PROJECT[:CI_FILE_PATH]  e.g. gitlab:group/sub/proj:ci/release.yml
 *   google:EMAIL                             e.g. google:123-compute@developer.gserviceaccount.com
 */
import { Py2DistroError } from '../../../lib/errors.js';
import type { CertificateIdentity } from './identity.js';

export type PublisherPin =
  | { kind: 'github'; repository: string /* OWNER/REPO */; workflow?: string /* file name, e.g. release.yml */ }
  | { kind: 'gitlab'; repository: string /* NAMESPACE/PROJECT */; workflow?: string /* CI file path, e.g. .gitlab-ci.yml */ }
  | { kind: 'google'; email: string };

/** OIDC issuers of the Trusted Publisher providers PyPI supports (Fulcio extension 1.8). */
export const ISSUERS = {
  github: 'https://token.actions.githubusercontent.com',
  gitlab: 'https://gitlab.com',
  google: 'https://accounts.google.com',
} as const;

const PIN_GRAMMAR =
  'expected github:OWNER/REPO[:WORKFLOW_FILE], gitlab:NAMESPACE/PROJECT[:CI_FILE_PATH] or google:EMAIL';

// GitHub: owner is alphanumerics and hyphens (max 39, no leading hyphen); repo is [A-Za-z0-9._-], not "." / "..".
const GITHUB_OWNER = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/;
const GITHUB_REPO = /^[A-Za-z0-9._-]{1,100}$/;
// A workflow is a file directly in .github/workflows/, so a bare file name.
const WORKFLOW_FILE = /^[A-Za-z0-9._-]+\.ya?ml$/;
// GitLab path segment: letters, digits, '_', '-', '.'; must not start with '-' / '.' nor end with '.'.
const GITLAB_SEGMENT = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?$/;
// A relative file path of plain segments (no '.', '..', '@', empty segments), ending in .yml/.yaml.
const CI_PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;
const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;

function pinError(text: string, why: string): Py2DistroError {
  return new Py2DistroError('E_PUBLISHER_PIN', `invalid Trusted Publisher pin ${JSON.stringify(text)}: ${why}`, {
    hint: PIN_GRAMMAR,
  });
}

function isGithubRepository(s: string): boolean {
  const parts = s.split('/');
  if (parts.length !== 2) return false;
  const [owner, repo] = parts as [string, string];
  return GITHUB_OWNER.test(owner) && GITHUB_REPO.test(repo) && repo !== '.' && repo !== '..';
}

function isGitlabRepository(s: string): boolean {
  const parts = s.split('/');
  return parts.length >= 2 && parts.length <= 20 && parts.every((p) => GITLAB_SEGMENT.test(p));
}

function isCiFilePath(s: string): boolean {
  const parts = s.split('/');
  return (
    parts.every((p) => CI_PATH_SEGMENT.test(p) && p !== '.' && p !== '..') &&
    /\.ya?ml$/.test(parts[parts.length - 1] ?? '')
  );
}

export function parsePublisherPin(text: string): PublisherPin {
  const colon = text.indexOf(':');
  if (colon < 0) throw pinError(text, 'missing "github:", "gitlab:" or "google:" prefix');
  const kind = text.slice(0, colon);
  const rest = text.slice(colon + 1);
  switch (kind) {
    case 'github':
    case 'gitlab': {
      const parts = rest.split(':');
      if (parts.length > 2) throw pinError(text, 'too many ":" separators');
      const [repository = '', workflow] = parts;
      const repoOk = kind === 'github' ? isGithubRepository(repository) : isGitlabRepository(repository);
      if (!repoOk) {
        throw pinError(text, kind === 'github' ? 'repository must be OWNER/REPO' : 'repository must be NAMESPACE/PROJECT');
      }
      if (workflow === undefined) return { kind, repository };
      const wfOk = kind === 'github' ? WORKFLOW_FILE.test(workflow) : isCiFilePath(workflow);
      if (!wfOk) {
        throw pinError(
          text,
          kind === 'github'
            ? 'workflow must be a file name ending in .yml or .yaml (e.g. release.yml)'
            : 'CI file path must be a relative path ending in .yml or .yaml (e.g. .gitlab-ci.yml)',
        );
      }
      return { kind, repository, workflow };
    }
    case 'google':
      if (!EMAIL.test(rest)) throw pinError(text, 'expected an email address after "google:"');
      return { kind, email: rest };
    default:
      throw pinError(text, `unknown publisher kind ${JSON.stringify(kind)}`);
  }
}

/** Inverse of parsePublisherPin: `parsePublisherPin(formatPublisherPin(p))` deep-equals `p`. */
export function formatPublisherPin(pin: PublisherPin): string {
  switch (pin.kind) {
    case 'github':
    case 'gitlab':
      return pin.workflow === undefined ? `${pin.kind}:${pin.repository}` : `${pin.kind}:${pin.repository}:${pin.workflow}`;
    case 'google':
      return `google:${pin.email}`;
  }
}

/** `true` iff `uri` is exactly `prefix` followed by a non-empty ref (the part after '@'). */
function hasPrefixAndRef(uri: string | undefined, prefix: string): boolean {
  return uri !== undefined && uri.startsWith(prefix) && uri.length > prefix.length;
}

/**
 * Reasons the identity does not satisfy the pin; empty when it matches.
 * Every comparison is an exact string comparison or an exact prefix test.
 */
export function publisherMismatches(identity: CertificateIdentity, pin: PublisherPin): string[] {
  const out: string[] = [];
  const expect = (what: string, actual: string | undefined, expected: string): void => {
    if (actual !== expected) out.push(`${what} is ${JSON.stringify(actual ?? null)}, expected ${JSON.stringify(expected)}`);
  };
  switch (pin.kind) {
    case 'github': {
      const repoUrl = `https://github.com/${pin.repository}`;
      expect('issuer', identity.issuer, ISSUERS.github);
      expect('Source Repository URI', identity.sourceRepositoryUri, repoUrl);
      // Build Config URI (1.18) is the top-level workflow: REPO/.github/workflows/FILE@REF.
      const prefix = `${repoUrl}/.github/workflows/` + (pin.workflow === undefined ? '' : `${pin.workflow}@`);
      if (!hasPrefixAndRef(identity.buildConfigUri, prefix)) {
        out.push(`Build Config URI is ${JSON.stringify(identity.buildConfigUri ?? null)}, expected ${prefix}${pin.workflow ? 'REF' : '...'}`);
      }
      break;
    }
    case 'gitlab': {
      const repoUrl = `https://gitlab.com/${pin.repository}`;
      expect('issuer', identity.issuer, ISSUERS.gitlab);
      expect('Source Repository URI', identity.sourceRepositoryUri, repoUrl);
      // GitLab's ci_config_ref_uri is PROJECT_PATH//CI_FILE_PATH@REF (note the double slash).
      const prefix = `${repoUrl}//` + (pin.workflow === undefined ? '' : `${pin.workflow}@`);
      if (!hasPrefixAndRef(identity.buildConfigUri, prefix)) {
        out.push(`Build Config URI is ${JSON.stringify(identity.buildConfigUri ?? null)}, expected ${prefix}${pin.workflow ? 'REF' : '...'}`);
      }
      break;
    }
    case 'google':
      expect('issuer', identity.issuer, ISSUERS.google);
      if (identity.sanType !== 'email' || identity.san !== pin.email) {
        out.push(`certificate email is ${JSON.stringify(identity.san ?? null)}, expected ${JSON.stringify(pin.email)}`);
      }
      break;
  }
  return out;
}

export function matchPublisher(identity: CertificateIdentity, pin: PublisherPin): boolean {
  return publisherMismatches(identity, pin).length === 0;
}

/**
 * The most specific pin that the identity would match, or `undefined` when the
 * certificate is not from a Trusted Publisher provider (e.g. a personal
 * `https://github.com/login/oauth` identity). The result always satisfies
 * `matchPublisher(identity, result) === true`.
 */
export function identityToPublisherPin(identity: CertificateIdentity): PublisherPin | undefined {
  const candidates: PublisherPin[] = [];
  const repoFrom = (base: string): string | undefined =>
    identity.sourceRepositoryUri?.startsWith(base) ? identity.sourceRepositoryUri.slice(base.length) : undefined;

  if (identity.issuer === ISSUERS.github) {
    const repository = repoFrom('https://github.com/');
    if (repository !== undefined && isGithubRepository(repository)) {
      const prefix = `https://github.com/${repository}/.github/workflows/`;
      const workflow = identity.buildConfigUri?.startsWith(prefix)
        ? identity.buildConfigUri.slice(prefix.length).split('@')[0]
        : undefined;
      if (workflow !== undefined && WORKFLOW_FILE.test(workflow)) candidates.push({ kind: 'github', repository, workflow });
      candidates.push({ kind: 'github', repository });
    }
  } else if (identity.issuer === ISSUERS.gitlab) {
    const repository = repoFrom('https://gitlab.com/');
    if (repository !== undefined && isGitlabRepository(repository)) {
      const prefix = `https://gitlab.com/${repository}//`;
      const workflow = identity.buildConfigUri?.startsWith(prefix)
        ? identity.buildConfigUri.slice(prefix.length).split('@')[0]
        : undefined;
      if (workflow !== undefined && isCiFilePath(workflow)) candidates.push({ kind: 'gitlab', repository, workflow });
      candidates.push({ kind: 'gitlab', repository });
    }
  } else if (identity.issuer === ISSUERS.google && identity.sanType === 'email' && identity.san && EMAIL.test(identity.san)) {
    candidates.push({ kind: 'google', email: identity.san });
  }
  return candidates.find((pin) => matchPublisher(identity, pin));
}

/** Pin string for the "unknown publisher" hint, e.g. `github:OWNER/REPO:release.yml`. */
export function identityToPin(identity: CertificateIdentity): string | undefined {
  const pin = identityToPublisherPin(identity);
  return pin && formatPublisherPin(pin);
}

/** One-line human description of a certificate identity, for error messages. */
export function describeIdentity(identity: CertificateIdentity): string {
  const parts = [`issuer ${identity.issuer ?? '(none)'}`, `SAN ${identity.san ?? '(none)'}`];
  if (identity.sourceRepositoryUri) parts.push(`repository ${identity.sourceRepositoryUri}`);
  if (identity.buildConfigUri) parts.push(`build config ${identity.buildConfigUri}`);
  return parts.join(', ');
}
