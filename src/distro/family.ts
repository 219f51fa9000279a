/**
 * What several stages need to know about a package family, in one type with one module per family
 * (distro/deb/, distro/rpm/), as engines/ does for podman and docker: names, which files are
 * installable packages, and where a target's packages are published. A stage asks
 * `familyOf(target)` instead of branching on `target.family`.
 */
import type { Family } from './family-type.js';
import type { FamilyName, Target } from './targets.js';
import { deb } from './deb/index.js';
import { rpm } from './rpm/index.js';

export type { Family, PublishGroup } from './family-type.js';

const FAMILIES: Record<FamilyName, Family> = { deb, rpm };

export function familyOf(target: Pick<Target, 'family'>): Family {
  return FAMILIES[target.family];
}

/** Installable binary packages of any family (`.deb`, binary `.rpm`): what gets signed and published. */
export function isInstallablePackage(file: string): boolean {
  return Object.values(FAMILIES).some((f) => f.isInstallablePackage(file));
}
