// `ipsec status [NAME] [--json]` and `ipsec statusall [NAME] [--json]`.
// Exit 3 when the daemon is not running (the LSB status convention).

import type { Command } from './commands.js';
import { QUERY_TIMEOUT_MS, daemonClient } from './daemon-client.js';
import { parseDaemonArgs, withErrors } from './daemon-options.js';
import { formatStatus, formatStatusAll } from './status-text.js';

export function createStatusCommand(name: 'status' | 'statusall'): Command {
  return {
    summary: name === 'status' ? 'show IKE and CHILD SAs (--json: the snapshot)' : 'status plus sockets, connections and drop counters',
    run: (args) =>
      withErrors(async () => {
        const { paths, positionals, flags } = parseDaemonArgs(name, args, ['json'], 1);
        const conn = positionals[0];
        let snapshot;
        try {
          snapshot = await daemonClient(paths, QUERY_TIMEOUT_MS).request('status', conn ? { conn } : {});
        } catch (err) {
          if ((err as { code?: unknown }).code === 'NOT_RUNNING') {
            process.stderr.write(`${(err as Error).message}\n`);
            return 3;
          }
          throw err;
        }
        if (flags['json']) {
          process.stdout.write(`${JSON.stringify(snapshot, null, 2)}\n`);
          return 0;
        }
        process.stdout.write(name === 'status' ? formatStatus(snapshot) : formatStatusAll(snapshot));
        return 0;
      }),
  };
}

export const statusCommand = createStatusCommand('status');
export const statusAllCommand = createStatusCommand('statusall');
