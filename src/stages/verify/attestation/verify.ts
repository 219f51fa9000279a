/**
 * Offline verification of PEP 740 attestations as PyPI serves them.
 *
 * Why this module exists: py2distro turns PyPI releases into distro packages
 * and must know that a downloaded file is what its Trusted Publisher (a CI
 * workflow) published. PEP 740 attestations carry that proof as a Sigstore
 * signature. This module converts a PEP 740 attestation into the Sigstore
 * bundle it is a re-encoding of, lets Sigstore's own @sigstore/verify do every
 * cryptographic check, and then applies PEP 740's policy: the statement must
 * be about exactly this file, and the certificate identity must be the
 * publisher the user pinned.
 *
 * What @sigstore/verify checks (Sigstore client spec, "Verification"):
 *   - the leaf certificate chains to a Fulcio CA of the trusted root, and is
 *     valid at every verified signing time (embedded SCT checked against the
 *     CT log keys);
 *   - each Rekor entry: the inclusion proof against a signed checkpoint
 *     (required: bundle v0.3, which PEP 740 mirrors), the SET when present,
 *     and that the entry body matches this DSSE signature and payload hash
 *     (Rekor v1 `dsse 0.0.1` and Rekor v2 `dsse 0.0.2`);
 *   - RFC 3161 timestamps (PEP 740 draft field `verification_material.timestamps`)
 *     against the trusted root's TSAs;
 *   - the DSSE signature over PAE("application/vnd.in-toto+json", statement).
 * What this module adds:
 *   - the Rekor body must name this very certificate (binds log entry to identity);
 *   - a Rekor v1 integratedTime is only used as signing time when a SET signs it;
 *   - statement checks (statement.ts) and exact publisher matching (publisher.ts).
 *
 * The publisher is judged afterwards, against the pins (check.ts).
 */
import { assertBundle, bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { RFC3161Timestamp, pem } from '@sigstore/core';
import { Verifier, toSignedEntity, type SignedEntity } from '@sigstore/verify';
import { Py2DistroError } from '../../../lib/errors.js';
import { identityFromCertificate, type CertificateIdentity } from './identity.js';
import type { Attestation, TransparencyEntryJSON } from './shape.js';
import { checkStatement, normalizeSha256, type PredicateType, type StatementSubject } from './statement.js';
import type { LoadedTrustedRoot } from './trusted-root.js';

/** PEP 740: the DSSE payload type of every attestation. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

export interface VerifyOptions {
  /** Distribution filename, e.g. `pypi_attestations-0.0.19.tar.gz` (used for the subject check and messages). */
  filename: string;
  /** Hex SHA-256 of the file's bytes, computed by the caller from the downloaded file. */
  sha256: string;
  trustedRoot: LoadedTrustedRoot;
  /** The project the file must belong to (its subject is parsed with this name). */
  project?: string;
}

export interface VerifiedTimestamp {
  source: 'transparency-log' | 'timestamp-authority';
  time: Date;
}

export interface AttestationResult {
  /** From the verified certificate only. */
  identity: CertificateIdentity;
  predicateType: PredicateType;
  subject: StatementSubject;
  /** Rekor log index of the first transparency entry. */
  logIndex: number;
  /** Rekor v1 integrated time (Unix seconds) when a SET covers it; undefined otherwise (e.g. Rekor v2). */
  integratedTime: number | undefined;
  /** Hex log ID (SHA-256 of the log's public key) of the first transparency entry. */
  logId: string;
  /** e.g. `dsse 0.0.1` (Rekor v1) or `dsse 0.0.2` (Rekor v2). */
  tlogKind: string;
  /** Every signing time that was verified (SET-backed integrated times and RFC 3161 timestamps). */
  timestamps: VerifiedTimestamp[];
  trustedRootDigest: string;
}

function invalid(filename: string, why: string, hint: string, cause?: unknown, detail?: string): Py2DistroError {
  return new Py2DistroError('E_ATTESTATION_INVALID', `${filename}: attestation verification failed: ${why}`, { hint, cause, details: { file: filename, ...(detail ? { detail } : {}) } });
}

