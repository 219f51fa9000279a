/** Every command module registers itself here; one line each. */
import type { Command } from 'commander';
import { register as registerFetch } from './fetch.js';
import { register as registerVerify } from './verify.js';
import { register as registerImages } from './images.js';

type Register = (program: Command) => void;

const modules: Register[] = [
  registerFetch,
  registerVerify,
  registerImages,
];

export function registerCommands(program: Command): void {
  for (const register of modules) register(program);
}
