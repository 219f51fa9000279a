/**
 * PEP 740 attestation verification (stages/verify/attestation/).
 *
 * Real PEP 740 material is read in place from the shared folder
 * (../../shared/pep740, override with PEP740_DIR) and never copied; tests that
 * need it skip with a message when it is absent. Cases no real file covers
 * (validly signed statements with two subjects, a wrong predicate type, a log
 * entry naming another certificate) use a throw-away @sigstore/mock instance.
 *
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { Py2DistroError, type ErrorCode } from '../../../../src/lib/errors.ts';
import { comparableFilename } from '../../../../src/python/filenames.ts';
import { checkAttestations, unknownPublisherError } from '../../../../src/stages/verify/attestation/check.ts';
import { formatPublisherPin, identityToPin, matchPublisher, parsePublisherPin } from '../../../../src/stages/verify/attestation/publisher.ts';
import { parseProvenance, type Attestation } from '../../../../src/stages/verify/attestation/shape.ts';
import {
  PUBLIC_GOOD_TRUSTED_ROOT_SHA256, embeddedSeedsPath, loadTrustedRoot, loadTrustedRootFromSeeds, refreshedRootPath, type LoadedTrustedRoot,
} from '../../../../src/stages/verify/attestation/trusted-root.ts';
import { verifyAttestation, type AttestationResult } from '../../../../src/stages/verify/attestation/verify.ts';
import { createMockSigstore, type MockSigstore } from '../../../helpers/mock-sigstore.ts';
import { PEP740_DIR, pep740Skip } from '../../../helpers/pep740.ts';

const DIR = PEP740_DIR;
const skip = pep740Skip;

const GH_SDIST = 'pypi_attestations-0.0.19.tar.gz';
const GH_SHA = '9bb1add04b1b4e182be6b0b80931593f7a291eb49d69b4fd728a5d4cbcdc4bd3';
const GL_SDIST = 'gitlab_oidc_project-0.0.3.tar.gz';
const GCB_SDIST = 'gcb_attestation_test-0.0.0.tar.gz';
const GCB_SHA = '461317362419124b6012e855423a9078d6de8aed3e74fa78cc74d669b23dc6cf';
const WHEEL = 'rfc8785-0.1.2-py3-none-any.whl';

const read = (name: string): Buffer => readFileSync(path.join(DIR, name));
const readJson = (name: string): unknown => JSON.parse(read(name).toString('utf8'));
const clone = <T>(v: T): T => structuredClone(v);
const only = (atts: Attestation[]): Attestation => {
  assert.equal(atts.length, 1);
  return atts[0]!;
};

const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Assert `fn` throws a catalogue error with `code` (and optional Sigstore library detail). */
function assertCode(fn: () => unknown, code: ErrorCode, detail?: string): Py2DistroError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof Py2DistroError, `expected Py2DistroError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (detail !== undefined) assert.equal(err.details.detail, detail, err.message);
    assert.ok(err.hint && err.hint.length > 0, 'every error carries a hint');
    return err;
  }
  assert.fail(`expected ${code}, nothing was thrown`);
}

/** Flip one bit of a base64 field at byte offset `at`. */
function flipBase64(b64: string, at: number): string {
  const buf = Buffer.from(b64, 'base64');
  buf[at] = buf[at]! ^ 0x01;
  return buf.toString('base64');
}

/** What the trust policy does with one attestation and an optional pin (check.ts + the "required" refusal). */
function judge(att: Attestation, pin: string | undefined, root: LoadedTrustedRoot, filename = GH_SDIST, sha = GH_SHA) {
  const c = checkAttestations({ attestations: [att], filename, sha256: sha, project: 'pypi-attestations', pins: pin ? [parsePublisherPin(pin)] : [], trustedRoot: root });
  if (c.status === 'unpinned') throw unknownPublisherError(c, filename, 'pypi-attestations');
  return c;
}

describe('publisher pins', () => {
  test('parse/format round-trip', () => {
    for (const text of [
      'github:trailofbits/pypi-attestations:release.yml',
      'github:trailofbits/pypi-attestations',
      'gitlab:facutuesca/gitlab-oidc-project:.gitlab-ci.yml',
      'gitlab:group/sub.group/project:ci/release.yaml',
      'google:919436158236-compute@developer.gserviceaccount.com',
    ]) {
      assert.equal(formatPublisherPin(parsePublisherPin(text)), text);
    }
    assert.deepEqual(parsePublisherPin('github:o/r:release.yml'), { kind: 'github', repository: 'o/r', workflow: 'release.yml' });
    assert.deepEqual(parsePublisherPin('google:a@b.example'), { kind: 'google', email: 'a@b.example' });
  });

  test('strict grammar', () => {
    for (const bad of [
      '', 'trailofbits/pypi-attestations', 'github:', 'github:owner', 'github:o/r/x', 'github:o/r:', 'github:o/r:dir/release.yml',
      'github:o/r:release.txt', 'github:o/r:a.yml:b', 'github:-o/r', 'github:o/..', 'GitHub:o/r', 'gitlab:project',
      'gitlab:g/p:../x.yml', 'gitlab:g/p:/abs.yml', 'gitlab:g//p', 'google:', 'google:not-an-email', 'google:a@b', 'bitbucket:o/r',
      'github:o/r:release.yml ', ' github:o/r',
    ]) {
      assertCode(() => parsePublisherPin(bad), 'E_PUBLISHER_PIN');
    }
  });
});

describe('distribution filenames', () => {
  test('normalisation', () => {
    assert.equal(comparableFilename('Pypi.Attestations-0.0.19.tar.gz'), 'pypi_attestations-0.0.19.tar.gz');
    assert.equal(comparableFilename('pypi-attestations-0.0.19.tar.gz', 'pypi_attestations'), 'pypi_attestations-0.0.19.tar.gz');
    assert.equal(comparableFilename('pypi_attestations-0.0.19.tar.gz', 'other'), undefined, 'another project');
    assert.equal(comparableFilename('pkg-1.0RC1.tar.gz'), comparableFilename('pkg-1.0rc1.tar.gz'), 'PEP 440 normalised');
    assert.equal(comparableFilename('RFC8785-0.1.2-PY3-none-ANY.whl'), 'rfc8785-0.1.2-py3-none-any.whl');
    assert.equal(comparableFilename('pkg-1.0-1-py3-none-any.whl'), 'pkg-1.0-1-py3-none-any.whl');
    assert.notEqual(comparableFilename('pkg-1.0.tar.gz'), comparableFilename('pkg-1.0.0.tar.gz'));
    assert.notEqual(comparableFilename('pkg-1.0.tar.gz'), comparableFilename('pkg-1.0.zip'));
    for (const bad of ['pkg.tar.gz', 'pkg-1.0.tar.bz2', 'a/pkg-1.0.tar.gz', 'pkg-1.0-py3-none.whl', '-1.0.tar.gz']) {
      assert.equal(comparableFilename(bad), undefined, bad);
    }
  });
});

describe('parseProvenance shapes', { skip }, () => {
  test('provenance object and bare attestation', () => {
    const atts = parseProvenance(readJson(`${GH_SDIST}.provenance`));
    assert.equal(atts.length, 1);
    assert.deepEqual(atts[0]!.indexPublisher, { environment: null, kind: 'GitHub', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml' });
    const bare = parseProvenance(readJson(`${GL_SDIST}.publish.attestation`));
    assert.equal(bare.length, 1);
    assert.equal(bare[0]!.indexPublisher, undefined);
  });

  test('rejects malformed input', () => {
    const prov = readJson(`${GH_SDIST}.provenance`) as any;
    const bare = readJson(`${GL_SDIST}.publish.attestation`) as any;
    const cases: [string, unknown][] = [
      ['not an object', []],
      ['null', null],
      ['wrong provenance version', { ...clone(prov), version: 2 }],
      ['no bundles', { version: 1, attestation_bundles: [] }],
      ['bundle without publisher', { version: 1, attestation_bundles: [{ attestations: clone(prov.attestation_bundles[0].attestations) }] }],
      ['wrong attestation version', { ...clone(bare), version: 2 }],
      ['unknown key in signed material', { ...clone(bare), extra: 1 }],
      ['unknown verification_material key', (() => { const b = clone(bare); b.verification_material.chain = []; return b; })()],
      ['non-base64 certificate', (() => { const b = clone(bare); b.verification_material.certificate = 'not base64!'; return b; })()],
      ['no transparency entries', (() => { const b = clone(bare); b.verification_material.transparency_entries = []; return b; })()],
      ['entry without inclusion proof', (() => {
        const b = clone(bare); delete b.verification_material.transparency_entries[0].inclusionProof; return b;
      })()],
      ['bad int64', (() => { const b = clone(bare); b.verification_material.transparency_entries[0].logIndex = '-1'; return b; })()],
      ['missing envelope', (() => { const b = clone(bare); delete b.envelope; return b; })()],
    ];
    for (const [name, json] of cases) {
      const err = assertCode(() => parseProvenance(json, 'test.provenance'), 'E_ATTESTATION_INVALID');
      assert.match(err.message, /^test\.provenance: malformed PEP 740 provenance: \$/, name);
    }
  });
});

describe('trusted root', () => {
  test('default: @sigstore/tuf seeds.json, pinned digest', () => {
    const root = loadTrustedRoot();
    assert.equal(root.sha256, PUBLIC_GOOD_TRUSTED_ROOT_SHA256);
    if (!skip) assert.equal(sha256Hex(read('trusted_root.json')), root.sha256, 'embedded root is byte-identical to the shared copy');
  });

  test('fails closed when the embedded root changes', () => {
    const seeds = JSON.parse(readFileSync(embeddedSeedsPath(), 'utf8'));
    const mirror = seeds['https://tuf-repo-cdn.sigstore.dev'];
    const root = JSON.parse(Buffer.from(mirror.targets['trusted_root.json'], 'base64').toString('utf8'));
    root.tlogs = root.tlogs.slice(0, 1);
    mirror.targets['trusted_root.json'] = Buffer.from(JSON.stringify(root)).toString('base64');
    const tmp = path.join(mkdtempSync(path.join(tmpdir(), 'pep740-')), 'seeds.json');
    writeFileSync(tmp, JSON.stringify(seeds));
    const err = assertCode(() => loadTrustedRootFromSeeds(tmp, PUBLIC_GOOD_TRUSTED_ROOT_SHA256), 'E_TRUSTED_ROOT');
    assert.match(err.message, /expected pinned 6494e21e/);
  });

  test('override file', { skip }, () => {
    assert.equal(loadTrustedRoot(path.join(DIR, 'trusted_root.staging.json')).sha256, '81f5af777952d2c3955062ad56924c05ca916b5d49f3a0bce945faa475a8b1cc');
    assertCode(() => loadTrustedRoot(path.join(DIR, `${GH_SDIST}.provenance`)), 'E_TRUSTED_ROOT');
    assertCode(() => loadTrustedRoot(path.join(DIR, 'no-such-file.json')), 'E_TRUSTED_ROOT');
  });

  test('a root that `trust refresh` left in the cache is used instead of the shipped one; the flag still wins', { skip }, () => {
    const cache = mkdtempSync(path.join(tmpdir(), 'root-cache-'));
    assert.equal(loadTrustedRoot(undefined, cache).sha256, PUBLIC_GOOD_TRUSTED_ROOT_SHA256, 'nothing refreshed yet');
    mkdirSync(path.dirname(refreshedRootPath(cache)), { recursive: true });
    writeFileSync(refreshedRootPath(cache), read('trusted_root.staging.json'));
    assert.equal(loadTrustedRoot(undefined, cache).sha256, '81f5af777952d2c3955062ad56924c05ca916b5d49f3a0bce945faa475a8b1cc');
    assert.equal(loadTrustedRoot(path.join(DIR, 'trusted_root.json'), cache).sha256, PUBLIC_GOOD_TRUSTED_ROOT_SHA256);
  });
});

describe('real PEP 740 attestations', { skip }, () => {
  let prod: LoadedTrustedRoot;
  let staging: LoadedTrustedRoot;
  let gh: Attestation;
  let ghResult: AttestationResult;
  before(() => {
    prod = loadTrustedRoot();
    staging = loadTrustedRoot(path.join(DIR, 'trusted_root.staging.json'));
    gh = only(parseProvenance(readJson(`${GH_SDIST}.provenance`)));
    ghResult = verifyAttestation(gh, { filename: GH_SDIST, sha256: sha256Hex(read(GH_SDIST)), trustedRoot: prod });
  });

  test('GitHub provenance verifies and reports the certificate identity', () => {
    assert.equal(sha256Hex(read(GH_SDIST)), GH_SHA);
    assert.deepEqual(ghResult.subject, { name: GH_SDIST, sha256: GH_SHA });
    assert.equal(ghResult.predicateType, 'https://docs.pypi.org/attestations/publish/v1');
    assert.equal(ghResult.logIndex, 153454663);
    assert.equal(ghResult.integratedTime, Date.parse('2024-12-04T23:14:01Z') / 1000);
    assert.equal(ghResult.logId, Buffer.from('wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=', 'base64').toString('hex'));
    assert.equal(ghResult.tlogKind, 'dsse 0.0.1');
    assert.equal(ghResult.trustedRootDigest, PUBLIC_GOOD_TRUSTED_ROOT_SHA256);
    const id = ghResult.identity;
    assert.equal(id.issuer, 'https://token.actions.githubusercontent.com');
    assert.equal(id.san, 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19');
    assert.equal(id.sanType, 'uri');
    assert.equal(id.sourceRepositoryUri, 'https://github.com/trailofbits/pypi-attestations');
    assert.equal(id.buildConfigUri, 'https://github.com/trailofbits/pypi-attestations/.github/workflows/release.yml@refs/tags/v0.0.19');
    assert.equal(id.sourceRepositoryRef, 'refs/tags/v0.0.19');
    assert.equal(id.sourceRepositoryDigest, '08802efe1f8e5fec4ad842d6b8ce97656092ee72');
  });

  test('GitHub publisher matching is exact', () => {
    const id = ghResult.identity;
    assert.ok(matchPublisher(id, parsePublisherPin('github:trailofbits/pypi-attestations:release.yml')));
    assert.ok(matchPublisher(id, parsePublisherPin('github:trailofbits/pypi-attestations')));
    for (const pin of [
      'github:trailofbits/pypi-attestations:other.yml',
      'github:evil/pypi-attestations',
      'github:trailofbits/pypi-attestations-fork',
      'github:trailofbits/pypi',
      'github:TrailOfBits/pypi-attestations',
      'github:trailofbits/pypi-attestations:release.yaml',
      'github:trailofbits/pypi-attestations:lease.yml',
      'gitlab:trailofbits/pypi-attestations',
      'google:trailofbits@example.com',
    ]) {
      assert.equal(matchPublisher(id, parsePublisherPin(pin)), false, pin);
    }
    assert.equal(identityToPin(id), 'github:trailofbits/pypi-attestations:release.yml');
    const ok = judge(gh, 'github:trailofbits/pypi-attestations:release.yml', prod);
    assert.equal(ok.status, 'verified');
    assert.equal(ok.publisher, 'github:trailofbits/pypi-attestations:release.yml');
    assert.equal(ok.issuer, 'https://token.actions.githubusercontent.com');
    assert.equal(ok.trustedRootDigest, PUBLIC_GOOD_TRUSTED_ROOT_SHA256);
    const unknown = assertCode(() => judge(gh, undefined, prod), 'E_PUBLISHER_UNKNOWN');
    assert.match(unknown.hint!, /--trust-publisher pypi-attestations=github:trailofbits\/pypi-attestations:release\.yml$/);
    const mismatch = assertCode(() => judge(gh, 'github:trailofbits/pypi-attestations:other.yml', prod), 'E_PUBLISHER_MISMATCH');
    assert.match(mismatch.message, /Build Config URI/);
    assert.match(mismatch.message, /attested by github:trailofbits\/pypi-attestations:release\.yml/);
    // Every attestation of a provenance must verify: one good one does not carry a bad one.
    const bad = clone(gh);
    bad.envelope.signature = flipBase64(bad.envelope.signature, 10);
    assertCode(() => checkAttestations({ attestations: [gh, bad], filename: GH_SDIST, sha256: GH_SHA, project: 'pypi-attestations', pins: [], trustedRoot: prod }), 'E_ATTESTATION_INVALID');
  });

  test('GitLab bare attestation verifies and matches', () => {
    const att = only(parseProvenance(readJson(`${GL_SDIST}.publish.attestation`)));
    const r = verifyAttestation(att, { filename: GL_SDIST, sha256: sha256Hex(read(GL_SDIST)), trustedRoot: prod });
    assert.equal(r.logIndex, 149945774);
    assert.equal(r.identity.issuer, 'https://gitlab.com');
    assert.equal(r.identity.buildConfigUri, 'https://gitlab.com/facutuesca/gitlab-oidc-project//.gitlab-ci.yml@refs/heads/main');
    assert.ok(matchPublisher(r.identity, parsePublisherPin('gitlab:facutuesca/gitlab-oidc-project:.gitlab-ci.yml')));
    assert.ok(matchPublisher(r.identity, parsePublisherPin('gitlab:facutuesca/gitlab-oidc-project')));
    assert.equal(matchPublisher(r.identity, parsePublisherPin('gitlab:facutuesca/gitlab-oidc-project:other.yml')), false);
    assert.equal(matchPublisher(r.identity, parsePublisherPin('gitlab:facutuesca/gitlab-oidc')), false);
    assert.equal(matchPublisher(r.identity, parsePublisherPin('github:facutuesca/gitlab-oidc-project')), false);
    assert.equal(identityToPin(r.identity), 'gitlab:facutuesca/gitlab-oidc-project:.gitlab-ci.yml');
  });

  test('Google provenance verifies against the subject sha256 and matches the email', () => {
    const att = only(parseProvenance(readJson(`${GCB_SDIST}.provenance`)));
    const r = verifyAttestation(att, { filename: GCB_SDIST, sha256: GCB_SHA, trustedRoot: prod });
    assert.equal(r.logIndex, 200170367);
    assert.equal(r.identity.issuer, 'https://accounts.google.com');
    assert.equal(r.identity.sanType, 'email');
    assert.ok(matchPublisher(r.identity, parsePublisherPin('google:919436158236-compute@developer.gserviceaccount.com')));
    assert.equal(matchPublisher(r.identity, parsePublisherPin('google:919436158236-compute@developer.gserviceaccount.co')), false);
    assert.equal(matchPublisher(r.identity, parsePublisherPin('google:evil@developer.gserviceaccount.com')), false);
    assert.equal(identityToPin(r.identity), 'google:919436158236-compute@developer.gserviceaccount.com');
  });

  test('RFC 3161 timestamps (draft field) are verified; a personal identity cannot be pinned', () => {
    const att = only(parseProvenance(readJson(`${GH_SDIST}.publish.attestation.with_timestamp`)));
    const r = verifyAttestation(att, { filename: GH_SDIST, sha256: GH_SHA, trustedRoot: prod });
    assert.equal(r.logIndex, 598461431);
    assert.deepEqual(r.timestamps.map((t) => t.source), ['transparency-log', 'timestamp-authority']);
    assert.equal(r.identity.san, 'jku@goto.fi');
    assert.equal(r.identity.issuer, 'https://github.com/login/oauth');
    assert.equal(identityToPin(r.identity), undefined);
    const err = assertCode(() => judge(att, undefined, prod), 'E_PUBLISHER_UNKNOWN');
    assert.match(err.hint!, /not a Trusted Publisher/);
    // A tampered TSA token is rejected, not ignored.
    const bad = clone(att);
    bad.verificationMaterial.timestamps = [flipBase64(bad.verificationMaterial.timestamps[0]!, 200)];
    assertCode(() => verifyAttestation(bad, { filename: GH_SDIST, sha256: GH_SHA, trustedRoot: prod }), 'E_ATTESTATION_INVALID');
  });

  test('staging-signed wheel attestation is rejected with the production root', () => {
    const att = only(parseProvenance(readJson(`${WHEEL}.attestation`)));
    const sha256 = sha256Hex(read(WHEEL));
    const err = assertCode(() => verifyAttestation(att, { filename: WHEEL, sha256, trustedRoot: prod }), 'E_ATTESTATION_INVALID', 'CERTIFICATE_ERROR');
    assert.match(err.message, new RegExp(`^${WHEEL.replace(/\./g, '\\.')}: `));
    // ...and accepted with the staging root it was made with (control).
    assert.equal(verifyAttestation(att, { filename: WHEEL, sha256, trustedRoot: staging }).identity.san, 'william@yossarian.net');
  });

  test('Rekor v2 (dsse 0.0.2) entry: rejected with production root, accepted with staging root', () => {
    const att = only(parseProvenance(readJson(`${GH_SDIST}.publish.attestation.with_rekor2_timestamp`)));
    assertCode(() => verifyAttestation(att, { filename: GH_SDIST, sha256: GH_SHA, trustedRoot: prod }), 'E_ATTESTATION_INVALID');
    const r = verifyAttestation(att, { filename: GH_SDIST, sha256: GH_SHA, trustedRoot: staging });
    assert.equal(r.tlogKind, 'dsse 0.0.2');
    assert.equal(r.integratedTime, undefined);
    assert.deepEqual(r.timestamps.map((t) => t.source), ['timestamp-authority']);
    assert.equal(r.identity.san, 'jku@goto.fi');
    // Without its RFC 3161 timestamp a Rekor v2 entry has no signing time.
    const noTs = clone(att);
    noTs.verificationMaterial.timestamps = [];
    assertCode(() => verifyAttestation(noTs, { filename: GH_SDIST, sha256: GH_SHA, trustedRoot: staging }), 'E_ATTESTATION_INVALID', 'TIMESTAMP_ERROR');
  });

  test('tampered file (sha256 differs) is rejected', () => {
    const bytes = Buffer.from(read(GH_SDIST));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    const err = assertCode(() => verifyAttestation(gh, { filename: GH_SDIST, sha256: sha256Hex(bytes), trustedRoot: prod }), 'E_ATTESTATION_SUBJECT');
    assert.match(err.message, /sha256/);
  });

  test('attestation for another file is rejected', () => {
    assertCode(() => verifyAttestation(gh, { filename: 'pypi_attestations-0.0.20.tar.gz', sha256: GH_SHA, trustedRoot: prod }), 'E_ATTESTATION_SUBJECT');
    assertCode(() => verifyAttestation(gh, { filename: 'pypi_attestations-0.0.19-py3-none-any.whl', sha256: GH_SHA, trustedRoot: prod }), 'E_ATTESTATION_SUBJECT');
    assertCode(() => verifyAttestation(gh, { filename: 'other_project-0.0.19.tar.gz', sha256: GH_SHA, trustedRoot: prod }), 'E_ATTESTATION_SUBJECT');
    // Normalised forms of the same name are accepted.
    verifyAttestation(gh, { filename: 'Pypi-Attestations-0.0.19.tar.gz', sha256: GH_SHA.toUpperCase(), trustedRoot: prod });
  });

  test('relabelled provenance publisher does not change the identity', () => {
    const json = readJson(`${GH_SDIST}.provenance`) as any;
    json.attestation_bundles[0].publisher.repository = 'evil/pypi-attestations';
    json.attestation_bundles[0].publisher.workflow = 'evil.yml';
    const att = only(parseProvenance(json));
    assert.equal(att.indexPublisher?.repository, 'evil/pypi-attestations');
    const r = verifyAttestation(att, { filename: GH_SDIST, sha256: GH_SHA, trustedRoot: prod });
    assert.equal(r.identity.sourceRepositoryUri, 'https://github.com/trailofbits/pypi-attestations');
    assert.equal(matchPublisher(r.identity, parsePublisherPin('github:evil/pypi-attestations')), false);
    assert.equal(matchPublisher(r.identity, parsePublisherPin('github:evil/pypi-attestations:evil.yml')), false);
    assertCode(() => judge(att, 'github:evil/pypi-attestations', prod), 'E_PUBLISHER_MISMATCH');
    assert.ok(matchPublisher(r.identity, parsePublisherPin('github:trailofbits/pypi-attestations:release.yml')));
  });

  test('tampered DSSE signature is rejected', () => {
    const opts = { filename: GH_SDIST, sha256: GH_SHA, trustedRoot: prod };
    const flipped = clone(gh);
    flipped.envelope.signature = flipBase64(flipped.envelope.signature, 40);
    assertCode(() => verifyAttestation(flipped, opts), 'E_ATTESTATION_INVALID');
    // A well-formed signature by another key over the same statement.
    const other = only(parseProvenance(readJson(`${GH_SDIST}.publish.attestation.with_timestamp`)));
    const swapped = clone(gh);
    swapped.envelope.signature = other.envelope.signature;
    assertCode(() => verifyAttestation(swapped, opts), 'E_ATTESTATION_INVALID');
  });

  test('tampered statement is rejected', () => {
    const st = JSON.parse(Buffer.from(gh.envelope.statement, 'base64').toString('utf8'));
    st.subject.push({ name: 'evil-1.0.tar.gz', digest: { sha256: '0'.repeat(64) } });
    const att = clone(gh);
    att.envelope.statement = Buffer.from(JSON.stringify(st)).toString('base64');
    assertCode(() => verifyAttestation(att, { filename: GH_SDIST, sha256: GH_SHA, trustedRoot: prod }), 'E_ATTESTATION_INVALID');
  });

  test('tampered certificate is rejected', () => {
    const opts = { filename: GH_SDIST, sha256: GH_SHA, trustedRoot: prod };
    const cert = Buffer.from(gh.verificationMaterial.certificate, 'base64');
    // Flip a byte inside the SAN URI text (TBS), so the certificate still parses but the CA signature breaks.
    const at = cert.indexOf(Buffer.from('trailofbits/pypi-attestations/.github'));
    assert.ok(at > 0);
    const flipped = clone(gh);
    flipped.verificationMaterial.certificate = flipBase64(flipped.verificationMaterial.certificate, at);
    assertCode(() => verifyAttestation(flipped, opts), 'E_ATTESTATION_INVALID');
    // A genuine certificate of another publisher.
    const gl = only(parseProvenance(readJson(`${GL_SDIST}.publish.attestation`)));
    const swapped = clone(gh);
    swapped.verificationMaterial.certificate = gl.verificationMaterial.certificate;
    assertCode(() => verifyAttestation(swapped, opts), 'E_ATTESTATION_INVALID');
    // Garbage that is not a certificate.
    const garbage = clone(gh);
    garbage.verificationMaterial.certificate = Buffer.from('not a certificate').toString('base64');
    assertCode(() => verifyAttestation(garbage, opts), 'E_ATTESTATION_INVALID');
  });

  test('transparency log entry checks', () => {
    const opts = { filename: GH_SDIST, sha256: GH_SHA, trustedRoot: prod };
    // SET only (no inclusion proof): not a bundle v0.3 entry, rejected while parsing.
    const setOnly = clone(readJson(`${GH_SDIST}.provenance`)) as any;
    delete setOnly.attestation_bundles[0].attestations[0].verification_material.transparency_entries[0].inclusionProof;
    assertCode(() => parseProvenance(setOnly), 'E_ATTESTATION_INVALID', 'SHAPE');
    // A broken inclusion proof is rejected even though the SET is fine.
    const badProof = clone(gh);
    badProof.verificationMaterial.transparencyEntries[0]!.inclusionProof.hashes[0] = Buffer.alloc(32).toString('base64');
    assertCode(() => verifyAttestation(badProof, opts), 'E_ATTESTATION_INVALID', 'TLOG_INCLUSION_PROOF_ERROR');
    // Proof only: integratedTime is not signed, so there is no trusted signing time.
    const proofOnly = clone(gh);
    delete proofOnly.verificationMaterial.transparencyEntries[0]!.inclusionPromise;
    assertCode(() => verifyAttestation(proofOnly, opts), 'E_ATTESTATION_INVALID', 'TIMESTAMP_ERROR');
    // Forged integrated time breaks the SET.
    const moved = clone(gh);
    moved.verificationMaterial.transparencyEntries[0]!.integratedTime = '1733354042';
    assertCode(() => verifyAttestation(moved, opts), 'E_ATTESTATION_INVALID');
    // A log entry of another attestation (same statement, other signer).
    const other = only(parseProvenance(readJson(`${GH_SDIST}.publish.attestation.with_timestamp`)));
    const swapped = clone(gh);
    swapped.verificationMaterial.transparencyEntries = clone(other.verificationMaterial.transparencyEntries);
    assertCode(() => verifyAttestation(swapped, opts), 'E_ATTESTATION_INVALID');
  });
});

describe('statement policy (validly signed by a mock Sigstore)', () => {
  let mock: MockSigstore;
  const FILE = 'widget-1.0.tar.gz';
  const SHA = 'ab'.repeat(32);
  const statement = (over: Record<string, unknown> = {}) => ({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: FILE, digest: { sha256: SHA } }],
    predicateType: 'https://docs.pypi.org/attestations/publish/v1',
    predicate: null,
    ...over,
  });
  const verifyMock = async (st: unknown, opts?: Parameters<MockSigstore['attest']>[1]) => {
    const att = only(parseProvenance(await mock.attest(st, opts)));
    return () => verifyAttestation(att, { filename: FILE, sha256: SHA, trustedRoot: mock.trustedRoot });
  };
  before(async () => {
    mock = await createMockSigstore();
  });

  test('control: a well-formed mock attestation verifies and matches', async () => {
    const r = (await verifyMock(statement()))();
    assert.ok(matchPublisher(r.identity, parsePublisherPin('github:acme/widget:release.yml')));
    assert.equal(identityToPin(r.identity), 'github:acme/widget:release.yml');
    // ...and is rejected by the real production root.
    if (!skip) {
      const att = only(parseProvenance(await mock.attest(statement())));
      assertCode(() => verifyAttestation(att, { filename: FILE, sha256: SHA, trustedRoot: loadTrustedRoot() }), 'E_ATTESTATION_INVALID');
    }
  });

  test('SLSA provenance v1 predicate is accepted', async () => {
    assert.equal((await verifyMock(statement({ predicateType: 'https://slsa.dev/provenance/v1', predicate: {} })))().predicateType, 'https://slsa.dev/provenance/v1');
  });

  test('two subjects are rejected', async () => {
    const two = statement({ subject: [{ name: FILE, digest: { sha256: SHA } }, { name: 'other-1.0.tar.gz', digest: { sha256: SHA } }] });
    const err = assertCode(await verifyMock(two), 'E_ATTESTATION_SUBJECT');
    assert.match(err.message, /2 subjects/);
    assertCode(await verifyMock(statement({ subject: [] })), 'E_ATTESTATION_SUBJECT');
  });

  test('wrong predicate type or statement type is rejected', async () => {
    assertCode(await verifyMock(statement({ predicateType: 'https://slsa.dev/provenance/v0.2' })), 'E_ATTESTATION_SUBJECT');
    assertCode(await verifyMock(statement({ predicateType: 'https://docs.pypi.org/attestations/publish/v2' })), 'E_ATTESTATION_SUBJECT');
    assertCode(await verifyMock(statement({ _type: 'https://in-toto.io/Statement/v0.1' })), 'E_ATTESTATION_SUBJECT');
  });

  test('subject digest must be lowercase hex sha256', async () => {
    assertCode(await verifyMock(statement({ subject: [{ name: FILE, digest: { sha512: SHA } }] })), 'E_ATTESTATION_SUBJECT');
    assertCode(await verifyMock(statement({ subject: [{ name: FILE, digest: { sha256: SHA.toUpperCase() } }] })), 'E_ATTESTATION_SUBJECT');
  });

  test('a log entry naming a different certificate is rejected', async () => {
    assertCode(await verifyMock(statement(), { logVerifierCert: 'other' }), 'E_ATTESTATION_INVALID', 'TLOG_BODY_ERROR');
  });
});
