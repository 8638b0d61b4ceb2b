// `ipsec show-config [NAME...] [--config F] [--secrets F] [--json|--yaml]`:
// prints the resolved model (every default applied; secrets masked). The
// --yaml output is itself a valid --config file.
import { existsSync } from 'node:fs';
import { formatDiagnostic } from '../config/diagnostics.js';
import { loadConfig, loadSecrets } from '../config/load.js';
import { type ConfigModel } from '../config/model.js';
import { maskedSecrets } from '../config/secrets.js';
import { stringify } from 'yaml';
import { describeModel } from '../config/describe.js';
import { modelToYaml } from '../config/yaml-config.js';
import { type Command } from './commands.js';
import { parseConfigArgs } from './check.js';

const USAGE = 'usage: ipsec show-config [NAME...] [--config FILE] [--secrets FILE] [--json|--yaml]\n';

export const showConfigCommand: Command = {
  summary: 'print the resolved configuration (defaults applied, secrets masked)',
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    const parsed = parseConfigArgs(args, { names: true, yaml: true });
    if (typeof parsed === 'string') {
      process.stderr.write(`ipsec show-config: ${parsed}\n${USAGE}`);
      return 1;
    }
    const conf = loadConfig(parsed.config);
    for (const d of conf.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
    if (!conf.model || conf.errors > 0) {
      process.stderr.write(`ipsec show-config: ${conf.errors} error${conf.errors === 1 ? '' : 's'} in ${parsed.config}; run 'ipsec check' for details\n`);
      return 1;
    }
    let model: ConfigModel = conf.model;
    if (parsed.names.length) {
      const missing = parsed.names.filter((n) => !model.conns.some((c) => c.name === n));
      if (missing.length) {
        process.stderr.write(`ipsec show-config: no conn named ${missing.map((m) => `'${m}'`).join(', ')}\n`);
        return 1;
      }
      model = { ...model, conns: model.conns.filter((c) => parsed.names.includes(c.name)) };
    }
    // Secrets only when asked for by name; they are always masked.
    let secrets: Record<string, unknown>[] | undefined;
    if (parsed.secretsExplicit && parsed.secrets) {
      if (!existsSync(parsed.secrets)) {
        process.stderr.write(`ipsec show-config: cannot read '${parsed.secrets}': no such file\n`);
        return 1;
      }
      const s = loadSecrets(parsed.secrets);
      for (const d of s.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
      secrets = s.model ? maskedSecrets(s.model) : [];
    }
    if (parsed.format === 'json') {
      process.stdout.write(`${JSON.stringify(secrets ? { ...model, secrets } : model, null, 2)}\n`);
    } else if (parsed.format === 'yaml') {
      // Loadable with --config x.yaml; secrets (masked) only as comments.
      process.stdout.write(modelToYaml(model));
      if (secrets) process.stdout.write(`# secrets (masked; not part of the loadable config)\n${stringify({ secrets }).replace(/^/gm, '# ')}`);
    } else {
      process.stdout.write(describeModel(model));
      if (secrets) for (const s of secrets) process.stdout.write(`secret ${s.type} for ${(s.ids as string[]).join(' ') || '(any)'}: ${s.secret ?? (s.prompt ? '%prompt' : '-')}${s.file ? ` file ${String(s.file)}` : ''}\n`);
    }
    return 0;
  },
};
