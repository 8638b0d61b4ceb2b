// Applies leftfirewall rules with the `nft` tool, in nodeswan's own table
// (`table inet nodeswan`), never in the admin's. Each added rule's handle
// is remembered (nft --echo --handle) so exactly those rules go on down;
// close() deletes the whole table.

import { spawn } from 'node:child_process';
import { NFT_FAMILY, NFT_TABLE, tableSetup, type FirewallRule } from './firewall-rules.js';

export interface NftOutcome {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The nft program is not installed (spawn ENOENT). */
  missing: boolean;
}

/** Runs `nft` with the given arguments and a script on stdin. */
export type NftRunner = (args: string[], script: string) => Promise<NftOutcome>;

export class NftMissingError extends Error {
  constructor() {
    super('nft (nftables) is not installed or not in PATH');
  }
}

const NFT_TIMEOUT_MS = 10_000;

/** The real runner; `command` lets tests run it inside a network namespace (`ip netns exec NS nft`). */
export function spawnNft(command: readonly string[] = ['nft']): NftRunner {
  return (args, script) =>
    new Promise((resolve) => {
      const [file, ...pre] = command;
      const child = spawn(file!, [...pre, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), NFT_TIMEOUT_MS);
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ code: null, stdout, stderr: err.message, missing: err.code === 'ENOENT' });
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr, missing: false });
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(script);
    });
}

interface Installed {
  chain: string;
  handle: number;
}

export class NftFirewall {
  private readonly installed = new Map<string, Installed[]>();

  constructor(private readonly run: NftRunner = spawnNft()) {}

  /** Adds the rules under `key` (one CHILD SA selector pair); throws with nft's own message on failure. */
  async add(key: string, rules: readonly FirewallRule[]): Promise<void> {
    if (rules.length === 0) return;
    // The table and chains are (re)declared each time: `add` keeps what exists, and
    // an admin who deleted the table does not break the next CHILD SA.
    const lines = tableSetup();
    for (const r of rules) lines.push(`add rule ${NFT_FAMILY} ${NFT_TABLE} ${r.chain} ${r.body}`);
    const out = await this.exec(['--echo', '--handle', '-f', '-'], lines.join('\n') + '\n');
    const handles = parseRuleHandles(out.stdout);
    const list = this.installed.get(key) ?? [];
    rules.forEach((r, i) => {
      const handle = handles[i];
      if (handle !== undefined) list.push({ chain: r.chain, handle });
    });
    this.installed.set(key, list);
  }

  /** Removes every rule added under `key`; rules already gone are not an error. */
  async remove(key: string): Promise<void> {
    const list = this.installed.get(key);
    this.installed.delete(key);
    if (!list || list.length === 0) return;
    const batch = list.map((r) => `delete rule ${NFT_FAMILY} ${NFT_TABLE} ${r.chain} handle ${r.handle}`).join('\n') + '\n';
    const all = await this.run(['-f', '-'], batch);
    if (all.missing) throw new NftMissingError();
    if (all.code === 0) return;
    // A batch fails as a whole when one rule vanished (an admin flushed the
    // chain): then rule by rule, "already gone" being fine.
    const failures: string[] = [];
    for (const r of list) {
      const out = await this.run(['-f', '-'], `delete rule ${NFT_FAMILY} ${NFT_TABLE} ${r.chain} handle ${r.handle}\n`);
      if (out.missing) throw new NftMissingError();
      if (out.code !== 0 && !/No such file or directory/i.test(out.stderr)) failures.push(out.stderr.trim());
    }
    if (failures.length > 0) throw new Error(failures.join('; '));
  }

  /** Deletes nodeswan's table (left by a predecessor, or ours at stop). Quiet when there is none or no nft. */
  async reset(): Promise<void> {
    this.installed.clear();
    const out = await this.run(['-f', '-'], `delete table ${NFT_FAMILY} ${NFT_TABLE}\n`);
    if (out.missing || out.code === 0 || /No such file or directory/i.test(out.stderr)) return;
    throw new Error(out.stderr.trim());
  }

  /** Keys with rules in place (tests, status). */
  keys(): string[] {
    return [...this.installed.keys()];
  }

  private async exec(args: string[], script: string): Promise<NftOutcome> {
    const out = await this.run(args, script);
    if (out.missing) throw new NftMissingError();
    if (out.code !== 0) throw new Error(out.stderr.trim() || `nft exited with ${out.code}`);
    return out;
  }
}

/** Handles of the `add rule` lines nft echoed, in order ("... # handle 7"). */
export function parseRuleHandles(echo: string): number[] {
  const handles: number[] = [];
  for (const line of echo.split('\n')) {
    if (!line.startsWith('add rule ')) continue;
    const m = /# handle (\d+)\s*$/.exec(line);
    if (m) handles.push(Number(m[1]));
  }
  return handles;
}
