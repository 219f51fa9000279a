/**
 * Judging a file's PEP 740 provenance as a whole: every attestation in it must verify (a provenance
 * with one good and one bad attestation is refused, not "good enough"), and when the project is
 * pinned to Trusted Publishers, every attestation must come from one of them. The identity is read
 * from the verified certificate only, never from the index's unsigned `publisher` object.
 */
import { Py2DistroError } from '../../../lib/errors.js';
import { identityToPin, describeIdentity, formatPublisherPin, publisherMismatches, trustPublisherFlag, type PublisherPin } from './publisher.js';
import type { Attestation } from './shape.js';
import type { LoadedTrustedRoot } from './trusted-root.js';
import { verifyAttestation, type AttestationResult } from './verify.js';

export interface AttestationCheck {
  /** `verified`: from a pinned publisher. `unpinned`: valid, but the project has no publisher pin. */
  status: 'verified' | 'unpinned';
  /** The publisher as a pin (`github:OWNER/REPO:WORKFLOW`), or the certificate's SAN for other signers. */
  publisher: string;
  /** Whether `publisher` is a Trusted Publisher that can be pinned with --trust-publisher. */
  pinnable: boolean;
  /** OIDC issuer from the certificate (Fulcio extension 1.3.6.1.4.1.57264.1.8). */
  issuer: string;
  predicateType: string;
  /** Transparency-log index and integrated time (ISO 8601, when a SET signs it) of the first attestation. */
  logIndex: number;
  integratedTime?: string;
  /** sha256 of the Sigstore trusted root the attestations were verified against. */
  trustedRootDigest: string;
  /** How many attestations the provenance held (all verified). */
  count: number;
}

export interface CheckInput {
  attestations: readonly Attestation[];
  filename: string;
  sha256: string;
  /** PEP 503-normalised project name. */
  project: string;
  pins: readonly PublisherPin[];
  trustedRoot: LoadedTrustedRoot;
}

export { trustPublisherFlag };

/** The identity string recorded for a verified attestation (what the trust lock compares). */
export function publisherOf(result: AttestationResult): { publisher: string; pinnable: boolean } {
  const pin = identityToPin(result.identity);
  if (pin) return { publisher: pin, pinnable: true };
  return { publisher: `${result.identity.sanType ?? 'san'}:${result.identity.san ?? '(none)'} (issuer ${result.identity.issuer ?? '(none)'})`, pinnable: false };
}

/** Verifies every attestation and judges its publisher; throws a catalogue error for any refusal. */
export function checkAttestations(input: CheckInput): AttestationCheck {
  const { filename, project, pins } = input;
  if (!input.attestations.length) {
    throw new Py2DistroError('E_ATTESTATION_INVALID', `${filename}: the provenance holds no attestation`, { details: { file: filename, project } });
  }
  const results = input.attestations.map((att) =>
    verifyAttestation(att, { filename, sha256: input.sha256, trustedRoot: input.trustedRoot, project }),
  );
  const first = results[0]!;
  const { publisher, pinnable } = publisherOf(first);
  if (pins.length) {
    for (const r of results) {
      const mismatches = pins.map((p) => publisherMismatches(r.identity, p));
      if (mismatches.some((m) => m.length === 0)) continue;
      const actual = publisherOf(r);
      const pinned = pins.map(formatPublisherPin).join(', ');
      throw new Py2DistroError(
        'E_PUBLISHER_MISMATCH',
        `${filename}: attested by ${actual.publisher}, but ${project} is pinned to ${pinned}: ${mismatches[0]!.join('; ')}`,
        {
          hint: actual.pinnable
            ? `Do not use this file unless the project really moved its publishing; then check that out of band and replace the pin: ${trustPublisherFlag(project, actual.publisher)}`
            : 'The signer is not a Trusted Publisher (GitHub Actions, GitLab CI/CD, Google Cloud), so it cannot stand for a pinned one. Do not use this file.',
          details: { file: filename, project, publisher: actual.publisher, pinned, certificate: describeIdentity(r.identity) },
        },
      );
    }
  }
  const integrated = first.integratedTime !== undefined ? new Date(first.integratedTime * 1000).toISOString() : undefined;
  return {
    status: pins.length ? 'verified' : 'unpinned',
    publisher,
    pinnable,
    issuer: first.identity.issuer ?? '',
    predicateType: first.predicateType,
    logIndex: first.logIndex,
    ...(integrated ? { integratedTime: integrated } : {}),
    trustedRootDigest: first.trustedRootDigest,
    count: results.length,
  };
}

/** The refusal for a valid attestation whose publisher is not pinned, under `required`. */
export function unknownPublisherError(check: AttestationCheck, filename: string, project: string): Py2DistroError {
  return new Py2DistroError('E_PUBLISHER_UNKNOWN', `${filename}: attested by ${check.publisher}, which is not pinned for ${project}, and the signature policy is "required"`, {
    hint: check.pinnable
      ? `If this is upstream's publisher, trust it for this package: ${trustPublisherFlag(project, check.publisher)}`
      : 'The signer is not a Trusted Publisher (GitHub Actions, GitLab CI/CD, Google Cloud), so it cannot be pinned; the file counts as unverified.',
    details: { file: filename, project, publisher: check.publisher },
  });
}
