/**
 * The provenance record shipped inside the package (debian/py2distro-provenance.json, RPM Source1,
 * installed under /usr/share/doc). Two renders of the same verified sdist must give identical
 * packaging files, and so identical packages, so the shipped record is a pure function of the input:
 * fields that describe *when* something happened are left out, and keys are written in a fixed
 * (sorted) order whatever order the record was built in. The full record, `verifiedAt` included, is
 * what `py2distro build` writes next to the artifacts in --out.
 */
import type { Provenance } from '../verify/index.js';
import { canonicalJson } from '../../lib/json.js';

/** Fields of `Provenance` that change from one run to the next for the same sdist. */
export const VOLATILE_PROVENANCE_FIELDS = ['verifiedAt'] as const;

export type ShippedProvenance = Omit<Provenance, (typeof VOLATILE_PROVENANCE_FIELDS)[number]>;

export function shippedProvenance(p: Provenance | ShippedProvenance): ShippedProvenance {
  const copy: Record<string, unknown> = { ...p };
  for (const f of VOLATILE_PROVENANCE_FIELDS) delete copy[f];
  return copy as unknown as ShippedProvenance;
}

/** The bytes of debian/py2distro-provenance.json and the RPM's provenance SourceN. */
export function shippedProvenanceJson(p: Provenance | ShippedProvenance): string {
  return `${canonicalJson(shippedProvenance(p), 2)}\n`;
}
