// `ipsec rereadsecrets`: the daemon re-reads ipsec.secrets (PSKs, private
// keys) for the authentications that follow; established SAs are not
// touched. Broken secrets are refused with every diagnostic, and the
// secrets in force stay.

import type { Command } from './commands.js';
import { QUERY_TIMEOUT_MS, daemonClient } from './daemon-client.js';
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
        const e = err as { code?: unknown; message?: string; details?: string[] };
        if (e.code !== 'CONFIG_INVALID') throw err;
        process.stderr.write(`rereadsecrets refused: ${e.message}\n`);
        for (const d of e.details ?? []) process.stderr.write(`${d}\n`);
        process.stderr.write('the secrets in force are kept\n');
        return 1;
      }
    }),
};
