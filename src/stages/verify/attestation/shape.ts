/**
 * Strict parsing of PEP 740 JSON as PyPI serves it (untrusted input).
 *
 * Two shapes are accepted (PEP 740 "Provenance objects" / "Attestation objects"):
 *   - the Integrity API provenance: {version: 1, attestation_bundles: [{publisher, attestations: [...]}]}
 *   - a single bare attestation:   {version: 1, verification_material: {...}, envelope: {...}}
 *
 * Signed material (attestations, verification material, envelope, log
 * entries) rejects unknown keys: a field this code does not understand could
 * change what the signature means, so fail closed. The provenance wrapper and
 * `publisher` are unsigned index metadata: extra keys there are tolerated, and
 * `publisher` is kept only as `indexPublisher`, for diagnostics, never trust.
 *
 * Transparency entries are the protobuf-JSON form of Sigstore's
 * `dev.sigstore.rekor.v1.TransparencyLogEntry` (camelCase keys, int64 as
 * strings, bytes as base64), as PEP 740 specifies.
 */
import { Py2DistroError } from '../../../lib/errors.js';

export interface InclusionProofJSON {
  logIndex: string;
  rootHash: string;
  treeSize: string;
  hashes: string[];
  checkpoint: { envelope: string };
}

export interface TransparencyEntryJSON {
  logIndex: string;
  logId: { keyId: string };
  kindVersion: { kind: string; version: string };
  integratedTime: string;
  inclusionPromise?: { signedEntryTimestamp: string };
  inclusionProof: InclusionProofJSON;
  canonicalizedBody: string;
}

/** A shape-checked PEP 740 attestation. Byte fields are still base64 text. */
export interface Attestation {
  version: 1;
  verificationMaterial: {
    /** base64 DER of the Fulcio leaf certificate. */
    certificate: string;
    transparencyEntries: TransparencyEntryJSON[];
    /** base64 RFC 3161 timestamp responses (draft field `timestamps`). */
    timestamps: string[];
  };
  envelope: {
    /** base64 of the exact in-toto statement bytes (the DSSE payload). */
    statement: string;
    /** base64 DSSE signature over PAE(payloadType, statement). */
    signature: string;
  };
  /** UNSIGNED publisher the index attached to the bundle. Never use it for trust decisions. */
  indexPublisher?: Readonly<Record<string, unknown>>;
}

export const LIMITS = {
  attestations: 32,
  transparencyEntries: 8,
  timestamps: 8,
  inclusionHashes: 64,
  base64Chars: 1 << 20,
} as const;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const INT64 = /^(?:0|[1-9][0-9]{0,18})$/;

type Obj = Record<string, unknown>;

class ShapeError extends Error {}

function fail(path: string, why: string): never {
  throw new ShapeError(`${path}: ${why}`);
}

function obj(v: unknown, path: string, allowed?: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'expected an object');
  if (allowed) {
    for (const k of Object.keys(v)) if (!allowed.includes(k)) fail(path, `unexpected key ${JSON.stringify(k)}`);
  }
  return v as Obj;
}

function arr(v: unknown, path: string, max: number, min = 0): unknown[] {
  if (!Array.isArray(v)) fail(path, 'expected an array');
  if (v.length < min) fail(path, `expected at least ${min} item(s)`);
  if (v.length > max) fail(path, `more than ${max} items`);
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') fail(path, 'expected a string');
  return v;
}

function b64(v: unknown, path: string): string {
  const s = str(v, path);
  if (s.length === 0 || s.length > LIMITS.base64Chars || !BASE64.test(s)) fail(path, 'expected non-empty standard base64');
  return s;
}

/** protobuf-JSON int64: a decimal string (or a non-negative safe integer, which proto3 JSON also allows). */
function int64(v: unknown, path: string): string {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  if (typeof v === 'string' && INT64.test(v)) return v;
  fail(path, 'expected a non-negative int64 (decimal string)');
}

function parseInclusionProof(v: unknown, path: string): InclusionProofJSON {
  const o = obj(v, path, ['logIndex', 'rootHash', 'treeSize', 'hashes', 'checkpoint']);
  const cp = obj(o.checkpoint, `${path}.checkpoint`, ['envelope']);
  return {
    logIndex: int64(o.logIndex, `${path}.logIndex`),
    rootHash: b64(o.rootHash, `${path}.rootHash`),
    treeSize: int64(o.treeSize, `${path}.treeSize`),
    hashes: arr(o.hashes ?? [], `${path}.hashes`, LIMITS.inclusionHashes).map((h, i) => b64(h, `${path}.hashes[${i}]`)),
    checkpoint: { envelope: str(cp.envelope, `${path}.checkpoint.envelope`) },
  };
}

