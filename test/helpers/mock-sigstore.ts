/**
 * A throw-away, fully offline Sigstore instance (Fulcio CA + CT log + Rekor v1)
 * built with @sigstore/mock, for the policy cases no real attestation covers:
 * statements that are validly signed but have two subjects, a wrong predicate
 * type, etc. A real attestation cannot be edited for these without breaking
 * its signature, which would test the wrong check.
 *
 * Produces PEP 740 attestation JSON plus the matching trusted root.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { initializeCA, initializeCTLog, initializeTLog } from '@sigstore/mock';
import { dsse, pem } from '@sigstore/core';
import { parseTrustedRoot, type LoadedTrustedRoot } from '../../src/stages/verify/attestation/trusted-root.ts';

const REKOR_URL = 'https://rekor.mock.invalid';
const buf = (b: ArrayBufferView): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const b64 = (b: ArrayBufferView): string => buf(b).toString('base64');
const sha256 = (b: ArrayBufferView): Buffer => createHash('sha256').update(buf(b)).digest();
const newKeyPair = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

export interface MockIdentity {
  san: string;
  /** Fulcio extensions as OID -> string (DER UTF8String encoded by the mock CA). */
  extensions: Record<string, string>;
}

export const GITHUB_MOCK_IDENTITY: MockIdentity = {
  san: 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.0',
  extensions: {
    '1.3.6.1.4.1.57264.1.8': 'https://token.actions.githubusercontent.com',
    '1.3.6.1.4.1.57264.1.12': 'https://github.com/acme/widget',
    '1.3.6.1.4.1.57264.1.18': 'https://github.com/acme/widget/.github/workflows/release.yml@refs/tags/v1.0',
  },
};

/** Rekor v1 API LogEntry value, as the mock TLog returns it. */
interface MockLogEntry {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: {
    signedEntryTimestamp: string;
    inclusionProof: { logIndex: number; treeSize: number; rootHash: string; hashes: string[]; checkpoint: string };
  };
}

export interface MockSigstore {
  trustedRoot: LoadedTrustedRoot;
  /** Sign `statement` (serialised as given) and return a PEP 740 attestation object. */
  attest(statement: unknown, opts?: { identity?: MockIdentity; logVerifierCert?: 'other' }): Promise<unknown>;
}

export async function createMockSigstore(): Promise<MockSigstore> {
  const ctKeys = newKeyPair();
  const caKeys = newKeyPair();
  const tlogKeys = newKeyPair();
  const ctlog = await initializeCTLog(ctKeys);
  const ca = await initializeCA(caKeys, ctlog, new Date(Date.now() - 60_000));
  const tlog = await initializeTLog(REKOR_URL, tlogKeys);
  const tlogSpki = tlog.publicKey;
  const start = '2020-01-01T00:00:00Z';

  const rootJson = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [{
      baseUrl: REKOR_URL,
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: b64(tlogSpki), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
      logId: { keyId: b64(sha256(tlogSpki)) },
    }],
    certificateAuthorities: [{
      subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
      uri: 'https://fulcio.mock.invalid',
      certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
      validFor: { start },
    }],
    ctlogs: [{
      baseUrl: 'https://ctfe.mock.invalid',
      hashAlgorithm: 'SHA2_256',
      publicKey: { rawBytes: b64(ctlog.publicKey), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start } },
      logId: { keyId: b64(ctlog.logID) },
    }],
    timestampAuthorities: [],
  };
  const trustedRoot = parseTrustedRoot(Buffer.from(JSON.stringify(rootJson)), 'mock trusted root');

  async function issue(identity: MockIdentity) {
    const keys = newKeyPair();
    const cert = await ca.issueCertificate({
      publicKey: keys.publicKey.export({ format: 'der', type: 'spki' }),
      subjectAltName: identity.san,
      extensions: Object.entries(identity.extensions).map(([oid, value]) => ({ oid, value })),
    });
    return { keys, cert };
  }

  async function attest(statement: unknown, opts: { identity?: MockIdentity; logVerifierCert?: 'other' } = {}): Promise<unknown> {
    const identity = opts.identity ?? GITHUB_MOCK_IDENTITY;
    const { keys, cert } = await issue(identity);
    const payload = Buffer.from(JSON.stringify(statement), 'utf8');
    const sig = sign('sha256', dsse.preAuthEncoding('application/vnd.in-toto+json', payload), keys.privateKey);
    // Rekor v1 dsse 0.0.1 body; optionally naming a different certificate as verifier.
    const verifierCert = opts.logVerifierCert === 'other' ? (await issue(identity)).cert : cert;
    const proposed = {
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
        payloadHash: { algorithm: 'sha256', value: sha256(payload).toString('hex') },
        signatures: [{ signature: b64(sig), verifier: b64(Buffer.from(pem.fromDER(buf(verifierCert)), 'utf8')) }],
      },
    };
    const logged = Object.values(await tlog.log(proposed))[0] as MockLogEntry;
    const proof = logged.verification.inclusionProof;
    return {
      version: 1,
      verification_material: {
        certificate: b64(cert),
        transparency_entries: [{
          logIndex: String(logged.logIndex),
          logId: { keyId: b64(Buffer.from(logged.logID, 'hex')) },
          kindVersion: { kind: 'dsse', version: '0.0.1' },
          integratedTime: String(logged.integratedTime),
          inclusionPromise: { signedEntryTimestamp: logged.verification.signedEntryTimestamp },
          inclusionProof: {
            logIndex: String(proof.logIndex),
            rootHash: b64(Buffer.from(proof.rootHash, 'hex')),
            treeSize: String(proof.treeSize),
            hashes: proof.hashes,
            checkpoint: { envelope: proof.checkpoint },
          },
          canonicalizedBody: logged.body,
        }],
      },
      envelope: { statement: b64(payload), signature: b64(sig) },
    };
  }

  return { trustedRoot, attest };
}
