/**
 * py2distro's programmatic API: what the CLI calls and what tests call. Each stage is a function
 * with a narrow input and a small environment that returns a plain, serialisable result.
 */
export * from './errors.js';
export { VERSION } from './version.js';
export { loadConfig, parseConfigText, type ConfigFile } from './config.js';
export { createLogger, silentLogger, mask, addSecret, type Logger } from './log.js';
