/**
 * The closure's view of the index: resolve → fetch → verify (src/fetch.ts) → inspect
 * (src/inspect/metadata.ts), for one target's Python. Each (requirement, target Python) is resolved
 * once per run, and each verified sdist inspected once, however many packages ask for it.
 *
 * With a {@link SealedStore} (sync), what inspect found is kept under the sdist's sha256 and
 * py2distro's version, so an unchanged sdist is not extracted again; its tree is extracted only if
 * render needs it. With kept trust verdicts (fetch's `verdicts`), a cached sdist whose verdict is
 * known for exactly this run's inputs is not re-hashed either: `verified()` fetches it again
 * without the verdict — hashed and verified for real — before anything reads its bytes (the tree,
 * the provenance shipped in a package).
 *
 * `prefetch` lets the closure ask ahead (up to {@link PREFETCH_CONCURRENCY} at a time, on kept-alive
 * connections) what its sequential walk will ask next: the walk, its order, its decisions and its
 * errors stay those of one request after another; only the waiting overlaps.
 */
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { StageEnv } from '../../lib/env.js';
import type { SealedStore } from '../../lib/fs/sealed-store.js';
import { VERSION } from '../../lib/version.js';
import type { SdistMetadata } from '../../python/metadata.js';
import { Py2DistroError } from '../../lib/errors.js';
import { fetchSdist, prefetchSdist, type FetchedSdist, type FetchOptions } from '../../stages/fetch/index.js';
import { createLimiter } from '../../lib/concurrency.js';
import type { InspectedSdist } from '../../stages/inspect/index.js';
import { checkBuiltMatchesVerified } from '../../stages/verify/index.js';
import { familyOf } from '../../distro/family.js';
import { buildNeeds } from '../../python/build-requirements.js';
import { evaluateMarker, markerEnvironment } from '../../python/markers.js';
import type { Target } from '../../distro/targets.js';
import type { ClosureBackend, ClosureRequest, ResolvedSdist } from './closure.js';

/** What later stages need of a resolved package (the `handle` of {@link ResolvedSdist}). */
export interface SdistHandle {
  /** As fetched for the closure: possibly with a kept verdict (`verdict: 'kept'`, bytes not read). */
  fetched: FetchedSdist;
  /** What inspect read from the sdist (fresh, or kept from an earlier run for this sha256). */
  metadata: SdistMetadata;
  /** The sdist hashed and verified in this run (fetched again if its verdict was kept); once. */
  verified(): Promise<FetchedSdist>;
  /** The verified sdist extracted and inspected, once (under the run's work dir); render reads the tree. */
  tree(): Promise<InspectedSdist>;
}

/** Index questions asked ahead of the closure's walk at once (each on its own kept-alive connection). */
export const PREFETCH_CONCURRENCY = 8;

