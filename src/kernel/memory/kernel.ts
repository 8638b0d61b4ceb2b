// The in-memory twin of one kernel network namespace: an SAD, an SPD, a
// routing table and the event multicast. Several MemoryBackends can share
// one MemoryKernel, like several daemons sharing a kernel, so ownership and
// flush behave as they do over xfrm. Semantics follow the kernel's:
// errno values (EEXIST, ESRCH for SAs, ENOENT for policies), reserved SPIs
// as larval states with a 30 s hard lifetime, UPDSA on a valid SA changing
// only lifetimes and encapsulation, policy indexes whose low bits are the
// direction. Tests drive what only traffic could: counters, packets hitting
// trap policies, NAT mapping changes.
import type {
  KernelEvent,
  PolicyDir,
  PolicyState,
  RouteSpec,
  SaId,
  SaState,
  TrafficSelector,
  XfrmMark,
  XfrmProto,
} from '../backend.js';
import { KernelError } from '../backend.js';
import { canonicalAddress, parseAddress, parsePrefix } from '../address.js';
import { selectorKey } from '../selector.js';

const DIR_CODE: Record<PolicyDir, number> = { in: 0, out: 1, fwd: 2 };

export function saKey(id: { dst: string; spi: number; proto: XfrmProto; mark?: XfrmMark }): string {
  const m = id.mark ? `${id.mark.value >>> 0}/${id.mark.mask >>> 0}` : '0/0';
  return `${canonicalAddress(id.dst)}|${id.spi >>> 0}|${id.proto}|${m}`;
}

/** Policy identity as the kernel sees it: direction, whole selector (with the owner mark), mark, if_id. */
export function policyKey(p: { dir: PolicyDir; selector: TrafficSelector; mark?: XfrmMark; ifId?: number }, owner: number): string {
  const m = p.mark ? `${p.mark.value >>> 0}/${p.mark.mask >>> 0}` : '0/0';
  return `${p.dir}|${selectorKey(p.selector)}|${owner >>> 0}|${m}|${p.ifId ?? 0}`;
}

function prefixContains(prefix: string, address: string): boolean {
  const p = parsePrefix(prefix);
  const a = parseAddress(address);
  if (p.family !== a.family) return false;
  for (let bit = 0; bit < p.length; bit++) {
    const mask = 0x80 >> (bit & 7);
    if ((p.bytes[bit >> 3]! & mask) !== (a.bytes[bit >> 3]! & mask)) return false;
  }
  return true;
}

/** A packet as the twin's SPD sees it. */
export interface PacketFlow {
  src: string;
  dst: string;
  proto?: number;
  srcPort?: number;
  dstPort?: number;
}

function selectorMatches(sel: TrafficSelector, flow: PacketFlow): boolean {
  return (
    prefixContains(sel.src, flow.src) &&
    prefixContains(sel.dst, flow.dst) &&
    (!sel.proto || sel.proto === flow.proto) &&
    (!sel.srcPort || sel.srcPort === flow.srcPort) &&
    (!sel.dstPort || sel.dstPort === flow.dstPort)
  );
}

export interface StoredSa {
  state: SaState;
  timers: NodeJS.Timeout[];
}

function acquireKey(src: string, dst: string, proto: XfrmProto, reqid: number): string {
  return `acquire|${src}|${dst}|${proto}|${reqid}`;
}

export class MemoryKernel {
  readonly sas = new Map<string, StoredSa>();
  readonly policies = new Map<string, PolicyState>();
  /** Owner mark (selector `user` field) of each policy, by policy key. */
  readonly policyOwners = new Map<string, number>();
  /** Routes by table, keyed by destination prefix. */
  readonly routes = new Map<number, Map<string, RouteSpec>>();
  private indexGenerator = 0;
  private indexWrapped = false;
  private acquireSeq = 0;
  private readonly subscribers = new Set<(event: KernelEvent) => void>();

  /** Seconds since the epoch, as the kernel stamps add/use times. */
  now(): number {
    return Math.floor(Date.now() / 1000);
  }

  nextPolicyIndex(dir: PolicyDir): number {
    for (;;) {
      const idx = (this.indexGenerator | DIR_CODE[dir]) >>> 0;
      this.indexGenerator = (this.indexGenerator + 8) >>> 0;
      if (this.indexGenerator === 0) this.indexWrapped = true;
      if (idx === 0) continue; // 0 means "no index"; the next one is 8
      // Indexes only grow until the generator wraps (2^29 policies later):
      // until then none can be taken, and a scan per new policy made
      // installing N tunnels cost N^2.
      if (!this.indexWrapped) return idx;
      let taken = false;
      for (const p of this.policies.values()) if (p.index === idx) taken = true;
      if (!taken) return idx;
    }
  }

  findPolicyByIndex(dir: PolicyDir, index: number, mark?: XfrmMark, ifId?: number): [string, PolicyState] | undefined {
    for (const entry of this.policies) {
      const p = entry[1];
      if (p.index !== index || p.dir !== dir) continue;
      if ((p.ifId ?? 0) !== (ifId ?? 0)) continue;
      if ((p.mark?.value ?? 0) !== (mark?.value ?? 0) || (p.mark?.mask ?? 0) !== (mark?.mask ?? 0)) continue;
      return entry;
    }
    return undefined;
  }

  emit(event: KernelEvent): void {
    for (const s of [...this.subscribers]) s(event);
  }

