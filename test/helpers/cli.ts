/**
 * Runs the real built CLI (bin/py2distro.js → dist/) as a user would, returning exit code and
 * output. Tests assert on both.
 */
import { execa } from 'execa';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.PY2DISTRO_BIN ?? path.join(ROOT, 'bin/py2distro.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string; timeout?: number } = {}): Promise<CliResult> {
  const r = await execa('node', [BIN, ...args], {
    reject: false,
    cwd: opts.cwd ?? ROOT,
    env: { CI: 'true', NO_COLOR: '1', ...opts.env },
    timeout: opts.timeout ?? 20 * 60_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
