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
