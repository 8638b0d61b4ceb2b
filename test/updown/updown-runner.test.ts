import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Logger } from '../../src/log/logger.js';
import { NftFirewall } from '../../src/updown/nft-firewall.js';
import type { UpdownEvent } from '../../src/updown/updown-event.js';
import { UpdownRunner } from '../../src/updown/updown-runner.js';

let dir: string;
let log: string[];
let logger: Logger;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodeswan-runner-'));
  log = [];
  logger = new Logger({ sink: { write: (line) => log.push(line) }, timestamps: false });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function event(overrides: Partial<UpdownEvent>): UpdownEvent {
  return {
    phase: 'up',
    conn: 'office',
    firewall: false,
    hostAccess: false,
    reqid: 7,
    protocol: 'esp',
    mode: 'tunnel',
    uniqueId: 1,
    me: '192.0.2.1',
    peer: '192.0.2.2',
    myId: '192.0.2.1',
    peerId: '192.0.2.2',
    myTs: [{ protocol: 0, startPort: 0, endPort: 65535, startAddress: '198.51.100.0', endAddress: '198.51.100.255' }],
    peerTs: [{ protocol: 0, startPort: 0, endPort: 65535, startAddress: '203.0.113.0', endAddress: '203.0.113.255' }],
    ...overrides,
  };
}

describe('UpdownRunner', () => {
  it('runs the script per event in order, returning before it runs', async () => {
    const out = join(dir, 'verbs.txt');
    // The first run is slow: down must still come after up.
    const path = script('record.sh', `[ "$PLUTO_VERB" = up-client ] && sleep 0.3; echo "$PLUTO_VERB $PLUTO_CONNECTION $PLUTO_MY_CLIENT $PLUTO_PEER_CLIENT $PLUTO_INTERFACE" >> ${out}; echo "said $PLUTO_VERB"`);
    const runner = new UpdownRunner({ logger, interfaceOf: () => 'eth7' });
    runner.notify(event({ script: path }));
    runner.notify(event({ script: path, phase: 'down' }));
    expect(existsSync(out)).toBe(false); // notify returned before anything ran
    await runner.idle();
    expect(readFileSync(out, 'utf8')).toBe('up-client office 198.51.100.0/24 203.0.113.0/24 eth7\ndown-client office 198.51.100.0/24 203.0.113.0/24 eth7\n');
    expect(log.some((l) => l.includes('updown: said up-client'))).toBe(true);
  });

  it('logs a failing and a hanging script; a hanging one does not hold up other conns', async () => {
    const out = join(dir, 'other.txt');
    const hang = script('hang.sh', 'sleep 30');
    const fail = script('fail.sh', 'echo "cannot do it" >&2; exit 2');
    const ok = script('ok.sh', `echo "$PLUTO_CONNECTION" >> ${out}`);
    const runner = new UpdownRunner({ logger, scriptTimeoutMs: 4000 });
    runner.notify(event({ conn: 'stuck', script: hang }));
    runner.notify(event({ conn: 'broken', script: fail }));
    runner.notify(event({ conn: 'fine', script: ok }));
    const deadline = Date.now() + 3500;
    const written = () => (existsSync(out) ? readFileSync(out, 'utf8') : '');
    // The shell creates the file before it writes the line: wait for the line.
    while (!written().endsWith('\n') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(written()).toBe('fine\n'); // before the stuck script's timeout
    await runner.idle();
    const text = log.join('\n');
    expect(text).toMatch(/updown: cannot do it/);
    expect(text).toMatch(/updown script '.*fail\.sh' for up-client 198\.51\.100\.0\/24 === 203\.0\.113\.0\/24: exited with status 2/);
    expect(text).toMatch(/updown script '.*hang\.sh' for up-client .*: killed after 4000 ms \(timeout\)/);
  });

  it('says clearly when leftfirewall=yes cannot work because nft is missing', async () => {
    const missing = new NftFirewall(async () => ({ code: null, stdout: '', stderr: 'spawn nft ENOENT', missing: true }));
    const runner = new UpdownRunner({ logger, firewall: missing });
    runner.notify(event({ firewall: true }));
    await runner.idle();
    expect(log.join('\n')).toMatch(/leftfirewall=yes on conn 'office': nft \(nftables\) is not installed or not in PATH; no firewall rules for 198\.51\.100\.0\/24 === 203\.0\.113\.0\/24/);
  });

  it('leftfirewall: clears a predecessor\'s table first, adds on up, deletes those handles on down, the table on close', async () => {
    const calls: string[] = [];
    let handle = 10;
    const firewall = new NftFirewall(async (args, script) => {
      calls.push(script.trim().split('\n').filter((l) => !l.startsWith('add table') && !l.startsWith('add chain')).join(' | '));
      const echo = script.split('\n').map((l) => (l.startsWith('add rule') ? `${l} # handle ${handle++}` : l)).join('\n');
      return { code: 0, stdout: args.includes('--echo') ? echo : '', stderr: '', missing: false };
    });
    const runner = new UpdownRunner({ logger, firewall, resetFirewallAtStart: true });
    runner.notify(event({ firewall: true }));
    runner.notify(event({ firewall: true, phase: 'down' }));
    await runner.idle();
    await runner.close();
    expect(calls.map((c) => c.replace(/ ip saddr .*? accept comment "[^"]*"/g, ' ...'))).toEqual([
      'delete table inet nodeswan',
      'add rule inet nodeswan forward ... | add rule inet nodeswan forward ...',
      'delete rule inet nodeswan forward handle 10 | delete rule inet nodeswan forward handle 11',
      'delete table inet nodeswan',
    ]);
    expect(log.join('\n')).toContain('leftfirewall: accept rules for 198.51.100.0/24 === 203.0.113.0/24 added to table inet nodeswan');
  });

  it('leaves nftables alone at close when no rule was added in this run', async () => {
    const calls: string[] = [];
    const firewall = new NftFirewall(async (_args, script) => {
      calls.push(script.trim());
      return { code: 1, stdout: '', stderr: 'Error: Operation not permitted', missing: false };
    });
    const runner = new UpdownRunner({ logger, firewall, resetFirewallAtStart: true });
    await runner.close();
    expect(calls).toEqual(['delete table inet nodeswan']);
    expect(log).toEqual([]); // the failed start-up cleanup is a debug line only
  });

  it('ignores conns without leftupdown or leftfirewall', async () => {
    const calls: string[][] = [];
    const firewall = new NftFirewall(async (args) => {
      calls.push(args);
      return { code: 0, stdout: '', stderr: '', missing: false };
    });
    const runner = new UpdownRunner({ logger, firewall });
    runner.notify(event({}));
    await runner.idle();
    expect(calls).toEqual([]);
    expect(log).toEqual([]);
  });
});
