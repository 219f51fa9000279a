/**
 * The closure's view of the index: resolve → fetch → verify (src/fetch.ts) → inspect
 * (src/inspect/metadata.ts), for one target's Python. Each (requirement, target Python) is resolved
 * once per run, and each verified sdist inspected once, however many packages ask for it.
 *
 * With a {@link SealedStore} (sync), what inspect found is kept under the sdist's sha256 — which
 * fetch has just re-verified (hash, signature, trust policy) on this run — and py2distro's version,
 * so an unchanged sdist is not extracted again; its tree is extracted only if render needs it.
 */
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import type { StageEnv } from '../../lib/env.js';
import type { SealedStore } from '../../lib/fs/sealed-store.js';
import { VERSION } from '../../lib/version.js';
import type { SdistMetadata } from '../../python/metadata.js';
import { Py2DistroError } from '../../lib/errors.js';
import { fetchSdist, type FetchedSdist, type FetchOptions } from '../../stages/fetch/index.js';
import type { InspectedSdist } from '../../stages/inspect/index.js';
import { checkBuiltMatchesVerified } from '../../stages/verify/index.js';
import { familyOf } from '../../distro/family.js';
import { buildNeeds } from '../../python/build-requirements.js';
import { evaluateMarker, markerEnvironment } from '../../python/markers.js';
import type { Target } from '../../distro/targets.js';
import type { ClosureBackend, ClosureRequest, ResolvedSdist } from './closure.js';

/** What later stages need of a resolved package (the `handle` of {@link ResolvedSdist}). */
export interface SdistHandle {
  fetched: FetchedSdist;
  /** What inspect read from the sdist (fresh, or kept from an earlier run for this sha256). */
  metadata: SdistMetadata;
  /** The sdist extracted and inspected, once (under the run's work dir); render reads the tree. */
  tree(): Promise<InspectedSdist>;
}

export function createIndexResolver(fetchOptions: FetchOptions, env: StageEnv, store?: SealedStore): ClosureBackend {
  const resolved = new Map<string, Promise<ResolvedSdist>>();
  const trees = new Map<string, Promise<InspectedSdist>>();

  const treeOf = (fetched: FetchedSdist) => {
    let p = trees.get(fetched.sha256);
    if (!p) {
      p = (async () => {
        const { inspectSdist } = await import('../../stages/inspect/index.js');
        return inspectSdist(fetched.path, { ...env, workDir: await mkdtemp(path.join(env.workDir, 'sdist-')) });
      })();
      trees.set(fetched.sha256, p);
    }
    return p;
  };
  // The file name is part of the key: inspect checks it against the metadata inside.
  const metadataKey = (fetched: FetchedSdist) => `${VERSION}\0${fetched.sha256}\0${fetched.filename}`;
  const metadataOf = async (fetched: FetchedSdist): Promise<SdistMetadata> => {
    const kept = await store?.get<SdistMetadata>('inspected', metadataKey(fetched));
    if (kept) {
      env.log.debug(`${fetched.filename}: inspected metadata kept for sha256 ${fetched.sha256}`);
      return kept;
    }
    const { metadata } = await treeOf(fetched);
    await store?.put('inspected', metadataKey(fetched), metadata);
    return metadata;
  };

  const resolveOnce = async (req: ClosureRequest, target: Target): Promise<ResolvedSdist> => {
    const requirement = req.name ? `${req.name}${req.specifier}` : req.requirement;
    const fetched = await fetchSdist(requirement, { ...fetchOptions, pythonVersion: target.python.fullVersion }, env);
    if (req.hashes.length && !req.hashes.includes(fetched.sha256)) {
      throw new Py2DistroError('E_HASH_MISMATCH', `${fetched.filename}: sha256 ${fetched.sha256} is not one of the --hash values in the requirements file`, {
        details: { file: fetched.filename, expected: req.hashes, actual: fetched.sha256 },
      });
    }
    const handle: SdistHandle = { fetched, metadata: await metadataOf(fetched), tree: () => treeOf(fetched) };
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
      const key = `${req.name ?? req.requirement}|${req.specifier}|${req.hashes.join(',')}|${target.python.fullVersion}`;
      let p = resolved.get(key);
      if (!p) {
        p = resolveOnce(req, target);
        resolved.set(key, p);
      }
      return p;
    },
    evaluateMarker(marker, target, extras) {
      return evaluateMarker(marker, markerEnvironment(target), extras);
    },
  };
}