  listen(subscriber: (event: KernelEvent) => void): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Arms the add-time lifetimes of an SA: soft raises EXPIRE, hard also deletes it. */
  armLifetimes(key: string): void {
    const stored = this.sas.get(key);
    if (!stored) return;
    for (const t of stored.timers) clearTimeout(t);
    stored.timers = [];
    const { state } = stored;
    const id = { dst: state.dst, spi: state.spi, proto: state.proto, src: state.src, reqid: state.reqid, ...(state.mark ? { mark: state.mark } : {}) };
    const arm = (seconds: number | undefined, hard: boolean): void => {
      if (!seconds) return;
      const t = setTimeout(() => {
        if (this.sas.get(key) !== stored) return;
        if (hard) this.removeSa(key);
        this.emit({ type: 'expire', hard, sa: id });
      }, seconds * 1000);
      t.unref();
      stored.timers.push(t);
    };
    arm(state.lifetime.softAddSeconds, false);
    arm(state.lifetime.hardAddSeconds, true);
  }

  removeSa(key: string): boolean {
    const stored = this.sas.get(key);
    if (!stored) return false;
    for (const t of stored.timers) clearTimeout(t);
    this.sas.delete(key);
    return true;
  }

  // ---- test drivers (what traffic would do) ------------------------------------

  /** Sets an SA's counters (as if packets had passed); ESRCH if absent. */
  setCounters(id: SaId, counters: { bytes?: number; packets?: number; useTime?: number }): void {
    const stored = this.sas.get(saKey(id));
    if (!stored) throw new KernelError('KERNEL_ESRCH', 'ESRCH', `no SA spi ${id.spi} to ${id.dst}`);
    Object.assign(stored.state.current, counters);
    if (counters.packets && !stored.state.current.useTime) stored.state.current.useTime = this.now();
  }

  /**
   * An outbound packet: if the best matching out policy requires an SA that
   * is not installed, raise ACQUIRE (as a trap policy does). Returns the
   * policy hit, if any.
   */
  outboundPacket(flow: PacketFlow): PolicyState | undefined {
    const hit = [...this.policies.values()]
      .filter((p) => p.dir === 'out' && selectorMatches(p.selector, flow))
      .sort((a, b) => a.priority - b.priority)[0];
    const t = hit?.templates[0];
    if (!hit || !t) return hit;
    const src = t.src ?? canonicalAddress(flow.src);
    const dst = t.dst ?? canonicalAddress(flow.dst);
    const matching = [...this.sas.values()].filter(
      (s) => s.state.reqid === t.reqid && s.state.proto === t.proto && s.state.src === src && s.state.dst === dst,
    );
    // An installed SA carries the packet; a pending acquire (SPI-less larval
    // state) means the daemon was already asked: no second ACQUIRE.
    if (matching.length === 0) {
      const acqKey = acquireKey(src, dst, t.proto, t.reqid);
      const family = src.includes(':') ? 6 : 4;
      this.sas.set(acqKey, {
        timers: [],
        state: {
          dst, spi: 0, proto: t.proto, src, mode: t.mode, reqid: t.reqid, algorithms: {}, esn: false, replayWindow: 0,
          lifetime: { hardAddSeconds: 30 },
          current: { bytes: 0, packets: 0, addTime: this.now(), useTime: 0 },
          stats: { replayWindow: 0, replay: 0, integrityFailed: 0 },
          selector: family === 4 ? { src: '0.0.0.0/0', dst: '0.0.0.0/0' } : { src: '::/0', dst: '::/0' },
          larval: true,
        },
      });
      const expiry = setTimeout(() => this.removeSa(acqKey), 30_000);
      expiry.unref();
      this.sas.get(acqKey)!.timers.push(expiry);
      const packet: TrafficSelector = { src: `${canonicalAddress(flow.src)}/${flow.src.includes(':') ? 128 : 32}`, dst: `${canonicalAddress(flow.dst)}/${flow.dst.includes(':') ? 128 : 32}` };
      if (flow.proto) packet.proto = flow.proto;
      if (flow.srcPort) packet.srcPort = flow.srcPort;
      if (flow.dstPort) packet.dstPort = flow.dstPort;
      this.emit({
        type: 'acquire',
        reqid: t.reqid,
        policyIndex: hit.index,
        policyDir: 'out',
        src,
        dst,
        proto: t.proto,
        selector: hit.selector,
        packet,
        seq: ++this.acquireSeq,
      });
    }
    return hit;
  }

  /**
   * A new SA takes over the pending acquire (larval state) with its
   * endpoints, protocol and reqid, as the kernel's xfrm_state_add does.
   */
  settleAcquire(state: SaState): void {
    this.removeSa(acquireKey(state.src, state.dst, state.proto, state.reqid));
  }

  /** Events were dropped (as on a kernel receive-queue overflow). */
  eventsLost(): void {
    this.emit({ type: 'lost' });
  }

  /** The NAT in front of a peer changed its mapping (only for SAs with encap). */
  natMappingChanged(id: SaId, newSrc: string, newSrcPort: number): void {
    const stored = this.sas.get(saKey(id));
    if (!stored?.state.encap) throw new KernelError('KERNEL_ESRCH', 'ESRCH', `no UDP-encapsulated SA spi ${id.spi} to ${id.dst}`);
    const { state } = stored;
    this.emit({
      type: 'mapping',
      sa: { dst: state.dst, spi: state.spi, proto: state.proto },
      reqid: state.reqid,
      oldSrc: state.src,
      oldSrcPort: state.encap!.srcPort,
      newSrc: canonicalAddress(newSrc),
      newSrcPort,
    });
  }
}
