/**
 * Phase timings for `--verbose`: where a publish (or any long step) spends its time, one debug
 * line per run ("apt bookworm: state 12 ms, pool 40 ms, …"). Measuring is free enough to stay on.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from './log.js';

export interface PhaseTimer {
  /** Close the phase that has been running since the previous lap (or the start). */
  lap(name: string): void;
  /** Log all phases at debug level. */
  done(): void;
}

export function phaseTimer(log: Logger, what: string): PhaseTimer {
  let last = performance.now();
  const parts: string[] = [];
  return {
    lap(name) {
      const now = performance.now();
      parts.push(`${name} ${(now - last).toFixed(1)} ms`);
      last = now;
    },
    done() {
      log.debug(`${what}: ${parts.join(', ')}`);
    },
  };
}
