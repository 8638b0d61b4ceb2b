// `ipsec up NAME`: bring a connection up and wait for its first CHILD SA.
// On failure prints the engine's one-line reason and exits 1.

import type { Command } from './commands.js';
import { daemonClient, printProgress } from './daemon-client.js';
import { UsageError, parseDaemonArgs, withErrors } from './daemon-options.js';

export const upCommand: Command = {
  summary: 'bring a connection up: ipsec up NAME',
  run: (args) =>
    withErrors(async () => {
      const { paths, positionals } = parseDaemonArgs('up', args, [], 1);
      const conn = positionals[0];
      if (!conn) throw new UsageError('usage: ipsec up NAME');
      const result = await daemonClient(paths).request('up', { conn }, printProgress);
      if (!result.ok) {
        process.stderr.write(`${result.error ?? `connection '${conn}' failed`}\n`);
        return 1;
      }
      process.stdout.write(`connection '${conn}' established successfully\n`);
      return 0;
    }),
};
