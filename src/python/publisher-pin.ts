/**
 * The Trusted Publisher pin grammar (PEP 740 publishers as PyPI supports them): the text a user
 * writes in `trust-publishers:` or `--trust-publisher NAME=PIN`, parsed strictly. It lives here,
 * apart from the attestation verifier (stages/verify), so reading a config file does not load
 * sigstore, TUF and OpenPGP: every command parses the config, few verify attestations.
 *
 * Pin grammar:
 *   github:OWNER/REPO[:WORKFLOW_FILE]        e.g. github:pypa/pip:release.yml
 *   gitlab:NAMESPACE/PROJECT[:CI_FILE_PATH]  e.g. gitlab:group/sub/proj:ci/release.yml
 *   google:EMAIL                             e.g. google:123-compute@developer.gserviceaccount.com
 */
import { Py2DistroError } from '../lib/errors.js';

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
export const WORKFLOW_FILE = /^[A-Za-z0-9._-]+\.ya?ml$/;
// GitLab path segment: letters, digits, '_', '-', '.'; must not start with '-' / '.' nor end with '.'.
const GITLAB_SEGMENT = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?$/;
// A relative file path of plain segments (no '.', '..', '@', empty segments), ending in .yml/.yaml.
const CI_PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;
export const EMAIL = /^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;

function pinError(text: string, why: string): Py2DistroError {
  return new Py2DistroError('E_PUBLISHER_PIN', `invalid Trusted Publisher pin ${JSON.stringify(text)}: ${why}`, {
    hint: PIN_GRAMMAR,
  });
}

export function isGithubRepository(s: string): boolean {
  const parts = s.split('/');
  if (parts.length !== 2) return false;
  const [owner, repo] = parts as [string, string];
  return GITHUB_OWNER.test(owner) && GITHUB_REPO.test(repo) && repo !== '.' && repo !== '..';
}

export function isGitlabRepository(s: string): boolean {
  const parts = s.split('/');
  return parts.length >= 2 && parts.length <= 20 && parts.every((p) => GITLAB_SEGMENT.test(p));
}

export function isCiFilePath(s: string): boolean {
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
