/**
 * openpgp, one instance for the whole process, loaded as its minified CommonJS build through
 * require: the same library and version as `import 'openpgp'`, at two thirds of the load time
 * (no ESM linking of a 1.2 MB module; ~36 ms instead of ~47 ms here), which is most of a small
 * publish's start-up. Everything — stages and tests — takes it from here, so keys and messages
 * never cross two copies of the library.
 */
import { createRequire } from 'node:module';
import type * as OpenPGP from 'openpgp';

export const openpgp = createRequire(import.meta.url)('openpgp') as typeof OpenPGP;
