/**
 * Stage publish — the door. Built packages in, a signed apt (<repo>/deb) or yum (<repo>/rpm/<target>)
 * repository out, atomically and under one repository lock; `resign` refreshes the signatures from
 * a timer; `clientConfig` is what a client installs to trust it. Uses sign.
 */
export { publishPackages, type PublishOptions, type PublishResult, type PublishSettings, type PublishedItem } from './publish.js';
export type { ResignOptions, ResignResult } from './resign.js';
export type { ClientConfig } from './client-config.js';

// Loaded when called: a publish (the common call) does not pay for their modules.
type Resign = typeof import('./resign.js').resignRepo;
type ClientConfigFn = typeof import('./client-config.js').clientConfig;
export const resignRepo: Resign = async (...args) => (await import('./resign.js')).resignRepo(...args);
export const clientConfig: ClientConfigFn = async (...args) => (await import('./client-config.js')).clientConfig(...args);
