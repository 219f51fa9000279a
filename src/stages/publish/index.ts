/**
 * Stage publish — the door. Built packages in, a signed apt (<repo>/deb) or yum (<repo>/rpm/<target>)
 * repository out, atomically and under one repository lock; `resign` refreshes the signatures from
 * a timer; `clientConfig` is what a client installs to trust it. Uses sign.
 */
export { publishPackages, type PublishOptions, type PublishResult, type PublishSettings, type PublishedItem } from './publish.js';
export { resignRepo, type ResignOptions, type ResignResult } from './resign.js';
export { clientConfig, type ClientConfig } from './client-config.js';
