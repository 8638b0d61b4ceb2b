// `ipsec stop`: asks the daemon to delete its SAs and exit, and returns once
// it has. Stopping a daemon that is not running is not an error.

import type { DaemonPaths } from '../daemon/paths.js';
import type { Command } from './commands.js';
import { daemonClient } from './daemon-client.js';
import { parseDaemonArgs, withErrors } from './daemon-options.js';

/** Returns true when a daemon was stopped, false when none was running. */
export async function stopDaemon(paths: DaemonPaths): Promise<boolean> {
  try {
    const { pid } = await daemonClient(paths).shutdownAndWait();
    process.stdout.write(`Stopping nodeswan IPsec daemon (pid ${pid})\n`);
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 'NOT_RUNNING') {
      process.stderr.write(`nodeswan is not running\n`);
      return false;
    }
    throw err;
  }
}

export const stopCommand: Command = {
  summary: 'stop the IKE daemon, deleting its SAs',
  run: (args) =>
    withErrors(async () => {
      const { paths } = parseDaemonArgs('stop', args);
      await stopDaemon(paths);
      return 0;
    }),
};

