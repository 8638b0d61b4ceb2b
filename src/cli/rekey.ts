// `ipsec rekey NAME [--ike]`: rekey the connection's CHILD SAs (or, with
// --ike, its IKE SA) now instead of at their rekey time. Returns once the
// rekey requests are sent; the rekey itself goes on in the daemon (watch
// the log or `ipsec status`).

import type { Command } from './commands.js';
import { daemonClient } from './daemon-client.js';
import { UsageError, parseDaemonArgs, withErrors } from './daemon-options.js';

export const rekeyCommand: Command = {
  summary: 'rekey a connection now: ipsec rekey NAME [--ike]',
  run: (args) =>
    withErrors(async () => {
      const { paths, positionals, flags } = parseDaemonArgs('rekey', args, ['ike'], 1);
      const conn = positionals[0];
      if (!conn) throw new UsageError('usage: ipsec rekey NAME [--ike]');
      const ike = flags['ike'] === true;
      const result = await daemonClient(paths).request('rekey', { conn, ike });
      const what = ike ? 'IKE SA' : 'CHILD SA';
      process.stdout.write(`rekeying ${result.started} ${what}${result.started === 1 ? '' : 's'} of connection '${conn}'\n`);
      return 0;
    }),
};
