/**
 * Stage build — the door. Rendered sources in, built packages out, in clean containers of the
 * target's builder image (engines/: podman and docker behind one type; images.ts: builder images).
 */
export { buildPackage, type BuildEnv, type BuildOptions, type BuildResult, type RenderedSources } from './build.js';
export { filledFields, parseBuiltMetadata, type BuiltPackageMetadata } from './built-metadata.js';
export {
  BUILDER_REPOSITORY, builderTag, contextDigest, ensureBaseImage, ensureImage, findBuilderImage, listBuilderImages, pruneBuilderImages,
  type BuilderImage, type PruneResult,
} from './images.js';
export {
  containerLimits, createEngine, DEFAULT_LIMITS, ENGINE_NAMES, selectEngine, type ContainerEngine, type ContainerLimits, type EngineChoice, type EngineName,
} from './engines/index.js';
export { checkEngineUrl } from './engines/host.js';
