// The handshake load generator: nodeswan's own initiator (SaManager, IkeSa,
// the IKE_SA_INIT / IKE_AUTH tasks, the Executor, UdpTransport on a real UDP
// socket) opening `count` IKE SAs, each with one CHILD SA, against one
// responder, with at most `window` handshakes in flight.
//
// What the generator does to stay cheap (none of it changes the responder's
// work):
// - One ephemeral X25519 key pair for all SAs. RFC 7296 §2.12 allows an
//   initiator to reuse a Diffie-Hellman exponent across exchanges; the
//   responder still makes a fresh key pair and computes a fresh shared
//   secret per SA (its nonces and SPIs differ every time).
// - A kernel that stores nothing (the initiator's CHILD SAs have nowhere to
//   go on a host without ESP, and the generator's kernel is not measured).
// - Each IKE SA is forgotten (`abandon`, nothing sent) as soon as its CHILD
//   SA is up, so the generator's memory does not grow with `count`.
//
// Every SA has its own identity (`<i>.gen.bench`) and its own inner
// selector (2001:db8:1::<i>/128 === 2001:db8:2::/64), as N road warriors
// would: distinct policies on the responder, and N(INITIAL_CONTACT), which
// the initiator always sends, replaces nothing there.

import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:dgram';
import { loadConfig, loadSecrets } from '../../src/config/load.js';
import type { SecretsModel } from '../../src/config/secrets.js';
import { createKeyExchange, type KeyExchange } from '../../src/crypto/ke/key-exchange.js';
import type { KernelBackend, PolicyHandle, SaState } from '../../src/kernel/backend.js';
import { SystemClock } from '../../src/ike/clock.js';
import type { IkeConn } from '../../src/ike/conn.js';
import { connFromConfig } from '../../src/ike/conn-from-config.js';
import { CredentialStore } from '../../src/ike/credentials.js';
import type { SaEvent } from '../../src/ike/effects.js';
import { Executor } from '../../src/ike/executor.js';
import { IdType } from '../../src/ike/identity.js';
import type { IkeSa } from '../../src/ike/ike-sa.js';
import { SaManager } from '../../src/ike/sa-manager.js';
import { findPsk } from '../../src/ike/secret-lookup.js';
import type { TaskEnv } from '../../src/ike/tasks/task.js';
import { UdpTransport } from '../../src/net/udp-transport.js';

export interface LoadOptions {
  /** Our address (bound with an ephemeral port). */
  local: string;
  /** The responder's address. */
  remote: string;
  /** The responder's IKE port (default 500). */
  remotePort?: number;
  count: number;
  /** Handshakes in flight at most. */
  window: number;
  psk: string;
  /** ike= / esp= in ipsec.conf syntax. */
  ike: string;
  esp: string;
  /** The whole run stops after this long, finished or not. */
  timeoutMs: number;
}

export interface LoadResult {
  /** IKE SAs whose CHILD SA came up. */
  established: number;
  failed: number;
  /** IKE SAs still in flight when the time ran out. */
  unfinished: number;
  /** From the first IKE_SA_INIT to the last CHILD SA up. */
  seconds: number;
  /** Setup latency of each established SA (first request sent to CHILD SA up), ms, sorted. */
  latenciesMs: number[];
  /** Datagrams we sent beyond 2 per SA: retransmits (and COOKIE / INVALID_KE restarts). */
  extraDatagrams: number;
  received: number;
  /** The generator's own CPU over the run (user + system), seconds. */
  cpuSeconds: number;
  /** First few failure texts, for the report. */
  errors: string[];
}

