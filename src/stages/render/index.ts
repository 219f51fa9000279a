/**
 * Stage render — the door. An inspected sdist and a target in, packaging sources out: debian/ and
 * the .orig tarball for deb targets, a .spec and its sources for rpm targets (templates/).
 */
export { DEFAULT_MAINTAINER, renderPackaging, type DebSources, type RenderInput, type RenderResult, type RpmSources } from './render.js';
export { detectLicense, type LicenseInfo } from './license.js';
export type { DistroFacts } from './distro-fit.js';
export { shippedProvenance, type ShippedProvenance } from './provenance.js';