function parseTransparencyEntry(v: unknown, path: string): TransparencyEntryJSON {
  const o = obj(v, path, [
    'logIndex', 'logId', 'kindVersion', 'integratedTime', 'inclusionPromise', 'inclusionProof', 'canonicalizedBody',
  ]);
  const logId = obj(o.logId, `${path}.logId`, ['keyId']);
  const kv = obj(o.kindVersion, `${path}.kindVersion`, ['kind', 'version']);
  // Sigstore bundle v0.2+ (and so PEP 740, which mirrors bundle v0.3) requires an inclusion proof;
  // the SET (inclusionPromise) is optional and, when present, is what signs a Rekor v1 integratedTime.
  if (o.inclusionProof === undefined) fail(path, 'needs an inclusionProof');
  const entry: TransparencyEntryJSON = {
    logIndex: int64(o.logIndex, `${path}.logIndex`),
    logId: { keyId: b64(logId.keyId, `${path}.logId.keyId`) },
    kindVersion: { kind: str(kv.kind, `${path}.kindVersion.kind`), version: str(kv.version, `${path}.kindVersion.version`) },
    integratedTime: int64(o.integratedTime ?? '0', `${path}.integratedTime`),
    inclusionProof: parseInclusionProof(o.inclusionProof, `${path}.inclusionProof`),
    canonicalizedBody: b64(o.canonicalizedBody, `${path}.canonicalizedBody`),
  };
  if (o.inclusionPromise !== undefined) {
    const p = obj(o.inclusionPromise, `${path}.inclusionPromise`, ['signedEntryTimestamp']);
    entry.inclusionPromise = { signedEntryTimestamp: b64(p.signedEntryTimestamp, `${path}.inclusionPromise.signedEntryTimestamp`) };
  }
  return entry;
}

function parseAttestationObject(v: unknown, path: string, indexPublisher?: Obj): Attestation {
  const o = obj(v, path, ['version', 'verification_material', 'envelope']);
  if (o.version !== 1) fail(`${path}.version`, 'expected 1');
  const vm = obj(o.verification_material, `${path}.verification_material`, ['certificate', 'transparency_entries', 'timestamps']);
  const env = obj(o.envelope, `${path}.envelope`, ['statement', 'signature']);
  const vmPath = `${path}.verification_material`;
  const att: Attestation = {
    version: 1,
    verificationMaterial: {
      certificate: b64(vm.certificate, `${vmPath}.certificate`),
      transparencyEntries: arr(vm.transparency_entries, `${vmPath}.transparency_entries`, LIMITS.transparencyEntries, 1).map((e, i) =>
        parseTransparencyEntry(e, `${vmPath}.transparency_entries[${i}]`),
      ),
      timestamps: arr(vm.timestamps ?? [], `${vmPath}.timestamps`, LIMITS.timestamps).map((t, i) => b64(t, `${vmPath}.timestamps[${i}]`)),
    },
    envelope: {
      statement: b64(env.statement, `${path}.envelope.statement`),
      signature: b64(env.signature, `${path}.envelope.signature`),
    },
  };
  if (indexPublisher) att.indexPublisher = Object.freeze({ ...indexPublisher });
  return att;
}

function parseAny(json: unknown): Attestation[] {
  const top = obj(json, '$');
  if (!('attestation_bundles' in top)) return [parseAttestationObject(top, '$')];
  if (top.version !== 1) fail('$.version', 'expected 1');
  const out: Attestation[] = [];
  arr(top.attestation_bundles, '$.attestation_bundles', LIMITS.attestations, 1).forEach((b, i) => {
    const path = `$.attestation_bundles[${i}]`;
    const bundle = obj(b, path);
    const publisher = obj(bundle.publisher, `${path}.publisher`);
    str(publisher.kind, `${path}.publisher.kind`);
    arr(bundle.attestations, `${path}.attestations`, LIMITS.attestations, 1).forEach((a, j) => {
      out.push(parseAttestationObject(a, `${path}.attestations[${j}]`, publisher));
    });
  });
  if (out.length > LIMITS.attestations) fail('$', `more than ${LIMITS.attestations} attestations`);
  return out;
}

/**
 * Accept a provenance object or a bare attestation and return its attestations.
 * @param source name used in error messages (e.g. the provenance file or URL)
 */
export function parseProvenance(json: unknown, source = 'provenance'): Attestation[] {
  try {
    return parseAny(json);
  } catch (err) {
    if (!(err instanceof ShapeError)) throw err;
    throw new Py2DistroError('E_ATTESTATION_INVALID', `${source}: malformed PEP 740 provenance: ${err.message}`, {
      hint: 'the index served provenance that is not a PEP 740 provenance or attestation object; re-download it, or report it to the index',
      cause: err,
      details: { file: source, detail: 'SHAPE' },
    });
  }
}
