/**
 * Progress for every command, on listr2: the live renderer in an interactive terminal, plain
 * lines when stderr is not a TTY or CI=true (logs stay readable), nothing at all with --json.
 * Progress goes to stderr, so stdout carries only the command's result (pure JSON with --json).
 * Steps receive a small `report(text)` callback, not the listr task: stages stay listr-free.
 */
import { Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import { mask } from '../lib/log.js';

export interface ProgressOptions {
  json: boolean;
  verbose?: boolean;
  /** Run the steps concurrently (default: one after another). */
  concurrent?: boolean | number;
  /** Stop at the first failure (default true); otherwise all failures are thrown together. */
  exitOnError?: boolean;
}

export interface ProgressStep<Ctx> {
  title: string;
  run(ctx: Ctx, report: (text: string) => void): Promise<void>;
  /** Return a reason (string) or true to skip. */
  skip?(ctx: Ctx): boolean | string;
}

export type RendererChoice = 'default' | 'simple' | 'silent';

/** Which renderer fits this process: silent for --json, plain lines for CI/pipes, live otherwise. */
export function chooseRenderer(opts: { json: boolean }, env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stderr.isTTY)): RendererChoice {
  if (opts.json) return 'silent';
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  if (ci || !isTty || env.TERM === 'dumb') return 'simple';
  return 'default';
}

export async function runSteps<Ctx extends object>(steps: readonly ProgressStep<Ctx>[], ctx: Ctx, opts: ProgressOptions): Promise<Ctx> {
  const renderer = chooseRenderer(opts);
  // Failures are collected here, not through listr's collectErrors (whose list stays empty when
  // collection is off), so that exitOnError: false still ends in a thrown error and exit code.
  const failures: unknown[] = [];
  const tasks: ListrTask<Ctx>[] = steps.map((step) => ({
    title: mask(step.title),
    skip: step.skip ? (c: Ctx) => step.skip!(c) : undefined,
    task: async (c, task) => {
      try {
        await step.run(c, (text) => {
          task.output = mask(text);
        });
      } catch (err) {
        failures.push(err);
        // listr prints the message of what is thrown ("[FAILED: …]"): hand it a masked copy.
        throw new Error(mask(err instanceof Error ? err.message : String(err)));
      }
    },
  }));
  // Both of listr's streams point at stderr: stdout is reserved for the command's result.
  const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr), useIcons: renderer === 'default' });
  const list = new Listr<Ctx, 'default' | 'simple', 'simple'>(tasks, {
    ctx,
    concurrent: opts.concurrent ?? false,
    exitOnError: opts.exitOnError ?? true,
    collectErrors: false,
    registerSignalListeners: false,
    renderer: renderer === 'silent' ? 'default' : renderer,
    silentRendererCondition: renderer === 'silent',
    fallbackRenderer: 'simple',
    fallbackRendererCondition: renderer === 'simple',
    rendererOptions: { logger, showErrorMessage: false, collapseSubtasks: !opts.verbose },
    fallbackRendererOptions: { logger },
  });
  try {
    await list.run();
  } catch (err) {
    // What listr rethrows is the masked copy; the caller gets the original error.
    if (!failures.length) throw err;
  }
  if (failures.length) {
    throw failures.length === 1 ? failures[0] : new AggregateError(failures, `${failures.length} steps failed`);
  }
  return ctx;
}