/**
 * Rekor v1 entries authenticate integratedTime only through the SET; an entry
 * with just an inclusion proof has an unsigned integratedTime, so it is zeroed
 * and @sigstore/verify will not count it as a signing time (a TSA timestamp
 * is then required).
 */
function tlogEntryForBundle(e: TransparencyEntryJSON): TransparencyEntryJSON {
  return e.inclusionPromise ? e : { ...e, integratedTime: '0' };
}

/** PEP 740 attestation -> Sigstore bundle v0.3 (protobuf-JSON), parsed by @sigstore/bundle. */
export function attestationToBundle(att: Attestation): Bundle {
  const vm = att.verificationMaterial;
  const bundle = bundleFromJSON({
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: {
      certificate: { rawBytes: vm.certificate },
      tlogEntries: vm.transparencyEntries.map(tlogEntryForBundle),
      timestampVerificationData: { rfc3161Timestamps: vm.timestamps.map((t) => ({ signedTimestamp: t })) },
    },
    dsseEnvelope: {
      payload: att.envelope.statement,
      payloadType: IN_TOTO_PAYLOAD_TYPE,
      signatures: [{ sig: att.envelope.signature, keyid: '' }],
    },
  });
  assertBundle(bundle);
  return bundle;
}

/** The certificate (DER) that a Rekor `dsse` entry body records as the verifier. */
function certificateInTlogBody(entry: TransparencyEntryJSON): Buffer {
  const body = JSON.parse(Buffer.from(entry.canonicalizedBody, 'base64').toString('utf8')) as {
    kind?: unknown;
    apiVersion?: unknown;
    spec?: {
      signatures?: { verifier?: unknown }[];
      dsseV002?: { signatures?: { verifier?: { x509Certificate?: { rawBytes?: unknown } } }[] };
    };
  };
  if (body.kind !== 'dsse') throw new Error(`Rekor entry kind ${JSON.stringify(body.kind)} is not dsse`);
  if (body.apiVersion === '0.0.1') {
    // Rekor v1 dsse 0.0.1: verifier is base64 of a PEM certificate.
    const v = body.spec?.signatures?.[0]?.verifier;
    if (typeof v !== 'string') throw new Error('dsse 0.0.1 body has no verifier');
    return pem.toDER(Buffer.from(v, 'base64').toString('utf8'));
  }
  if (body.apiVersion === '0.0.2') {
    // Rekor v2 dsse 0.0.2: verifier.x509Certificate.rawBytes is base64 DER.
    const raw = body.spec?.dsseV002?.signatures?.[0]?.verifier?.x509Certificate?.rawBytes;
    if (typeof raw !== 'string') throw new Error('dsse 0.0.2 body has no x509Certificate verifier');
    return Buffer.from(raw, 'base64');
  }
  throw new Error(`unsupported dsse apiVersion ${JSON.stringify(body.apiVersion)}`);
}

/** Friendly description + hint for @sigstore/verify error codes. */
function describeVerifyError(code: string | undefined): { why: string; hint: string } {
  const otherInstance =
    "if it was signed on another Sigstore instance (e.g. staging), pass that instance's --trusted-root; otherwise treat the file as untrusted";
  const tampered = 'the attestation was tampered with or corrupted; treat the file as untrusted';
  switch (code) {
    case 'CERTIFICATE_ERROR':
      return { why: 'signing certificate does not chain to a trusted Fulcio CA at the signing time', hint: otherInstance };
    case 'TIMESTAMP_ERROR':
      return { why: 'no trusted signing time (Rekor SET or RFC 3161 timestamp) could be verified', hint: otherInstance };
    case 'SIGNATURE_ERROR':
      return { why: 'DSSE signature does not verify with the certificate key', hint: tampered };
    case 'TLOG_BODY_ERROR':
      return { why: 'transparency log entry does not match this signature', hint: tampered };
    case 'TLOG_ERROR':
    case 'TLOG_INCLUSION_PROOF_ERROR':
    case 'TLOG_INCLUSION_PROMISE_ERROR':
    case 'TLOG_MISSING_INCLUSION_ERROR':
      return { why: 'transparency log inclusion (SET / inclusion proof) does not verify', hint: otherInstance };
    default:
      return { why: 'Sigstore verification failed', hint: 'treat the file as untrusted' };
  }
}

