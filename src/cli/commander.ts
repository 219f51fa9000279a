/**
 * commander, required as the CommonJS module it is: its ESM wrapper costs a lexer pass over the
 * package and a module link, ~13 ms of every command's start-up against ~7 ms this way.
 */
import { createRequire } from 'node:module';

const commander = createRequire(import.meta.url)('commander') as typeof import('commander');

export const { Command, CommanderError, InvalidArgumentError, Option } = commander;
export type Command = import('commander').Command;
export type CommanderError = import('commander').CommanderError;
export type Option = import('commander').Option;
