/** py2distro's own version, from package.json (part of every build key). */
import { createRequire } from 'node:module';
import { packagePath } from './paths.js';

const require = createRequire(import.meta.url);
export const VERSION: string = (require(packagePath('package.json')) as { version: string }).version;
