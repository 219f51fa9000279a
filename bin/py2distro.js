#!/usr/bin/env node
// Thin launcher: the CLI lives in dist/cli.js (built by `npm run build`).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv);
