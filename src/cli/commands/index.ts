/** Every command module registers itself here; one line each. */
import type { Command } from 'commander';
import { register as registerFetch } from './fetch.js';
import { register as registerVerify } from './verify.js';
import { register as registerRepo } from './repo.js';
import { register as registerImages } from './images.js';
import { register as registerBuild } from './build.js';
import { register as registerRender } from './render.js';
import { register as registerSync } from './sync.js';
import { register as registerTargets } from './targets.js';
import { register as registerTrust } from './trust.js';
import { register as registerPlan } from './plan.js';

type Register = (program: Command) => void;

const modules: Register[] = [
  registerRender,
  registerFetch,
  registerVerify,
  registerRepo,
  registerImages,
  registerBuild,
  registerSync,
  registerTargets,
  registerTrust,
  registerPlan,
];

export function registerCommands(program: Command): void {
  for (const register of modules) register(program);
}
