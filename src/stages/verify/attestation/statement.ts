/**
 * Check the signed in-toto statement against the file being verified.
 *
 * PEP 740 "Attestation statement and signature formats": the DSSE payload is
 * an in-toto Statement v1 with exactly ONE subject, whose `name` is the
 * distribution's filename and whose `digest.sha256` is the file's SHA-256.
 * Predicate types PyPI accepts: PyPI Publish v1 and SLSA Provenance v1.
 *
 * These bytes must be the DSSE payload that the signature covers; callers pass
 * the decoded `envelope.statement`, never a re-serialised copy.
 */
import { Py2DistroError } from '../../../lib/errors.js';
import { comparableFilename } from '../../../python/filenames.js';

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPES = [
  'https://docs.pypi.org/attestations/publish/v1',
  'https://slsa.dev/provenance/v1',
] as const;
export type PredicateType = (typeof PREDICATE_TYPES)[number];

export interface StatementSubject {
  name: string;
  sha256: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function subjectError(filename: string, why: string, hint: string): Py2DistroError {
  return new Py2DistroError('E_ATTESTATION_SUBJECT', `${filename}: attestation does not describe this file: ${why}`, { hint });
}

/** Validates a caller-supplied sha256 and returns it lowercased. */
export function normalizeSha256(sha256: string): string {
  const lower = sha256.toLowerCase();
  if (!SHA256_HEX.test(lower)) throw new TypeError(`not a hex SHA-256 digest: ${JSON.stringify(sha256)}`);
  return lower;
}

export function checkStatement(
  payload: Uint8Array,
  expected: { filename: string; sha256: string; project?: string },
): { predicateType: PredicateType; subject: StatementSubject } {
  const { filename } = expected;
  const sha256 = normalizeSha256(expected.sha256);
  let st: unknown;
  try {
    st = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (cause) {
    throw new Py2DistroError('E_ATTESTATION_INVALID', `${filename}: attestation statement is not UTF-8 JSON`, {
      cause,
      hint: 'the attestation is corrupt; re-download it',
    });
  }
  if (typeof st !== 'object' || st === null || Array.isArray(st)) {
    throw new Py2DistroError('E_ATTESTATION_INVALID', `${filename}: attestation statement is not a JSON object`);
  }
  const s = st as Record<string, unknown>;
  if (s._type !== IN_TOTO_STATEMENT_V1) {
    throw subjectError(filename, `statement _type is ${JSON.stringify(s._type)}, expected ${IN_TOTO_STATEMENT_V1}`,
      'only in-toto Statement v1 attestations are accepted (PEP 740)');
  }
  if (typeof s.predicateType !== 'string' || !(PREDICATE_TYPES as readonly string[]).includes(s.predicateType)) {
    throw subjectError(filename, `predicateType ${JSON.stringify(s.predicateType)} is not one of ${PREDICATE_TYPES.join(', ')}`,
      'only PyPI publish/v1 and SLSA provenance/v1 attestations are accepted');
  }
  const predicateType = s.predicateType as PredicateType;
  if (!Array.isArray(s.subject) || s.subject.length !== 1) {
    const n = Array.isArray(s.subject) ? s.subject.length : 'no';
    throw subjectError(filename, `statement has ${n} subjects, PEP 740 requires exactly one`,
      'an attestation for several files cannot be used; ask the publisher for per-file attestations');
  }
  const sub = s.subject[0] as unknown;
  const name = (sub as { name?: unknown } | null)?.name;
  const digest = (sub as { digest?: unknown } | null)?.digest;
  const subSha = (digest as { sha256?: unknown } | null)?.sha256;
  if (typeof name !== 'string' || typeof subSha !== 'string' || !SHA256_HEX.test(subSha)) {
    throw subjectError(filename, 'subject lacks a name or a lowercase hex sha256 digest', 'the attestation is malformed');
  }
  const ours = comparableFilename(filename, expected.project);
  const theirs = comparableFilename(name, expected.project);
  if (!ours) {
    throw subjectError(filename, 'not a valid sdist (.tar.gz) or wheel (.whl) filename', 'check the file name');
  }
  if (!theirs || theirs !== ours) {
    throw subjectError(filename, `attestation subject is ${JSON.stringify(name)}`,
      'the provenance belongs to another file; make sure the provenance was fetched for this exact filename');
  }
  if (subSha !== sha256) {
    throw subjectError(filename, `file sha256 is ${sha256} but the attestation is for ${subSha}`,
      'the file was modified or is not the one that was published; re-download it from the index');
  }
  return { predicateType, subject: { name, sha256: subSha } };
}
