/**
 * PEP 740 through the real CLI, as a new user meets it: the real pypi_attestations sdist and its
 * real provenance (from ../shared/pep740, read in place), served by a local index the way PyPI
 * serves them (JSON api-version 1.3 and HTML, the Integrity API). Every refusal exits 3 naming the
 * file, the identity and the fix; the trust lock records on first use and refuses a change.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../../helpers/cli.ts';
import { startIndexServer, type IndexFile, type IndexServer } from '../../../helpers/index-server.ts';
import { PEP740_DIR, pep740Skip as skip } from '../../../helpers/pep740.ts';

const SDIST = 'pypi_attestations-0.0.19.tar.gz';
const PROJECT = 'pypi-attestations';
const PIN = 'github:trailofbits/pypi-attestations:release.yml';
const ROOT_SHA = '6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66';

let dir: string;
let content: Buffer;
let provenance: string;
const servers: IndexServer[] = [];

/** A provenance object holding one bare attestation, labelled (unsigned) as the real publisher. */
async function relabelled(attestationFile: string): Promise<string> {
  const att = JSON.parse(await readFile(path.join(PEP740_DIR, attestationFile), 'utf8'));
  const publisher = { kind: 'GitHub', repository: 'trailofbits/pypi-attestations', workflow: 'release.yml', environment: null };
  return JSON.stringify({ version: 1, attestation_bundles: [{ publisher, attestations: [att] }] });
}

before(async () => {
  if (skip) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'attest-fetch-'));
  content = await readFile(path.join(PEP740_DIR, SDIST));
  provenance = await readFile(path.join(PEP740_DIR, `${SDIST}.provenance`), 'utf8');
});

