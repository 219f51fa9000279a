/** The {@link Family} contract, on its own so that distro/deb and distro/rpm can satisfy it without a cycle. */
import type { SdistMetadata } from '../python/metadata.js';
import type { FamilyName, Target } from './targets.js';

/** Where a target's packages go in the repository: an apt codename or a yum target directory. */
export type PublishGroup = { codename: string } | { rpmTarget: string };

export interface Family {
  name: FamilyName;
  /** Source package name (debian/control Source, spec Name). */
  sourceName(meta: Pick<SdistMetadata, 'normalizedName'>): string;
  /** The binary package py2distro builds for the project (normalizedName: the requested project). */
  binaryName(meta: Pick<SdistMetadata, 'normalizedName'>): string;
  /** Whether a build output file is a binary package a client installs (not a source package). */
  isInstallablePackage(file: string): boolean;
  /** The repository group a target publishes to. */
  publishGroup(target: Target): PublishGroup;
}
