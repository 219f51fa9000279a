#!/usr/bin/env node
// The CLI's entry: the CLI lives in dist/cli/main.js (built by `npm run build`). `bin/py2distro`,
// the installed command, starts this file.
import { main } from '../dist/cli/main.js';

// bin/py2distro hands NODE_EXTRA_CA_CERTS over for commands that open no TLS connection (Node
// reads it at start-up only): the programs this process starts get it back as the user set it.
if (process.env.PY2DISTRO_NODE_EXTRA_CA_CERTS !== undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.PY2DISTRO_NODE_EXTRA_CA_CERTS;
  delete process.env.PY2DISTRO_NODE_EXTRA_CA_CERTS;
}
process.exitCode = await main(process.argv);
