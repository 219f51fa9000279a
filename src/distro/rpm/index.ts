/** The rpm family (Fedora, EL, the test-only rpmtest target): see {@link ../family.ts}. */
import type { Family } from '../family-type.js';
import { rpmBinaryName, rpmSourceName } from './python-names.js';

export const rpm: Family = {
  name: 'rpm',
  sourceName: rpmSourceName,
  binaryName: rpmBinaryName,
  // Source rpms are build outputs too, but never what a client installs.
  isInstallablePackage: (file) => file.endsWith('.rpm') && !file.endsWith('.src.rpm'),
  publishGroup: (target) => ({ rpmTarget: target.name }),
};
