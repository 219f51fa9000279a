import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
/** py2distro's own version, from package.json (part of every build key). */
export const VERSION: string = (require('../package.json') as { version: string }).version;
