/**
 * Command-line entry: parses arguments, runs the command, and maps errors to exit codes.
 * Commands live in src/commands/*; they call the programmatic API in src/index.ts.
 */
import { Command, CommanderError } from './commander.js';
import { EXIT, exitCodeFor, isPy2DistroError, Py2DistroError } from '../lib/errors.js';
import { mask } from '../lib/log.js';
import { VERSION } from '../lib/version.js';
import { registerCommands } from './commands/index.js';

/** The program with the command `argv` names (all commands when it names none). */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('py2distro')
    .description('Turn Python packages into verified, signed Debian and RPM packages and publish them.')
    .version(VERSION, '--version')
    .option('--config <file>', 'configuration file (default: ./py2distro.yaml if present)')
    .option('--cache-dir <dir>', 'download cache (default: $XDG_CACHE_HOME/py2distro)')
    .option('-v, --verbose', 'print debug output')
    .option('--json', 'print one JSON summary object on stdout')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  await registerCommands(program, argv);
  return program;
}

/** Runs the CLI and returns the process exit code (never calls process.exit). */
export async function main(argv: readonly string[]): Promise<number> {
  const program = await buildProgram(argv);
  let json = argv.includes('--json');
  try {
    await program.parseAsync([...argv]);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version "fail" with exit 0; real usage errors are exit 2.
      return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    json = json || Boolean(program.opts().json);
    reportError(err, json, Boolean(program.opts().verbose));
    return exitCodeFor(err);
  }
}

function reportError(err: unknown, json: boolean, verbose: boolean): void {
  const errors = err instanceof AggregateError ? err.errors : [err];
  if (json) {
    const out = errors.map((e) => (isPy2DistroError(e) ? e.toJSON() : { code: 'E_BUG', message: String((e as Error)?.message ?? e) }));
    process.stdout.write(mask(JSON.stringify({ ok: false, errors: out }, null, 2)) + '\n');
    return;
  }
  for (const e of errors) {
    if (e instanceof Py2DistroError) {
      process.stderr.write(mask(`error: [${e.code}] ${e.message}\n  hint: ${e.hint}\n`));
      if (verbose && e.cause) process.stderr.write(mask(`  cause: ${String((e.cause as Error)?.stack ?? e.cause)}\n`));
    } else {
      const stack = (e as Error)?.stack ?? String(e);
      process.stderr.write(mask(`error: unexpected failure — this is a bug in py2distro, please report it\n${stack}\n`));
    }
  }
}