/** A kernel that accepts everything and keeps nothing: the generator's CHILD SAs are not measured. */
class NullKernel implements KernelBackend {
  readonly reqidRange = { base: 1, count: 1 << 20 };
  private nextSpi = 0x1000;
  allocSpi(): Promise<number> {
    return Promise.resolve(this.nextSpi++);
  }
  addSa(): Promise<void> {
    return Promise.resolve();
  }
  updateSa(): Promise<void> {
    return Promise.resolve();
  }
  querySa(): Promise<SaState> {
    return Promise.reject(new Error('NullKernel keeps no SAs'));
  }
  deleteSa(): Promise<void> {
    return Promise.resolve();
  }
  listSas(): Promise<SaState[]> {
    return Promise.resolve([]);
  }
  addPolicy(): Promise<PolicyHandle> {
    return Promise.resolve({ index: 0 } as unknown as PolicyHandle);
  }
  updatePolicy(): Promise<PolicyHandle> {
    return this.addPolicy();
  }
  deletePolicy(): Promise<void> {
    return Promise.resolve();
  }
  listPolicies(): Promise<never[]> {
    return Promise.resolve([]);
  }
  flush(): Promise<{ sas: number; policies: number; routes: number }> {
    return Promise.resolve({ sas: 0, policies: 0, routes: 0 });
  }
  bypassSocket(_socket: Socket): Promise<void> {
    return Promise.resolve();
  }
  enableUdpEncap(_socket: Socket): Promise<void> {
    return Promise.resolve();
  }
  addRoute(): Promise<void> {
    return Promise.resolve();
  }
  deleteRoute(): Promise<void> {
    return Promise.resolve();
  }
  subscribe(): Promise<() => void> {
    return Promise.resolve(() => undefined);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The one X25519 pair every SA of the run uses (RFC 7296 §2.12); an SA's dispose() must not end it. */
function sharedKeyExchange(group: number): KeyExchange {
  const made = createKeyExchange(group);
  if (!made.ok) throw new Error(`key exchange ${group}: ${made.error.message}`);
  const ke = made.value;
  return { group: ke.group, publicValue: ke.publicValue, computeSharedSecret: (peer) => ke.computeSharedSecret(peer), dispose: () => undefined };
}

/** The generator's conn, built by the ipsec.conf pipeline like any admin's conn. */
export function generatorConn(options: Pick<LoadOptions, 'local' | 'remote' | 'ike' | 'esp'>): IkeConn {
  const text =
    `conn gen\n\tleft=${options.local}\n\tleftid=@gen.bench\n\tleftsubnet=2001:db8:1::1/128\n` +
    `\tright=${options.remote}\n\trightid=%any\n\trightsubnet=2001:db8:2::/64\n` +
    `\tauthby=psk\n\tike=${options.ike}!\n\tesp=${options.esp}!\n\tauto=add\n`;
  const loaded = loadConfig('<generator>', { text });
  const conn = loaded.model?.conns[0];
  if (loaded.errors > 0 || !conn) throw new Error(`generator conn: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  return connFromConfig(conn);
}

/** SA number i's conn: its own ID and inner selector. */
function connFor(base: IkeConn, i: number): IkeConn {
  const address = `2001:db8:1::${i.toString(16)}`;
  return {
    ...base,
    localId: { type: IdType.FQDN, value: `${i}.gen.bench` },
    localTs: [{ protocol: 0, startPort: 0, endPort: 65535, startAddress: address, endAddress: address }],
  };
}

function secretsFor(psk: string): SecretsModel {
  const loaded = loadSecrets('<generator>', { text: `: PSK "${psk}"\n` });
  if (!loaded.model || loaded.errors > 0) throw new Error('generator secrets did not parse');
  return loaded.model;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const base = generatorConn(options);
  const group = base.ikeProposals[0]?.transforms.find((t) => t.type === 4)?.id;
  if (group === undefined) throw new Error('ike= names no key exchange method');
  const ke = sharedKeyExchange(group);
  const secrets = secretsFor(options.psk);
  const credentials = new CredentialStore('/nonexistent/ipsec.d', secrets);
  const transport = new UdpTransport({ addresses: [options.local], ports: { ike: 0, natt: 0 } });
  await transport.start();
  const local = transport.listening().find((e) => e.address === options.local);
  if (!local) throw new Error(`not listening on ${options.local}`);

  let nextChild = 1;
  const env: TaskEnv = {
    random: randomBytes,
    conns: () => [],
    psk: (l, p) => findPsk(secrets, l, p),
    allowWeakGroups: false,
    credentials: () => credentials,
    now: () => new Date(),
    nextChildId: () => nextChild++,
    reqidFor: () => 1,
  };

  const started = new Map<number, number>(); // SA id -> start time
  // Our own index of the SAs in flight (SaManager.get scans every SA).
  const live = new Map<number, IkeSa>();
  const latencies: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  let launched = 0;
  let lastDone = 0;
  let wake: () => void = () => undefined;
  const finish = (sa: IkeSa | undefined, id: number, error?: string): void => {
    const t0 = started.get(id);
    if (t0 === undefined) return;
    started.delete(id);
    const now = performance.now();
    lastDone = now;
    if (error === undefined) latencies.push(now - t0);
    else {
      failed++;
      if (errors.length < 5) errors.push(error);
    }
    live.delete(id);
    if (sa) void sa.abandon('benchmark: done with it');
    wake();
  };

  let spiCounter = 0x2000;
  const onEvent = (event: SaEvent): void => {
    if (event.type === 'child-installed') finish(live.get(event.ikeSaId), event.ikeSaId);
    else if (event.type === 'child-failed' || event.type === 'ike-failed') finish(live.get(event.ikeSaId), event.ikeSaId, event.error);
  };
  const executor = new Executor({
    kernel: new NullKernel(),
    send: (l, r, bytes) => transport.send({ local: l, remote: r, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) }),
    emit: onEvent,
  });
  const manager = new SaManager({
    executor,
    clock: new SystemClock(),
    env,
    reserveSpi: () => Promise.resolve(spiCounter++),
    sendRaw: (l, r, bytes) => transport.send({ local: l, remote: r, bytes }),
    drop: () => undefined,
    forgotten: (sa) => finish(undefined, sa.id, sa.data.failure?.message ?? 'IKE SA closed before it was established'),
  });
  transport.onDatagram((d) => manager.handle(d));

  const remote = { address: options.remote, port: options.remotePort ?? 500 };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + options.timeoutMs;

  while (performance.now() < deadline) {
    while (started.size < options.window && launched < options.count) {
      launched++;
      const sa = manager.create(connFor(base, launched), local, remote);
      sa.data.ke = ke;
      live.set(sa.id, sa);
      started.set(sa.id, performance.now());
      void sa.initiate();
    }
    if (started.size === 0) break;
    await new Promise<void>((resolve) => {
      wake = resolve;
      setTimeout(resolve, Math.max(1, Math.min(1000, deadline - performance.now()))).unref();
    });
  }
  const cpu = process.cpuUsage(cpu0);
  const counters = transport.counters();
  const unfinished = started.size;
  const endedAt = performance.now();
  // What is still in flight at the deadline is forgotten (no retransmits after the run).
  started.clear();
  await Promise.all([...live.values()].map((sa) => sa.abandon('benchmark deadline')));
  await transport.close();
  latencies.sort((a, b) => a - b);
  return {
    established: latencies.length,
    failed,
    unfinished,
    seconds: ((unfinished > 0 ? endedAt : lastDone) - t0) / 1000,
    latenciesMs: latencies,
    extraDatagrams: counters.sent - 2 * launched,
    received: counters.received,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    errors,
  };
}
