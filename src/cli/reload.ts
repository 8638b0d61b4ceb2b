// `ipsec reload`: the daemon re-reads ipsec.conf and ipsec.secrets. A broken
// config is refused with every diagnostic, and the running one stays.

import type { Command } from './commands.js';
import { QUERY_TIMEOUT_MS, daemonClient } from './daemon-client.js';
import { reportRefusal } from './config-refused.js';
import { parseDaemonArgs, withErrors } from './daemon-options.js';

function list(names: string[]): string {
  return names.length === 0 ? '-' : names.join(', ');
}

export const reloadCommand: Command = {
  summary: 're-read ipsec.conf and ipsec.secrets in the running daemon',
  run: (args) =>
    withErrors(async () => {
      const { paths } = parseDaemonArgs('reload', args);
      try {
        const { report, warnings } = await daemonClient(paths, QUERY_TIMEOUT_MS).request('reload', {});
        for (const w of warnings) process.stderr.write(`${w}\n`);
        process.stdout.write(
          `Reloaded configuration: added ${list(report.added)}; removed ${list(report.removed)}; changed ${list(report.changed)}; unchanged ${report.unchanged.length}\n`,
        );
        return 0;
      } catch (err) {
        return reportRefusal(err, 'reload', 'the running configuration is kept');
      }
    }),
};
