/**
 * Stage inspect — the door. A verified sdist in, `{ path, metadata, sourceDir }` out: safe
 * extraction (no traversal, links out, devices or bombs) and the merged metadata model.
 */
export { inspectSdist, type InspectedSdist } from './metadata.js';
export { DEFAULT_LIMITS, extractSdist, type ExtractLimits, type ExtractedSdist } from './extract.js';
