/**
 * Read the signer's identity out of a Fulcio-issued certificate.
 *
 * Why: PEP 740 ("Attestation objects" / "Provenance objects") says the
 * `publisher` object in a provenance file is written by the index and is NOT
 * signed. The only authenticated statement of who published a file is the
 * Sigstore certificate that signed the attestation, so identity is taken from
 * the certificate alone, and only after @sigstore/verify accepted that very
 * certificate.
 *
 * OIDs are from Fulcio's "OID Information" document
 * (sigstore/fulcio docs/oid-info.md). Extensions 1.8 and later are DER-encoded
 * UTF8String values inside the extension's OCTET STRING; the legacy 1.1
 * issuer extension holds the raw string bytes.
 */
import { X509Certificate } from '@sigstore/core';

export const FULCIO_OID = {
  issuerLegacy: '1.3.6.1.4.1.57264.1.1',
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  buildConfigUri: '1.3.6.1.4.1.57264.1.18',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationUri: '1.3.6.1.4.1.57264.1.21',
} as const;

/** Identity claims of a verified Fulcio certificate. Absent extensions are `undefined`. */
export interface CertificateIdentity {
  /** OIDC issuer (1.8, falling back to legacy 1.1), e.g. `https://token.actions.githubusercontent.com`. */
  issuer: string | undefined;
  /** Subject Alternative Name: a URI (CI workload identity) or an email address. */
  san: string | undefined;
  sanType: 'uri' | 'email' | undefined;
  /** 1.12, e.g. `https://github.com/OWNER/REPO`. */
  sourceRepositoryUri: string | undefined;
  /** 1.18, e.g. `https://github.com/OWNER/REPO/.github/workflows/release.yml@refs/tags/v1`. */
  buildConfigUri: string | undefined;
  /** 1.9: the workflow that actually ran (differs from buildConfigUri for reusable workflows). */
  buildSignerUri: string | undefined;
  /** 1.14, e.g. `refs/tags/v1`. */
  sourceRepositoryRef: string | undefined;
  /** 1.13, commit sha. */
  sourceRepositoryDigest: string | undefined;
  /** 1.20, e.g. `push`, `release`. */
  buildTrigger: string | undefined;
  /** 1.21, link to the CI run. */
  runInvocationUri: string | undefined;
}

const UTF8_STRING_TAG = 0x0c;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Value of a Fulcio extension that is DER UTF8String-encoded (1.8 and later). */
function derUtf8Extension(cert: X509Certificate, oid: string): string | undefined {
  const ext = cert.extension(oid);
  if (!ext) return undefined;
  // valueObj is the extnValue OCTET STRING; its single child is the UTF8String.
  const subs = ext.valueObj.subs;
  const obj = subs.length === 1 ? subs[0] : undefined;
  if (!obj || obj.tag.number !== UTF8_STRING_TAG || obj.tag.constructed) {
    throw new Error(`certificate extension ${oid} is not a DER UTF8String`);
  }
  return utf8.decode(obj.value);
}

/** Value of the legacy 1.1 extension, which is the raw string without DER wrapping. */
function rawExtension(cert: X509Certificate, oid: string): string | undefined {
  const ext = cert.extension(oid);
  return ext ? utf8.decode(ext.value) : undefined;
}

export function identityFromCertificate(der: Uint8Array): CertificateIdentity {
  const cert = X509Certificate.parse(Buffer.from(der));
  const sanExt = cert.extSubjectAltName;
  const uri = sanExt?.uri;
  const email = sanExt?.rfc822Name;
  return {
    issuer: derUtf8Extension(cert, FULCIO_OID.issuer) ?? rawExtension(cert, FULCIO_OID.issuerLegacy),
    san: uri ?? email,
    sanType: uri !== undefined ? 'uri' : email !== undefined ? 'email' : undefined,
    sourceRepositoryUri: derUtf8Extension(cert, FULCIO_OID.sourceRepositoryUri),
    buildConfigUri: derUtf8Extension(cert, FULCIO_OID.buildConfigUri),
    buildSignerUri: derUtf8Extension(cert, FULCIO_OID.buildSignerUri),
    sourceRepositoryRef: derUtf8Extension(cert, FULCIO_OID.sourceRepositoryRef),
    sourceRepositoryDigest: derUtf8Extension(cert, FULCIO_OID.sourceRepositoryDigest),
    buildTrigger: derUtf8Extension(cert, FULCIO_OID.buildTrigger),
    runInvocationUri: derUtf8Extension(cert, FULCIO_OID.runInvocationUri),
  };
}
