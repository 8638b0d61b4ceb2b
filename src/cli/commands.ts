// Command table of the `ipsec` CLI. Each command lives in its own file under
// src/cli/ and is registered here by name.

export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

const commands: Record<string, () => Promise<Command>> = {};

export function registerCommand(name: string, load: () => Promise<Command>): void {
  commands[name] = load;
}

function usage(): string {
  const names = Object.keys(commands).sort();
  return `usage: ipsec <command> [options]\ncommands: ${names.join(', ')}\n`;
}

export async function runCli(argv: string[]): Promise<number> {
  await import('./registry.js');
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 1;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`ipsec: unknown command '${name}'\n${usage()}`);
    return 1;
  }
  const command = await load();
  return command.run(rest);
}