after(async () => {
  for (const s of servers) await s.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function serve(file: Partial<IndexFile>, mode: 'json' | 'html' = 'json'): Promise<IndexServer> {
  const index = await startIndexServer({ mode });
  servers.push(index);
  index.addFile(PROJECT, { filename: SDIST, content, ...file });
  return index;
}

async function fetch(index: IndexServer, extra: string[], name: string, cacheName = name) {
  const out = path.join(dir, name, 'out');
  const cache = path.join(dir, cacheName, 'cache');
  const r = await runCli(['fetch', PROJECT, '--index-url', index.url, '--cache-dir', cache, '--out', out, ...extra], { env: { NETRC: '/nonexistent' } });
  return { ...r, out, cache, outFiles: existsSync(out) ? readdirSync(out) : [] };
}

function assertRefused(r: Awaited<ReturnType<typeof fetch>>, code: string, ...mentions: string[]) {
  assert.equal(r.exitCode, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`\\[${code}\\]`));
  for (const m of mentions) assert.ok(r.stderr.includes(m), `expected ${JSON.stringify(m)} in:\n${r.stderr}`);
  assert.deepEqual(r.outFiles, [], 'nothing may be left in --out');
}

describe('fetch: PEP 740 attestations served like PyPI', { skip }, () => {
  test('the real sdist with its real provenance and the pinned publisher: exit 0, identity printed and recorded (JSON and HTML)', async () => {
    for (const mode of ['json', 'html'] as const) {
      const index = await serve({ provenance }, mode);
      const r = await fetch(index, ['--trust-publisher', `${PROJECT}=${PIN}`], `ok-${mode}`);
      assert.equal(r.exitCode, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`attested by ${PIN}`));
      assert.ok(index.requests.some((p) => p.startsWith('/integrity/pypi-attestations/0.0.19/')), 'provenance fetched from the Integrity API');
      const rec = JSON.parse(await readFile(path.join(r.out, `${SDIST}.provenance.json`), 'utf8'));
      assert.equal(rec.trusted, true);
      assert.equal(rec.signature.policy, 'required', 'a pin makes the project required');
      assert.equal(rec.attestation.status, 'verified');
      assert.equal(rec.attestation.publisher, PIN);
      assert.equal(rec.attestation.issuer, 'https://token.actions.githubusercontent.com');
      assert.equal(rec.attestation.logIndex, 153454663);
      assert.equal(rec.attestation.integratedTime, '2024-12-04T23:14:01.000Z');
      assert.equal(rec.attestation.trustedRootDigest, ROOT_SHA);
      // Kept beside the sdist in the content-addressed cache…
      const sha = rec.sha256 as string;
      const cached = path.join(r.cache, 'sha256', sha.slice(0, 2), sha, `${SDIST}.provenance`);
      assert.equal(await readFile(cached, 'utf8'), provenance);
    }
    // …so a rebuild verifies from the cache even when the index no longer lists it.
    const again = await fetch(await serve({ provenance, unlistedProvenance: true }), ['--trust-publisher', `${PROJECT}=${PIN}`, '--json'], 'ok-again', 'ok-json');
    assert.equal(again.exitCode, 0, again.stderr);
    assert.equal(JSON.parse(again.stdout).files[0].provenance.attestation.publisher, PIN);
  });

  test('wrong workflow, wrong repository: exit 3 naming the file, the certificate identity and the fix', async () => {
    const index = await serve({ provenance });
    for (const [pin, name] of [['github:trailofbits/pypi-attestations:other.yml', 'wf'], ['github:evil/pypi-attestations:release.yml', 'repo']]) {
      const r = await fetch(index, ['--trust-publisher', `${PROJECT}=${pin}`], `wrong-${name}`);
      assertRefused(r, 'E_PUBLISHER_MISMATCH', SDIST, `attested by ${PIN}`, pin, `--trust-publisher ${PROJECT}=${PIN}`);
    }
  });

  test('a modified sdist whose index hash was recomputed: exit 3 (the attestation is for other bytes)', async () => {
    const modified = Buffer.from(content);
    modified[modified.length - 100] ^= 0xff;
    const r = await fetch(await serve({ content: modified, provenance }), ['--trust-publisher', `${PROJECT}=${PIN}`], 'modified');
    assertRefused(r, 'E_ATTESTATION_SUBJECT', SDIST, 'sha256');
  });

  test('another valid attestation relabelled as the pinned publisher: exit 3 (identity comes from the certificate)', async () => {
    const r = await fetch(await serve({ provenance: await relabelled(`${SDIST}.publish.attestation.with_timestamp`) }), ['--trust-publisher', `${PROJECT}=${PIN}`], 'relabelled');
    assertRefused(r, 'E_PUBLISHER_MISMATCH', SDIST, 'jku@goto.fi', PIN);
  });

  test('a staging-signed attestation: exit 3 against the production root', async () => {
    const r = await fetch(await serve({ provenance: await relabelled(`${SDIST}.publish.attestation.with_rekor2_timestamp`) }), ['--trust-publisher', `${PROJECT}=${PIN}`], 'staging');
    assertRefused(r, 'E_ATTESTATION_INVALID', SDIST, 'staging');
  });

  test('the index drops the provenance of a pinned project (unlisted, or listed and 404): exit 3', async () => {
    for (const [file, name] of [[{ provenance, unlistedProvenance: true }, 'dropped'], [{ provenanceMissing: true }, 'missing']] as const) {
      const r = await fetch(await serve(file), ['--trust-publisher', `${PROJECT}=${PIN}`], name);
      assertRefused(r, 'E_ATTESTATION_MISSING', SDIST, PIN, 'no attestation');
    }
  });

  test('not pinned: a warning with the exact flag under if-present; exit 3 with that flag under required', async () => {
    const index = await serve({ provenance });
    const r = await fetch(index, [], 'unpinned');
    assert.equal(r.exitCode, 0, r.stderr);
    assert.ok(r.stderr.includes(`--trust-publisher ${PROJECT}=${PIN}`), r.stderr);
    assert.match(r.stdout, /attested by .* \(publisher not pinned\)/);
    const req = await fetch(index, ['--signature-policy', 'required'], 'unpinned-required');
    assertRefused(req, 'E_PUBLISHER_UNKNOWN', SDIST, `--trust-publisher ${PROJECT}=${PIN}`);
  });

  test('a malformed pin is a usage error (exit 2)', async () => {
    const r = await fetch(await serve({ provenance }), ['--trust-publisher', `${PROJECT}=github:nope`], 'badpin');
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /E_PUBLISHER_PIN/);
  });
});

