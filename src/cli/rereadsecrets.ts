// `ipsec rereadsecrets`: the daemon re-reads ipsec.secrets (PSKs, private
// keys) for the authentications that follow; established SAs are not
// touched. Broken secrets are refused with every diagnostic, and the
// secrets in force stay.

import type { Command } from './commands.js';
import { QUERY_TIMEOUT_MS, daemonClient } from './daemon-client.js';
import { reportRefusal } from './config-refused.js';
import { parseDaemonArgs, withErrors } from './daemon-options.js';

export const rereadSecretsCommand: Command = {
  summary: 're-read ipsec.secrets in the running daemon (SAs stay as they are)',
  run: (args) =>
    withErrors(async () => {
      const { paths } = parseDaemonArgs('rereadsecrets', args);
      try {
        const { secrets, warnings } = await daemonClient(paths, QUERY_TIMEOUT_MS).request('rereadsecrets', {});
        for (const w of warnings) process.stderr.write(`${w}\n`);
        process.stdout.write(`Reloaded secrets: ${secrets} entr${secrets === 1 ? 'y' : 'ies'} from ${paths.secretsFile}\n`);
        return 0;
      } catch (err) {
        return reportRefusal(err, 'rereadsecrets', 'the secrets in force are kept');
      }
    }),
};
