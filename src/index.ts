/**
 * py2distro's programmatic API: what the CLI calls and what tests call. Each stage is a function
 * with a narrow input and a small environment that returns a plain, serialisable result.
 */
export * from './errors.js';
export { VERSION } from './version.js';
export { loadConfig, parseConfigText, type ConfigFile } from './config.js';
export { createLogger, silentLogger, mask, addSecret, type Logger } from './log.js';
export { parseRequirement, normalizeName, formatRequirement, type Requirement } from './requirement.js';
export { resolveRelease, listReleases, versionFromFilename, DEFAULT_INDEX_URL, type ResolvedRelease, type ProjectReleases, type ReleaseInfo, type ReleaseFile } from './resolve.js';
export { fetchSdist, parseSdistFilename, type FetchOptions, type FetchedSdist } from './fetch.js';
export { verifyDetachedSignature, type SignatureCheck } from './verify.js';
export { applySignaturePolicy, type PolicyOutcome } from './signature-policy.js';
export { loadKeyrings, readKeyringFile, type KeyringKey } from './keyring.js';
export { sha256File, lookupCached } from './cache.js';
export { getText, downloadFile, redactUrl } from './http.js';
export { runSteps, chooseRenderer, type ProgressStep } from './progress.js';
export { addFetchOptions, fetchOptionsFrom, type FetchFlags } from './commands/fetch-options.js';
export type { Provenance } from './provenance.js';
