/**
 * py2distro's programmatic API: what the CLI calls and what tests call. Each stage is a function
 * with a narrow input and a small environment that returns a plain, serialisable result.
 */
export * from './errors.js';
export { VERSION } from './version.js';
export { loadConfig, parseConfigText, DEFAULT_INDEX_URL, type ConfigFile } from './config.js';
export { createLogger, silentLogger, mask, addSecret, type Logger } from './log.js';
export { parseRequirement, normalizeName, formatRequirement, type Requirement } from './requirement.js';
export { resolveRelease, listReleases, versionFromFilename, type ResolvedRelease, type ProjectReleases, type ReleaseInfo, type ReleaseFile } from './resolve.js';
export { fetchSdist, parseSdistFilename, type FetchOptions, type FetchedSdist } from './fetch.js';
export { verifyDetachedSignature, type SignatureCheck } from './verify.js';
export { applySignaturePolicy, type PolicyOutcome } from './signature-policy.js';
export { loadKeyrings, readKeyringFile, type KeyringKey } from './keyring.js';
export { sha256File, lookupCached } from './cache.js';
export { getText, downloadFile, redactUrl } from './http.js';
export { runSteps, chooseRenderer, type ProgressStep } from './progress.js';
export { addFetchOptions, fetchOptionsFrom, type FetchFlags } from './commands/fetch-options.js';
export type { Provenance } from './provenance.js';
export { loadSigningKey, parseSigningKey, type SigningKey, type SigningKeyOptions } from './sign/key.js';
export { signRpm, readRpmInfo, rpmSigners, type RpmInfo } from './sign/rpm.js';
export { publishPackages, type PublishOptions, type PublishResult, type PublishedItem } from './publish.js';
export { resignRepo, type ResignOptions, type ResignResult } from './repos/resign.js';
export { clientConfig, type ClientConfig } from './repos/client-config.js';
export { inspectSdist, type SdistMetadata, type Person } from './inspect/metadata.js';
export { extractSdist, DEFAULT_LIMITS, type ExtractLimits, type ExtractedSdist } from './inspect/extract.js';
export { parseRequirement as parseDependencySpec, type Requirement as DependencySpec } from './inspect/pep508.js';
export { renderPackaging, DEFAULT_MAINTAINER, type RenderInput, type RenderResult } from './render.js';
export { debianVersion, debianUpstreamVersion, rpmVersion, rpmEvr, debianRelations, rpmRequires, type DebRelation } from './versions.js';
export { evaluateMarker, markerEnvironment, parseMarker, type MarkerEnv } from './markers.js';
export { debianBinaryName, debianSourceName, loadPy3distTable, mapDebRequirements, type Py3distTable } from './mapping/deb.js';
export { rpmBinaryName, rpmSourceName, python3dist, mapRpmRequirements } from './mapping/rpm.js';
export { detectLicense, type LicenseInfo } from './license.js';
export { runSync, stateFileOf, type SyncBackend, type SyncOptions, type RenderedPackaging } from './sync/run.js';
export { createRealBackend, type RealBackendOptions } from './sync/backend.js';
export { loadManifest, parseRequirementLine, type Manifest, type ManifestEntry, type ManifestInput } from './sync/manifest.js';
export { computeClosure, type Closure, type ClosureNode, type ClosureBackend, type Conflict, type ResolvedSdist } from './sync/closure.js';
export { loadDistroArchive, DistroArchive, type DistroArchiveData, type DistroProvision } from './sync/distro-archive.js';
export { planBuildOrder, type BuildPlan } from './sync/plan.js';
export { buildKey, digestTree, type BuildKeyInput } from './sync/buildkey.js';
export { loadState, saveState, type SyncState, type PackageState } from './sync/state.js';
export { writeReport, reportMarkdown, type SyncReport, type TargetReport, type PackageOutcome } from './sync/report.js';
export { buildPackage, type BuildOptions, type BuildEnv, type BuildResult, type RenderedSources } from './build.js';
export { parseBuiltMetadata, filledFields, type BuiltPackageMetadata } from './build-metadata.js';
export { ensureImage, ensureBaseImage, listBuilderImages, builderTag, contextDigest, BUILDER_REPOSITORY, type BuilderImage } from './images.js';
export { selectEngine, createEngine, requestedEngine, ENGINE_NAMES, type ContainerEngine, type EngineName, type EngineChoice, type RunSpec, type Mount } from './engines/index.js';
