/**
 * openpgp.js (the process's one instance, lib/openpgp.ts), loaded on first use: loading it costs
 * tens of milliseconds, and a sync whose verdicts are all kept (verdicts.ts) verifies no signature.
 */
import type * as OpenPGP from 'openpgp';

let loading: Promise<typeof OpenPGP> | undefined;

export function loadOpenpgp(): Promise<typeof OpenPGP> {
  loading ??= import('../../lib/openpgp.js').then((m) => m.openpgp);
  return loading;
}
