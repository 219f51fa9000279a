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
 * The pin grammar (parse/format) is in python/publisher-pin.ts, so reading a config stays light.
 */
import type { CertificateIdentity } from './identity.js';

export { ISSUERS, parsePublisherPin, formatPublisherPin, type PublisherPin } from '../../../python/publisher-pin.js';
import { EMAIL, ISSUERS, WORKFLOW_FILE, formatPublisherPin, isCiFilePath, isGithubRepository, isGitlabRepository, type PublisherPin } from '../../../python/publisher-pin.js';

/** `--trust-publisher NAME=PIN` as the user would type it. */
export function trustPublisherFlag(project: string, pin: string): string {
  return `--trust-publisher ${project}=${pin}`;
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
