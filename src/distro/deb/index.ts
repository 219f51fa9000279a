/** The deb family (Debian, Ubuntu): see {@link ../family.ts}. */
import type { Family } from '../family-type.js';
import { debianBinaryName, debianSourceName } from './python-names.js';

export const deb: Family = {
  name: 'deb',
  sourceName: debianSourceName,
  binaryName: debianBinaryName,
  isInstallablePackage: (file) => file.endsWith('.deb'),
  publishGroup: (target) => ({ codename: target.codename }),
};