describe('trust lock: trust on first use', { skip }, () => {
  test('records the publisher on first use; refuses a changed identity and a vanished attestation until `trust accept`', async () => {
    const lock = path.join(dir, 'lock', 'py2distro-trust.lock.json');
    const first = await fetch(await serve({ provenance }), ['--trust-lock', lock], 'lock-1');
    assert.equal(first.exitCode, 0, first.stderr);
    const recorded = JSON.parse(await readFile(lock, 'utf8'));
    assert.deepEqual(recorded, { projects: { [PROJECT]: { publisher: PIN, recordedFrom: SDIST } }, schema: 1 });
    const text = await readFile(lock, 'utf8');
    assert.equal(text, `${JSON.stringify(recorded, null, 2)}\n`, 'deterministic JSON, keys sorted');

    const again = await fetch(await serve({ provenance }), ['--trust-lock', lock], 'lock-2');
    assert.equal(again.exitCode, 0, again.stderr);
    assert.equal(await readFile(lock, 'utf8'), text, 'unchanged');

    const changed = await fetch(await serve({ provenance: await relabelled(`${SDIST}.publish.attestation.with_timestamp`) }), ['--trust-lock', lock], 'lock-changed');
    assertRefused(changed, 'E_TRUST_LOCK_CHANGED', SDIST, PIN, 'jku@goto.fi', `py2distro trust accept ${PROJECT}`);

    const vanished = await fetch(await serve({}), ['--trust-lock', lock], 'lock-vanished');
    assertRefused(vanished, 'E_TRUST_LOCK_CHANGED', SDIST, PIN, 'unsigned, no attestation');
    // Even under --signature-policy off, a locked project is checked.
    assertRefused(await fetch(await serve({}), ['--trust-lock', lock, '--signature-policy', 'off'], 'lock-off'), 'E_TRUST_LOCK_CHANGED', SDIST);

    const accept = await runCli(['trust', 'accept', PROJECT, '--trust-lock', lock]);
    assert.equal(accept.exitCode, 0, accept.stderr);
    assert.match(accept.stdout, new RegExp(`forgot ${PIN}`));
    const after = await fetch(await serve({ provenance: await relabelled(`${SDIST}.publish.attestation.with_timestamp`) }), ['--trust-lock', lock], 'lock-after');
    assert.equal(after.exitCode, 0, after.stderr);
    assert.match(JSON.parse(await readFile(lock, 'utf8')).projects[PROJECT].publisher, /jku@goto\.fi/);
  });

  test('a lock that is not a py2distro trust lock is a configuration error (exit 2)', async () => {
    const bad = path.join(dir, 'bad-lock.json');
    await (await import('node:fs/promises')).writeFile(bad, '{"projects": []}');
    const r = await fetch(await serve({ provenance }), ['--trust-lock', bad], 'lock-bad');
    assert.equal(r.exitCode, 2, r.stderr);
    assert.match(r.stderr, /E_TRUST_LOCK/);
  });
});

describe('verify --provenance: a local file against a bare attestation', { skip }, () => {
  const GL = 'gitlab_oidc_project-0.0.3.tar.gz';
  test('a GitLab publisher verifies from a bare attestation file; a wrong CI file is refused', async () => {
    const file = path.join(PEP740_DIR, GL);
    const att = path.join(PEP740_DIR, `${GL}.publish.attestation`);
    const ok = await runCli(['verify', file, '--provenance', att, '--trust-publisher', 'gitlab-oidc-project=gitlab:facutuesca/gitlab-oidc-project:.gitlab-ci.yml']);
    assert.equal(ok.exitCode, 0, ok.stderr);
    assert.match(ok.stdout, /attested by gitlab:facutuesca\/gitlab-oidc-project:\.gitlab-ci\.yml \(issuer https:\/\/gitlab\.com, log index 149945774\)/);
    const wrong = await runCli(['verify', file, '--provenance', att, '--trust-publisher', 'gitlab-oidc-project=gitlab:facutuesca/gitlab-oidc-project:release.yml']);
    assert.equal(wrong.exitCode, 3, wrong.stderr);
    assert.match(wrong.stderr, /E_PUBLISHER_MISMATCH/);
    assert.ok(wrong.stderr.includes(GL));
    // The attestation of one file does not vouch for another.
    const other = await runCli(['verify', path.join(PEP740_DIR, SDIST), '--name', 'gitlab-oidc-project', '--provenance', att]);
    assert.equal(other.exitCode, 3, other.stderr);
    assert.match(other.stderr, /E_ATTESTATION_SUBJECT/);
  });

  test('the staging-signed wheel attestation is refused; accepted only with the staging root passed explicitly', async () => {
    const whl = path.join(PEP740_DIR, 'rfc8785-0.1.2-py3-none-any.whl');
    const att = `${whl}.attestation`;
    const r = await runCli(['verify', whl, '--name', 'rfc8785', '--provenance', att]);
    assert.equal(r.exitCode, 3, r.stderr);
    assert.match(r.stderr, /E_ATTESTATION_INVALID/);
    const staging = await runCli(['verify', whl, '--name', 'rfc8785', '--provenance', att, '--signature-policy', 'if-present', '--sigstore-trusted-root', path.join(PEP740_DIR, 'trusted_root.staging.json')]);
    assert.equal(staging.exitCode, 0, staging.stderr);
    assert.match(staging.stdout, /publisher not pinned/);
  });
});
