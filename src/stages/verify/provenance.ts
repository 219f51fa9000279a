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
  /** ISO 8601 time of verification. */
  verifiedAt: string;
  tool: string;
  /** Added by the build stage: what the built wheel declared when the sdist did not. */
  build?: Record<string, unknown>;
}
