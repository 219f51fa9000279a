/**
 * `py2distro verify <file>`: check a local file's detached signature against pinned keys, with the
 * same refusals as fetch. The policy defaults to "required": asking to verify means a signature
 * is expected.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { sha256File } from '../cache.js';
import { Py2DistroError } from '../errors.js';
import { normalizeName } from '../requirement.js';
import { createContext } from './context.js';
import { addFetchOptions, fetchOptionsFrom, type FetchFlags } from './fetch-options.js';

interface VerifyFlags extends FetchFlags {
  signature?: string;
  name?: string;
  sha256?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('verify')
    .description("verify a local file's detached OpenPGP signature against keys pinned for its package")
    .argument('<file>', 'the file to verify (streamed; any size)')
    .option('--signature <file.asc>', 'detached signature (default: <file>.asc)')
    .option('--name <project>', 'project whose trust pins apply (default: from the sdist filename)')
    .option('--sha256 <hex>', 'also require this sha256');
  addFetchOptions(cmd, { index: false, defaultPolicy: 'required' });
  cmd.action(async (fileArg: string, flags: VerifyFlags, self: Command) => {
    // Stage modules load here, not at start-up: `--help`, `--version` and other commands never need them.
    const [{ parseSdistFilename }, { applySignaturePolicy }] = await Promise.all([import('../fetch.js'), import('../signature-policy.js')]);
    const ctx = await createContext(self);
    const opts = fetchOptionsFrom(flags, ctx.config, { defaultPolicy: 'required' });
    const file = path.resolve(fileArg);
    if (!existsSync(file)) throw new Py2DistroError('E_USAGE', `${fileArg}: no such file`);
    const displayName = path.basename(file);
    const name = flags.name ?? parseSdistFilename(displayName)?.name;
    if (!name) throw new Py2DistroError('E_USAGE', `${displayName}: cannot tell the project from the filename`, { hint: 'Pass --name PROJECT (the name used in --trust).' });
    const sigFile = flags.signature ? path.resolve(flags.signature) : `${file}.asc`;
    if (flags.signature && !existsSync(sigFile)) throw new Py2DistroError('E_USAGE', `${flags.signature}: no such file`);
    const signature = existsSync(sigFile) ? new Uint8Array(await readFile(sigFile)) : undefined;

    const sha256 = await sha256File(file);
    if (flags.sha256 && flags.sha256.toLowerCase() !== sha256) {
      throw new Py2DistroError('E_HASH_MISMATCH', `${displayName}: sha256 is ${sha256}, expected ${flags.sha256.toLowerCase()}`, { details: { file: displayName } });
    }
    const outcome = await applySignaturePolicy(
      { policy: opts.signaturePolicy, file, displayName, project: normalizeName(name), signature, keyringFiles: opts.keyrings, trust: opts.trust, allowDsa: opts.allowDsa },
      ctx.log,
    );
    ctx.print({ ok: true, file, sha256, project: normalizeName(name), signature: { ...outcome, ...(signature ? { file: sigFile } : {}) } }, () =>
      [
        displayName,
        `  sha256 ${sha256}`,
        outcome.status === 'verified' ? `  good signature from ${outcome.signer}${outcome.userId ? ` (${outcome.userId})` : ''}` : `  ${outcome.status}${outcome.reason ? `: ${outcome.reason}` : ''}`,
      ].join('\n'),
    );
  });
}
