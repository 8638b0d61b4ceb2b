// `ipsec restart`: stop (if running), then start in the background.

import type { Command } from './commands.js';
import { parseDaemonArgs, withErrors } from './daemon-options.js';
import { forkDaemon } from './start.js';
import { stopDaemon } from './stop.js';

export function createRestartCommand(): Command {
  return {
    summary: 'stop and start the IKE daemon',
    run: (args) =>
      withErrors(async () => {
        const { paths, overrides } = parseDaemonArgs('restart', args);
        await stopDaemon(paths);
        return forkDaemon(paths, overrides);
      }),
  };
}

export const restartCommand = createRestartCommand();
