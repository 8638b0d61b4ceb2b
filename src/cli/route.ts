// `ipsec route NAME` / `ipsec unroute NAME`: install or remove the
// connection's trap policies at run time (what auto=route does at start).
// A routed conn is negotiated when its first packet arrives; unrouting
// leaves established SAs alone. On failure prints the daemon's one-line
// reason and exits 1.

import type { Command } from './commands.js';
import { daemonClient } from './daemon-client.js';
import { UsageError, parseDaemonArgs, withErrors } from './daemon-options.js';

function trapCommand(verb: 'route' | 'unroute', summary: string): Command {
  return {
    summary,
    run: (args) =>
      withErrors(async () => {
        const { paths, positionals } = parseDaemonArgs(verb, args, [], 1);
        const conn = positionals[0];
        if (!conn) throw new UsageError(`usage: ipsec ${verb} NAME`);
        const result = await daemonClient(paths).request(verb, { conn });
        if (!result.ok) {
          process.stderr.write(`${result.error ?? `${verb} of connection '${conn}' failed`}\n`);
          return 1;
        }
        process.stdout.write(`'${conn}' ${verb}d\n`);
        return 0;
      }),
  };
}

export const routeCommand = trapCommand('route', 'install trap policies, negotiate on the first packet: ipsec route NAME');
export const unrouteCommand = trapCommand('unroute', 'remove trap policies: ipsec unroute NAME');
