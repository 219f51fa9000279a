/**
 * `py2distro verify <file>`: check a local file's detached signature against pinned keys and/or its
 * PEP 740 provenance against pinned publishers, with the same refusals as fetch (api/verify.ts).
 * The policy defaults to "required": asking to verify means a signature or attestation is expected.
 */
import type { Command } from '../commander.js';
import { createContext } from '../context.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from '../options/fetch.js';

interface VerifyFlags extends FetchFlags {
  signature?: string;
  name?: string;
  sha256?: string;
  provenance?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('verify')
    .description("verify a local file's OpenPGP signature or PEP 740 attestation against the keys or publishers pinned for its package")
    .argument('<file>', 'the file to verify (streamed; any size)')
    .option('--signature <file.asc>', 'detached signature (default: <file>.asc)')
    .option('--name <project>', 'project whose trust pins apply (default: from the sdist filename)')
    .option('--sha256 <hex>', 'also require this sha256')
    .option('--provenance <file>', 'PEP 740 provenance object or single attestation (default: <file>.provenance)');
  addFetchOptions(cmd, { index: false, defaultPolicy: 'required' });
  cmd.action(async (file: string, flags: VerifyFlags, self: Command) => {
    // The run loads here, not at start-up: `--help`, `--version` and other commands never need it.
    const { runVerify } = await import('../../api/verify.js');
    const ctx = await createContext(self);
    const r = await runVerify(
      { file, signatureFile: flags.signature, provenanceFile: flags.provenance, project: flags.name, sha256: flags.sha256, fetch: fetchOptionsFrom(flags, ctx.config, { defaultPolicy: 'required' }) },
      ctx,
    );
    const s = r.signature;
    ctx.print({ ok: true, ...r }, () =>
      [
        r.file.split('/').pop(),
        `  sha256 ${r.sha256}`,
        s.status === 'verified' ? `  good signature from ${s.signer}${s.userId ? ` (${s.userId})` : ''}` : `  ${s.status}${s.reason ? `: ${s.reason}` : ''}`,
        ...(s.attestation
          ? [`  attested by ${s.attestation.publisher}${s.attestation.status === 'unpinned' ? ' (publisher not pinned)' : ''} (issuer ${s.attestation.issuer}, log index ${s.attestation.logIndex})`]
          : []),
        ...(s.trustLock?.recorded ? [`  recorded in the trust lock ${s.trustLock.file}`] : []),
      ].join('\n'),
    );
  });
}
