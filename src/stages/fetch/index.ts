/**
 * Stage fetch — the door. A requirement (or a local sdist) in, a verified file in the
 * content-addressed cache out, with its provenance record. Uses resolve and verify.
 */
export { fetchSdist, prefetchSdist, type FetchOptions, type FetchedSdist } from './fetch.js';
