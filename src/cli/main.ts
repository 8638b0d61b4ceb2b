#!/usr/bin/env node
// The `ipsec` / `nodeswan` command. Subcommands are registered in
// src/cli/commands.ts; this file only dispatches and sets the exit code.
import { runCli } from './commands.js';

runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ipsec: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
