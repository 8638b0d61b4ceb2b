// `ipsec install-service [--prefix DIR] [--dry-run] [--ipsec COMMAND]`:
// puts conf/ipsec.service into PREFIX/etc/systemd/system with absolute
// paths to this nodeswan, and the default ipsec.conf / ipsec.secrets
// (secrets 0600) and ipsec.d folders into PREFIX/etc when they are absent.
// Existing configuration is never overwritten; the unit is (it is ours).

import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Command } from './commands.js';

const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface InstallPlanEntry {
  path: string;
  mode: number;
  /** File content; undefined for a folder. */
  content?: string;
  /** Why nothing is written (kept as it is). */
  skip?: string;
}

export class InstallError extends Error {
  constructor(
    readonly code: 'INSTALL_USAGE' | 'INSTALL_NO_BUILD' | 'INSTALL_BAD_COMMAND' | 'INSTALL_WRITE_FAILED',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The command line systemd runs for `ipsec`: node and the built CLI of this
 * package (dist/, which `npm run build` makes), both absolute.
 */
export function defaultIpsecCommand(root = packageRoot, node = process.execPath): string {
  const main = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) throw new InstallError('INSTALL_NO_BUILD', `${main} does not exist; run 'npm run build' first`);
  return `${node} ${main}`;
}

/** The shipped unit with every `/usr/bin/ipsec` replaced by `ipsecCommand`. */
export function renderUnit(
  ipsecCommand: string,
  template = readFileSync(join(packageRoot, 'conf', 'ipsec.service'), 'utf8'),
  docs = join(packageRoot, 'docs', 'systemd.md'),
): string {
  const words = ipsecCommand.trim().split(/\s+/);
  // systemd needs an absolute program; its arguments are absolute paths or node options.
  if (!words[0]?.startsWith('/') || !words.every((w) => w.startsWith('/') || w.startsWith('--'))) {
    throw new InstallError('INSTALL_BAD_COMMAND', `--ipsec must be absolute paths (systemd needs them), got '${ipsecCommand}'`);
  }
  if (words.some((w) => /["'\\%$]/.test(w))) {
    throw new InstallError('INSTALL_BAD_COMMAND', `--ipsec '${ipsecCommand}' contains characters systemd would interpret (quotes, \\, %, $)`);
  }
  return template
    .replace(/^(Exec(?:Start|Reload|Stop)=)\/usr\/bin\/ipsec\b/gm, (_m, key: string) => `${key}${words.join(' ')}`)
    .replace(/^Documentation=file:\/\/\S+$/m, `Documentation=file://${docs}`);
}

/** What install-service would write under `prefix`, existing files marked as kept. */
export function planInstall(prefix: string, ipsecCommand: string, root = packageRoot): InstallPlanEntry[] {
  const at = (p: string) => join(prefix, p);
  const keepIfPresent = (entry: InstallPlanEntry): InstallPlanEntry =>
    existsSync(entry.path) ? { ...entry, content: undefined, skip: 'exists, kept' } : entry;
  return [
    { path: at('etc/systemd/system/ipsec.service'), mode: 0o644, content: renderUnit(ipsecCommand, readFileSync(join(root, 'conf', 'ipsec.service'), 'utf8'), join(root, 'docs', 'systemd.md')) },
    keepIfPresent({ path: at('etc/ipsec.conf'), mode: 0o644, content: readFileSync(join(root, 'conf', 'ipsec.conf'), 'utf8') }),
    keepIfPresent({ path: at('etc/ipsec.secrets'), mode: 0o600, content: readFileSync(join(root, 'conf', 'ipsec.secrets'), 'utf8') }),
    keepIfPresent({ path: at('etc/ipsec.d'), mode: 0o755 }),
    keepIfPresent({ path: at('etc/ipsec.d/cacerts'), mode: 0o755 }),
    keepIfPresent({ path: at('etc/ipsec.d/certs'), mode: 0o755 }),
    keepIfPresent({ path: at('etc/ipsec.d/private'), mode: 0o700 }),
  ];
}

export function applyInstall(plan: InstallPlanEntry[]): void {
  for (const entry of plan) {
    if (entry.skip) continue;
    try {
      if (entry.content === undefined) {
        mkdirSync(entry.path, { recursive: true, mode: entry.mode });
        chmodSync(entry.path, entry.mode);
      } else {
        mkdirSync(dirname(entry.path), { recursive: true });
        // 'wx' for config files would race nothing here: planInstall already
        // decided; the unit itself is replaced on purpose.
        writeFileSync(entry.path, entry.content, { mode: entry.mode });
        chmodSync(entry.path, entry.mode);
      }
    } catch (err) {
      throw new InstallError('INSTALL_WRITE_FAILED', `cannot write ${entry.path}: ${(err as Error).message}`);
    }
  }
}

function describe(entry: InstallPlanEntry, dryRun: boolean): string {
  const what = entry.content === undefined && !entry.skip ? 'folder' : 'file';
  if (entry.skip) return `  ${entry.path} (${entry.skip})`;
  return `  ${entry.path} (${what}, mode ${entry.mode.toString(8).padStart(4, '0')})${dryRun ? ' would be written' : ''}`;
}

export const installServiceCommand: Command = {
  summary: 'install the systemd unit and default config (--prefix DIR, --dry-run, --ipsec COMMAND)',
  async run(args) {
    try {
      let parsed;
      try {
        parsed = parseArgs({
          args,
          options: { prefix: { type: 'string' }, 'dry-run': { type: 'boolean' }, ipsec: { type: 'string' } },
          strict: true,
          allowPositionals: false,
        });
      } catch (err) {
        throw new InstallError('INSTALL_USAGE', `ipsec install-service: ${(err as Error).message.split('\n')[0]} (options: --prefix DIR, --dry-run, --ipsec COMMAND)`);
      }
      const prefix = resolve(parsed.values.prefix ?? '/');
      const dryRun = parsed.values['dry-run'] === true;
      const command = parsed.values.ipsec ?? defaultIpsecCommand();
      const plan = planInstall(prefix, command);
      if (dryRun) {
        process.stdout.write(`ipsec install-service --dry-run: nothing written\n${plan.map((e) => describe(e, true)).join('\n')}\n`);
        process.stdout.write(`--- ${plan[0]!.path} ---\n${plan[0]!.content}`);
        return 0;
      }
      applyInstall(plan);
      process.stdout.write(`${plan.map((e) => describe(e, false)).join('\n')}\n`);
      process.stdout.write(
        prefix === '/'
          ? `next: systemctl daemon-reload && systemctl enable --now ipsec\n`
          : `installed under ${prefix}; on the target: systemctl daemon-reload && systemctl enable --now ipsec\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof InstallError) {
        process.stderr.write(`${err.message}\n`);
        return 1;
      }
      throw err;
    }
  },
};
