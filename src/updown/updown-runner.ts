// The daemon's UpdownPort: runs the `leftupdown` script or applies the
// `leftfirewall` rules for each event, off the IKE path. Events of one conn
// run strictly in order (down never overtakes up); different conns do not
// wait for each other. Every script run is bounded by a timeout, and its
// exit status and output go to the log (the environment holds no secrets:
// addresses, identities, selectors).

import { networkInterfaces } from 'node:os';
import type { Logger } from '../log/logger.js';
import { firewallRules } from './firewall-rules.js';
import { NftMissingError, type NftFirewall } from './nft-firewall.js';
import { runScript, type ScriptResult } from './script-runner.js';
import { updownInvocations, type UpdownInvocation } from './updown-env.js';
import { wantsUpdown, type UpdownEvent, type UpdownPort } from './updown-event.js';

export interface UpdownRunnerOptions {
  logger?: Logger;
  /** How long one script run may take before it is killed (default 30 s). */
  scriptTimeoutMs?: number;
  /** How long close() waits for queued work (default: one script timeout). */
  closeTimeoutMs?: number;
  /** Applies leftfirewall rules; without it leftfirewall=yes is logged as unavailable. */
  firewall?: NftFirewall;
  /** Remove a predecessor's firewall table before the first event (a crashed daemon's rules). */
  resetFirewallAtStart?: boolean;
  /** The interface carrying an address (PLUTO_INTERFACE); default: the host's interface list. */
  interfaceOf?: (address: string) => string | undefined;
  /** PATH given to scripts; default the daemon's own. */
  path?: string;
  shell?: string;
}

const DEFAULT_SCRIPT_TIMEOUT_MS = 30_000;

export class UpdownRunner implements UpdownPort {
  private readonly queues = new Map<string, Promise<void>>();
  /** PLUTO_INTERFACE as seen at up, reused at down (the address may be gone by then). */
  private readonly interfaces = new Map<number, string>();
  private readonly timeoutMs: number;
  /** Rules were added in this run, so close() removes the table. */
  private firewallUsed = false;
  /** Every event waits for this (the start-up cleanup of the firewall table). */
  private readonly ready: Promise<void>;

  constructor(private readonly options: UpdownRunnerOptions = {}) {
    this.timeoutMs = options.scriptTimeoutMs ?? DEFAULT_SCRIPT_TIMEOUT_MS;
    // Quiet (debug) when it fails: most daemons never use leftfirewall, and
    // one without the right to change nftables must not log an error for it.
    this.ready = options.firewall && options.resetFirewallAtStart ? this.resetFirewall('removing a previous table inet nodeswan', 'debug') : Promise.resolve();
  }

