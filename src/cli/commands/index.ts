/**
 * Every command module, one line each. Only the module of the command being run is loaded (each
 * pulls in its own options and stage doors: loading all of them was a third of a publish's
 * start-up); `--help`, an unknown command or no command load them all, so help and
 * "did you mean" see every command.
 */
import type { Command } from '../commander.js';

type Register = (program: Command) => void;

const modules: Record<string, () => Promise<{ register: Register }>> = {
  render: () => import('./render.js'),
  fetch: () => import('./fetch.js'),
  verify: () => import('./verify.js'),
  repo: () => import('./repo.js'),
  images: () => import('./images.js'),
  build: () => import('./build.js'),
  sync: () => import('./sync.js'),
  targets: () => import('./targets.js'),
  trust: () => import('./trust.js'),
  plan: () => import('./plan.js'),
};

/** Global options that take a value (the command name is the first other word). bin/py2distro reads the command the same way: keep its list in step. */
const GLOBAL_WITH_VALUE = new Set(['--config', '--cache-dir']);

/** The command `argv` (process.argv) names, when it is one of ours. */
export function commandIn(argv: readonly string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') return undefined;
    if (GLOBAL_WITH_VALUE.has(a)) i++;
    else if (!a.startsWith('-')) return Object.hasOwn(modules, a) ? a : undefined;
  }
  return undefined;
}

export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const only = commandIn(argv);
  const wanted = only ? [only] : Object.keys(modules);
  for (const { register } of await Promise.all(wanted.map((name) => modules[name]!()))) register(program);
}