/**
 * Verify one attestation for one file. Throws Py2DistroError
 * (`E_ATTESTATION_INVALID` or `E_ATTESTATION_SUBJECT`); does NOT check the
 * publisher: `checkAttestations` (check.ts) judges it against the pins.
 */
export function verifyAttestation(att: Attestation, options: VerifyOptions): AttestationResult {
  const { filename, trustedRoot } = options;
  const sha256 = normalizeSha256(options.sha256);

  // 1. Re-encode as a Sigstore bundle (PEP 740 mirrors bundle v0.3 field by field).
  let entity: SignedEntity;
  try {
    entity = toSignedEntity(attestationToBundle(att));
  } catch (cause) {
    throw invalid(filename, `attestation cannot be read as a Sigstore bundle (${(cause as Error).message})`,
      'the attestation is corrupt; re-download it', cause, 'BUNDLE');
  }

  // 2. All cryptography: chain, SCT, tlog, timestamps, DSSE signature.
  //    No VerificationPolicy is passed: identity is matched exactly afterwards.
  try {
    new Verifier(trustedRoot.trustMaterial, { tlogThreshold: 1, ctlogThreshold: 1, timestampThreshold: 1 }).verify(entity);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const { why, hint } = describeVerifyError(code);
    throw invalid(filename, `${why} (${code ?? 'error'}: ${(cause as Error).message})`, hint, cause, code);
  }

  // 3. Each log entry must record this very certificate as the signer.
  const certDer = Buffer.from(att.verificationMaterial.certificate, 'base64');
  for (const entry of att.verificationMaterial.transparencyEntries) {
    let logged: Buffer;
    try {
      logged = certificateInTlogBody(entry);
    } catch (cause) {
      throw invalid(filename, `transparency log entry is unusable (${(cause as Error).message})`,
        'treat the file as untrusted', cause, 'TLOG_BODY_ERROR');
    }
    if (!logged.equals(certDer)) {
      throw invalid(filename, 'transparency log entry was made with a different certificate',
        'the attestation was tampered with; treat the file as untrusted', undefined, 'TLOG_BODY_ERROR');
    }
  }

  // 4. PEP 740 statement policy: in-toto v1, allowed predicate, one subject = this file.
  const { predicateType, subject } = checkStatement(Buffer.from(att.envelope.statement, 'base64'), { filename, sha256, project: options.project });

  // 5. Identity from the (now verified) certificate.
  let identity: CertificateIdentity;
  try {
    identity = identityFromCertificate(certDer);
  } catch (cause) {
    throw invalid(filename, `certificate identity extensions are malformed (${(cause as Error).message})`,
      'treat the file as untrusted', cause, 'CERTIFICATE_ERROR');
  }

  const first = entity.tlogEntries[0]!;
  const timestamps: VerifiedTimestamp[] = [];
  for (const e of entity.tlogEntries) {
    if (e.integratedTime !== '0') timestamps.push({ source: 'transparency-log', time: new Date(Number(e.integratedTime) * 1000) });
  }
  for (const t of att.verificationMaterial.timestamps) {
    timestamps.push({ source: 'timestamp-authority', time: RFC3161Timestamp.parse(Buffer.from(t, 'base64')).signingTime });
  }
  return {
    identity,
    predicateType,
    subject,
    logIndex: Number(att.verificationMaterial.transparencyEntries[0]!.logIndex),
    integratedTime: first.integratedTime !== '0' ? Number(first.integratedTime) : undefined,
    logId: first.logId.keyId.toString('hex'),
    tlogKind: `${first.kindVersion.kind} ${first.kindVersion.version}`,
    timestamps,
    trustedRootDigest: trustedRoot.sha256,
  };
}