export function createIndexResolver(fetchOptions: FetchOptions, env: StageEnv, store?: SealedStore): ClosureBackend {
  const resolved = new Map<string, Promise<ResolvedSdist>>();
  const trees = new Map<string, Promise<InspectedSdist>>();
  const confirmed = new Map<string, Promise<FetchedSdist>>();
  const asked = new Set<string>();
  const ahead = createLimiter(PREFETCH_CONCURRENCY);

  /** The sdist as verified now: a kept verdict is replaced by a real fetch (hash, signature, policy). */
  const verifiedOf = (fetched: FetchedSdist, requirement: string, pythonVersion: string): Promise<FetchedSdist> => {
    if (fetched.verdict !== 'kept') return Promise.resolve(fetched);
    const key = `${fetched.sha256}\0${requirement}\0${pythonVersion}`;
    let p = confirmed.get(key);
    if (!p) {
      p = (async () => {
        env.log.debug(`${fetched.filename}: verifying for real before use (the verdict was kept)`);
        const real = await fetchSdist(requirement, { ...fetchOptions, verdicts: undefined, pythonVersion }, env);
        // The run asked the index once (answers.session): the same release, or the index moved under us.
        if (real.sha256 !== fetched.sha256 || real.filename !== fetched.filename) {
          throw new Py2DistroError('E_HASH_MISMATCH', `${fetched.filename}: the index now gives ${real.filename} with sha256 ${real.sha256}, not sha256 ${fetched.sha256} as earlier in this run`, {
            hint: 'The index changed during the sync; run it again.',
            details: { file: fetched.filename, expected: fetched.sha256, actual: real.sha256 },
          });
        }
        return real;
      })();
      confirmed.set(key, p);
    }
    return p;
  };

  const treeOf = (fetched: FetchedSdist, verified: () => Promise<FetchedSdist>) => {
    let p = trees.get(fetched.sha256);
    if (!p) {
      p = (async () => {
        const file = await verified();
        const { inspectSdist } = await import('../../stages/inspect/index.js');
        return inspectSdist(file.path, { ...env, workDir: await mkdtemp(path.join(env.workDir, 'sdist-')) });
      })();
      trees.set(fetched.sha256, p);
    }
    return p;
  };
  // The file name is part of the key: inspect checks it against the metadata inside.
  const metadataKey = (file: { sha256?: string; filename: string }) => `${VERSION}\0${file.sha256}\0${file.filename}`;
  const metadataOf = async (fetched: FetchedSdist, tree: () => Promise<InspectedSdist>): Promise<SdistMetadata> => {
    const kept = await store?.get<SdistMetadata>('inspected', metadataKey(fetched));
    if (kept) {
      env.log.debug(`${fetched.filename}: inspected metadata kept for sha256 ${fetched.sha256}`);
      return kept;
    }
    const { metadata } = await tree();
    await store?.put('inspected', metadataKey(fetched), metadata);
    return metadata;
  };

  const requirementOf = (req: ClosureRequest) => (req.name ? `${req.name}${req.specifier}` : req.requirement);
  const keyOf = (req: ClosureRequest, target: Target) => `${req.name ?? req.requirement}|${req.specifier}|${req.hashes.join(',')}|${target.python.fullVersion}`;

  const resolveOnce = async (req: ClosureRequest, target: Target): Promise<ResolvedSdist> => {
    const requirement = requirementOf(req);
    const pythonVersion = target.python.fullVersion;
    const fetched = await fetchSdist(requirement, { ...fetchOptions, pythonVersion }, env);
    if (req.hashes.length && !req.hashes.includes(fetched.sha256)) {
      throw new Py2DistroError('E_HASH_MISMATCH', `${fetched.filename}: sha256 ${fetched.sha256} is not one of the --hash values in the requirements file`, {
        details: { file: fetched.filename, expected: req.hashes, actual: fetched.sha256 },
      });
    }
    const verified = () => verifiedOf(fetched, requirement, pythonVersion);
    const tree = () => treeOf(fetched, verified);
    const handle: SdistHandle = { fetched, metadata: await metadataOf(fetched, tree), verified, tree };
    const { metadata } = handle;
    checkBuiltMatchesVerified(metadata, fetched.provenance);
    return {
      name: metadata.normalizedName,
      version: fetched.version,
      sha256: fetched.sha256,
      requiresDist: metadata.requiresDist.map((r) => r.raw),
      buildRequires: buildNeeds(metadata).python.map((r) => `${r.name}${r.specifier}${r.marker ? ` ; ${r.marker}` : ''}`),
      signature: {
        status: fetched.provenance.signature.status,
        ...(fetched.provenance.signature.signer ? { signer: fetched.provenance.signature.signer } : {}),
        ...(fetched.provenance.attestation ? { attestedBy: fetched.provenance.attestation.publisher } : {}),
      },
      ...(target.family === 'deb' ? { binaryName: familyOf(target).binaryName({ normalizedName: fetched.name }) } : {}),
      handle,
    };
  };

  return {
    resolve(req, target) {
      const key = keyOf(req, target);
      let p = resolved.get(key);
      if (!p) {
        p = resolveOnce(req, target);
        resolved.set(key, p);
      }
      return p;
    },
    prefetch(req, target) {
      const key = keyOf(req, target);
      // Only answers shared through the run's session help the walk; without one a prefetch would ask twice.
      if (!fetchOptions.answers?.session || !req.name || resolved.has(key) || asked.has(key)) return;
      asked.add(key);
      const opts = { ...fetchOptions, pythonVersion: target.python.fullVersion };
      void ahead(async () => {
        if (resolved.has(key)) return; // the walk got there first
        const chosen = await prefetchSdist(requirementOf(req), opts, env);
        if (chosen?.sha256) await store?.get('inspected', metadataKey(chosen));
      }).catch((err: unknown) => env.log.debug(`prefetch of ${requirementOf(req)}: ${(err as Error).message}`));
    },
    evaluateMarker(marker, target, extras) {
      return evaluateMarker(marker, markerEnvironment(target), extras);
    },
  };
}
