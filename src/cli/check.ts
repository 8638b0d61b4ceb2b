// `ipsec check [--config F] [--secrets F] [--json]`: reads ipsec.conf (or
// its YAML form) and ipsec.secrets offline and lists every problem as
// FILE:LINE:COL: error|warning: message. Exit 0 without errors, 1 with.
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crossCheck } from '../config/cross-check.js';
import { type Diagnostic, Diagnostics, formatDiagnostic } from '../config/diagnostics.js';
import { loadConfig, loadSecrets } from '../config/load.js';
import { type Command } from './commands.js';

// Option parsing shared by the offline config commands (check, show-config).
export interface ConfigArgs {
  config: string;
  secrets: string | undefined;
  secretsExplicit: boolean;
  format: 'text' | 'json' | 'yaml';
  names: string[];
}

export const DEFAULT_CONFIG = '/etc/ipsec.conf';
export const DEFAULT_SECRETS = '/etc/ipsec.secrets';

export function parseConfigArgs(args: string[], allowed: { names: boolean; yaml: boolean }): ConfigArgs | string {
  const out: ConfigArgs = { config: DEFAULT_CONFIG, secrets: DEFAULT_SECRETS, secretsExplicit: false, format: 'text', names: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? args[++i];
    switch (flag) {
      case '--config':
      case '-c': {
        const v = value();
        if (!v) return `${flag} needs a file name`;
        out.config = v;
        break;
      }
      case '--secrets':
      case '-s': {
        const v = value();
        if (!v) return `${flag} needs a file name`;
        out.secrets = v;
        out.secretsExplicit = true;
        break;
      }
      case '--json':
        out.format = 'json';
        break;
      case '--yaml':
        if (!allowed.yaml) return `unknown option '${a}'`;
        out.format = 'yaml';
        break;
      default:
        if (a.startsWith('-') || !allowed.names) return `unknown option '${a}'`;
        out.names.push(a);
    }
  }
  return out;
}

export interface CheckReport {
  ok: boolean;
  errors: number;
  warnings: number;
  conns: number;
  secrets: number;
  diagnostics: Diagnostic[];
}

/** Runs the checks; `secrets` undefined skips ipsec.secrets. */
export function runCheck(config: string, secrets: string | undefined): CheckReport {
  const conf = loadConfig(config);
  const sec = secrets !== undefined ? loadSecrets(secrets) : undefined;
  const cross = new Diagnostics();
  if (conf.model && sec?.model && conf.errors === 0) crossCheck(conf.model, sec.model, cross);
  const diagnostics = [...conf.diagnostics, ...(sec?.diagnostics ?? []), ...cross.sorted()];
  const errors = conf.errors + (sec?.errors ?? 0) + cross.errorCount;
  return {
    ok: errors === 0,
    errors,
    warnings: conf.warnings + (sec?.warnings ?? 0) + cross.warningCount,
    conns: conf.model?.conns.length ?? 0,
    secrets: sec?.model?.entries.length ?? 0,
    diagnostics,
  };
}

const USAGE = `usage: ipsec check [--config FILE] [--secrets FILE] [--json]
  --config   ipsec.conf to check (default ${DEFAULT_CONFIG}; FILE.yaml for the YAML form)
  --secrets  ipsec.secrets to check (default: ${DEFAULT_SECRETS} with the default config,
             otherwise ipsec.secrets next to FILE, when it exists)
`;

/**
 * Which secrets file to read. A file named on the command line must be
 * readable; the default one is optional, and when it exists but cannot be
 * read (not root) that is a warning, not a failed check.
 */
export function chooseSecrets(config: string, explicit: string | undefined): { secrets: string | undefined; note?: Diagnostic } {
  if (explicit !== undefined) return { secrets: explicit };
  const candidate = config === DEFAULT_CONFIG ? DEFAULT_SECRETS : join(dirname(config), 'ipsec.secrets');
  if (!existsSync(candidate)) return { secrets: undefined };
  try {
    accessSync(candidate, constants.R_OK);
    return { secrets: candidate };
  } catch {
    return {
      secrets: undefined,
      note: { file: candidate, line: 1, col: 1, severity: 'warning', code: 'secrets-unreadable', message: 'cannot read the secrets file (permission denied); run as root to check it too' },
    };
  }
}

export const checkCommand: Command = {
  summary: 'check ipsec.conf and ipsec.secrets offline and list every problem',
  async run(args) {
    if (args.includes('--help') || args.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    const parsed = parseConfigArgs(args, { names: false, yaml: false });
    if (typeof parsed === 'string') {
      process.stderr.write(`ipsec check: ${parsed}\n${USAGE}`);
      return 1;
    }
    const { secrets, note } = chooseSecrets(parsed.config, parsed.secretsExplicit ? parsed.secrets : undefined);
    const report = runCheck(parsed.config, secrets);
    if (note) {
      report.diagnostics.push(note);
      report.warnings++;
    }
    if (parsed.format === 'json') {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const d of report.diagnostics) process.stdout.write(`${formatDiagnostic(d)}\n`);
      const summary = `${parsed.config}: ${report.conns} conn${report.conns === 1 ? '' : 's'}${secrets ? `, ${report.secrets} secret${report.secrets === 1 ? '' : 's'}` : ''}; ${report.errors} error${report.errors === 1 ? '' : 's'}, ${report.warnings} warning${report.warnings === 1 ? '' : 's'}`;
      process.stderr.write(`${summary}\n`);
    }
    return report.ok ? 0 : 1;
  },
};
