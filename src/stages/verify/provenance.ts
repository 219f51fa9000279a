/**
 * The provenance record: what was verified about an upstream file, and how. One JSON document per
 * verified sdist; render ships it in the package's doc directory, build extends it.
 */
export type SignatureStatus = 'verified' | 'unsigned' | 'not-checked';

export interface Provenance {
  /** Schema version of this record. */
  schema: 1;
  project: string;
  version: string;
  filename: string;
  sha256: string;
  /** Index the release was resolved on (credentials removed); absent for local files. */
  indexUrl?: string;
  /** Where the file was downloaded from (credentials removed); absent for local files. */
  fileUrl?: string;
  signature: {
    status: SignatureStatus;
    /** Primary-key fingerprint of the signer when verified. */
    signer?: string;
    /** Fingerprint of the (sub)key that made the signature, if different. */
    signingKey?: string;
    signatureUrl?: string;
    policy: 'required' | 'if-present' | 'off';
  };
  /** The PEP 740 attestation(s) the index served for the file, all verified. */
  attestation?: {
    /** `verified`: from a publisher pinned with --trust-publisher; `unpinned`: valid, publisher not pinned. */
    status: 'verified' | 'unpinned';
    /** From the Sigstore certificate: `github:OWNER/REPO:WORKFLOW`, `gitlab:NS/PROJECT:CI_FILE`, `google:EMAIL`. */
    publisher: string;
    /** OIDC issuer named in the certificate. */
    issuer: string;
    predicateType: string;
    /** Rekor transparency-log index and integrated time of the (first) attestation. */
    logIndex: number;
    integratedTime?: string;
    /** sha256 of the Sigstore trusted root used. */
    trustedRootDigest: string;
    /** Whether `publisher` is a Trusted Publisher (pinnable with --trust-publisher). */
    pinnable?: boolean;
    /** How many attestations the provenance held (every one verified). */
    count: number;
    provenanceUrl?: string;
  };
  /** Whether a pinned identity (key or publisher) vouches for the file. */
  trusted?: boolean;
  /** ISO 8601 time of verification. */
  verifiedAt: string;
  tool: string;
  /** Added by the build stage: what the built wheel declared when the sdist did not. */
  build?: Record<string, unknown>;
}