  notify(event: UpdownEvent): void {
    if (!wantsUpdown(event)) return;
    const previous = this.queues.get(event.conn) ?? this.ready;
    // setImmediate: the IKE SA's current batch (e.g. the response after a
    // Delete) goes out before a script or nft process is even spawned.
    const next = previous.then(() => new Promise<void>((resolve) => setImmediate(resolve))).then(() => this.handle(event)).catch((err: unknown) => {
      this.log(event.conn, 'error', `updown for conn '${event.conn}' failed: ${(err as Error)?.message ?? String(err)}`);
    });
    this.queues.set(event.conn, next);
    void next.then(() => {
      if (this.queues.get(event.conn) === next) this.queues.delete(event.conn);
    });
  }

  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  async close(): Promise<void> {
    const limit = this.options.closeTimeoutMs ?? this.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      this.idle().then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), limit))),
    ]);
    clearTimeout(timer);
    if (!drained) this.log(undefined, 'warn', `updown: work still queued after ${limit} ms at shutdown; not waiting for it`);
    await this.ready;
    if (this.firewallUsed) await this.resetFirewall('removing table inet nodeswan', 'error');
  }

  private async resetFirewall(what: string, level: 'error' | 'debug'): Promise<void> {
    await this.options.firewall?.reset().catch((err: unknown) => this.log(undefined, level, `leftfirewall: ${what} failed: ${(err as Error).message}`));
  }

  private async handle(event: UpdownEvent): Promise<void> {
    const interfaceName = this.interfaceFor(event);
    const invocations = updownInvocations(event, { path: this.options.path ?? process.env.PATH ?? '', ...(interfaceName ? { interfaceName } : {}) });
    if (invocations.length === 0) {
      this.log(event.conn, 'warn', `updown: conn '${event.conn}' ${event.phase}: no pair of selectors of one address family; nothing to run`);
      return;
    }
    for (const invocation of invocations) {
      if (event.script !== undefined) await this.runOne(event, invocation);
      else if (event.firewall) await this.applyFirewall(event, invocation);
    }
  }

  private interfaceFor(event: UpdownEvent): string | undefined {
    if (event.phase === 'down' || event.phase === 'unroute') {
      const cached = this.interfaces.get(event.reqid);
      this.interfaces.delete(event.reqid);
      return cached ?? this.lookupInterface(event.me);
    }
    const name = this.lookupInterface(event.me);
    if (name) this.interfaces.set(event.reqid, name);
    return name;
  }

  private lookupInterface(address: string): string | undefined {
    if (this.options.interfaceOf) return this.options.interfaceOf(address);
    for (const [name, addrs] of Object.entries(networkInterfaces())) {
      if (addrs?.some((a) => a.address === address)) return name;
    }
    return undefined;
  }

  private async runOne(event: UpdownEvent, inv: UpdownInvocation): Promise<void> {
    const what = `${inv.verb} ${inv.env.PLUTO_MY_CLIENT} === ${inv.env.PLUTO_PEER_CLIENT}`;
    const result = await runScript(event.script!, inv.env, { timeoutMs: this.timeoutMs, ...(this.options.shell ? { shell: this.options.shell } : {}) });
    for (const line of result.lines) this.log(event.conn, 'info', `updown: ${line}`);
    if (result.droppedLines > 0) this.log(event.conn, 'info', `updown: (${result.droppedLines} more lines of output not logged)`);
    const outcome = describeOutcome(result, this.timeoutMs);
    if (outcome) this.log(event.conn, 'error', `updown script '${event.script}' for ${what}: ${outcome}`);
    else this.log(event.conn, 'debug', `updown script for ${what} done`);
  }

  private async applyFirewall(event: UpdownEvent, inv: UpdownInvocation): Promise<void> {
    const firewall = this.options.firewall;
    const what = `${inv.env.PLUTO_MY_CLIENT} === ${inv.env.PLUTO_PEER_CLIENT}`;
    if (!firewall) {
      this.log(event.conn, 'error', `leftfirewall=yes on conn '${event.conn}': no firewall backend in this daemon; no rules for ${what}`);
      return;
    }
    const key = `${event.conn}|${event.reqid}|${what}`;
    try {
      if (event.phase === 'up') {
        this.firewallUsed = true;
        await firewall.add(key, firewallRules(event, inv));
        this.log(event.conn, 'info', `leftfirewall: accept rules for ${what} added to table inet nodeswan`);
      } else if (event.phase === 'down') {
        await firewall.remove(key);
        this.log(event.conn, 'info', `leftfirewall: accept rules for ${what} removed`);
      }
      // route/unroute: no traffic flows yet, so there is nothing to admit.
    } catch (err) {
      if (err instanceof NftMissingError) {
        this.log(event.conn, 'error', `leftfirewall=yes on conn '${event.conn}': ${err.message}; no firewall rules for ${what} (install nftables, or use leftupdown= with your own rules)`);
      } else {
        this.log(event.conn, 'error', `leftfirewall: nft refused the rules for ${what}: ${(err as Error).message}`);
      }
    }
  }

  private log(conn: string | undefined, level: 'error' | 'warn' | 'info' | 'debug', message: string): void {
    const logger = this.options.logger?.for('chd', conn);
    if (!logger) return;
    logger[level](message);
  }
}

/** Why a run counts as failed, or undefined when it exited 0. */
function describeOutcome(result: ScriptResult, timeoutMs: number): string | undefined {
  if (result.spawnError) return `could not be started: ${result.spawnError}`;
  if (result.timedOut) return `killed after ${timeoutMs} ms (timeout)`;
  if (result.signal) return `killed by ${result.signal}`;
  if (result.code !== 0) return `exited with status ${result.code}`;
  return undefined;
}
