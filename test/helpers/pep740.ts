/**
 * Where the real PEP 740 test material lives (attestations from PyPI and the files they attest,
 * see its README). It is read in place, never copied into the project: $PEP740_DIR, else
 * `../shared/pep740` beside the checkout (or beside the worktree's parent). Tests that need it
 * skip with `pep740Skip` as the reason when it is absent, so a plain clone still passes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli.ts';

const candidates = process.env.PEP740_DIR
  ? [path.resolve(process.env.PEP740_DIR)]
  : [path.resolve(ROOT, '../shared/pep740'), path.resolve(ROOT, '../../shared/pep740')];

export const PEP740_DIR = candidates.find((d) => existsSync(path.join(d, 'README.md'))) ?? candidates[0]!;

/** false when present; else the skip message. */
export const pep740Skip: false | string = existsSync(path.join(PEP740_DIR, 'README.md'))
  ? false
  : `PEP 740 test material not found (looked in ${candidates.join(', ')}; set PEP740_DIR)`;
