/**
 * py2distro's public API, a deliberate surface: the runs (api/) that chain the stages as the CLI
 * does, each stage's door with its result types, the configuration loader, the error catalogue and
 * the target table. Everything else is internal and may change. The CLI (cli/) is not part of it.
 */

// Errors and exit codes (one catalogue), the version, configuration, logging with secret masking.
export { BugError, CATALOGUE, EXIT, Py2DistroError, type ErrorCode } from './lib/errors.js';
export { VERSION } from './lib/version.js';
export { DEFAULT_INDEX_URL, loadConfig, parseConfigText, type ConfigFile } from './api/config.js';
export { addSecret, createLogger, mask, silentLogger, type Logger } from './lib/log.js';

// Targets and package families.
export { getTarget, TARGETS, type FamilyName, type Target } from './distro/targets.js';
export { familyOf, type Family } from './distro/family.js';

// The runs: what `py2distro fetch|verify|render|build|sync` do, as typed functions.
export type { RunEnv } from './api/run-env.js';
export { describeSignature, runFetch, type FetchRunItem, type FetchRunOptions } from './api/fetch.js';
export { runVerify, type VerifyRunOptions, type VerifyRunResult } from './api/verify.js';
export { runRender, type RenderRunOptions, type RenderSettings } from './api/render.js';
export { runBuild, type BuildRunOptions, type BuildRunResult, type BuiltPackage } from './api/build.js';
export { runSyncSet, type SyncRunOptions, type SyncRunResult } from './api/sync/index.js';
export type { SyncReport, TargetReport, PackageOutcome } from './api/sync/report.js';

// The stage doors, in pipeline order.
export { listReleases, resolveRelease, type ProjectReleases, type ReleaseFile, type ReleaseInfo, type ResolvedRelease } from './stages/resolve/index.js';
export {
  applyTrustPolicy, checkBuiltMatchesVerified, loadTrustedRoot, openTrustLock, parsePublisherPin, refreshTrustedRoot, verifyDetachedSignature,
  type AttestationCheck, type PolicyOutcome, type Provenance, type PublisherPin, type SignatureCheck, type SignaturePolicy,
} from './stages/verify/index.js';
export { fetchSdist, type FetchedSdist, type FetchOptions } from './stages/fetch/index.js';
export { inspectSdist, type InspectedSdist } from './stages/inspect/index.js';
export type { SdistMetadata } from './python/metadata.js';
export { renderPackaging, type RenderInput, type RenderResult } from './stages/render/index.js';
export { buildPackage, ensureImage, selectEngine, type BuildOptions, type BuildResult, type ContainerEngine } from './stages/build/index.js';
export { loadSigningKey, parseSigningKey, type SigningKey } from './stages/sign/index.js';
export { clientConfig, publishPackages, resignRepo, type ClientConfig, type PublishOptions, type PublishResult, type PublishSettings, type ResignResult } from './stages/publish/index.js';
