/**
 * `py2distro trust refresh`: update the Sigstore trusted root through TUF (online).
 * `py2distro trust accept NAME`: accept a changed identity for a project in the trust lock.
 */
import path from 'node:path';
import type { Command } from '../commander.js';
import { createContext } from '../context.js';

export function register(program: Command): void {
  const trust = program.command('trust').description('the Sigstore trusted root and the trust lock');
  trust
    .command('refresh')
    .description("update the Sigstore trusted root through Sigstore's TUF repository (needs the network); later verifications use it")
    .action(async (_flags: object, self: Command) => {
      const { runTrustRefresh } = await import('../../api/trust.js');
      const ctx = await createContext(self);
      const r = await runTrustRefresh(ctx);
      ctx.print({ ok: true, ...r }, () => `trusted root updated: ${r.path}\n  sha256 ${r.sha256}`);
    });
  trust
    .command('accept')
    .description('accept a changed signer/publisher for a project: forget what the trust lock recorded, so the next verified file records its identity')
    .argument('<name>', 'the project')
    .option('--trust-lock <file>', 'the trust lock (default: config trust-lock, else <state-dir>/trust-lock.json with --state-dir)')
    .option('--state-dir <dir>', "sync's state directory, whose trust-lock.json sync keeps by default")
    .action(async (name: string, flags: { trustLock?: string; stateDir?: string }, self: Command) => {
      const [{ runTrustAccept }, { defaultTrustLock }] = await Promise.all([import('../../api/trust.js'), import('../../api/sync/index.js')]);
      const ctx = await createContext(self);
      const c = ctx.config;
      const stateDir = flags.stateDir ?? c['state-dir'] ?? (c.repo ? path.join(c.repo, '.py2distro-sync') : undefined);
      const lockFile = flags.trustLock ? path.resolve(flags.trustLock) : (c['trust-lock'] ?? (stateDir ? defaultTrustLock(stateDir) : undefined));
      const r = await runTrustAccept({ project: name, lockFile });
      ctx.print({ ok: true, ...r }, () => r.description);
    });
}
