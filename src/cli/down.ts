// `ipsec down NAME`: delete the connection's SAs with the peer and in the kernel.

import type { Command } from './commands.js';
import { daemonClient, printProgress } from './daemon-client.js';
import { UsageError, parseDaemonArgs, withErrors } from './daemon-options.js';

export const downCommand: Command = {
  summary: 'take a connection down: ipsec down NAME',
  run: (args) =>
    withErrors(async () => {
      const { paths, positionals } = parseDaemonArgs('down', args, [], 1);
      const conn = positionals[0];
      if (!conn) throw new UsageError('usage: ipsec down NAME');
      await daemonClient(paths).request('down', { conn }, printProgress);
      process.stdout.write(`connection '${conn}' closed successfully\n`);
      return 0;
    }),
};
