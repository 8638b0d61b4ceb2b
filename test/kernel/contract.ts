// The KernelBackend contract: one suite that every implementation must pass.
// Run against the in-memory twin (test/kernel/memory-contract.test.ts),
// against real xfrm in a private network namespace on any Linux host
// (test/kernel/xfrm-contract.test.ts: policies, SPI allocation, events,
// routes) and inside the kernel lab with ESP (test/e2e/: everything).
//
// No host assumptions: everything the suite needs from the environment comes
// through KernelUnderTest. It only uses documentation prefixes and the reqid
// ranges below, and flushes both ranges after every test.
import { afterEach, describe, expect, it } from 'vitest';
import type {
  KernelBackend,
  KernelEvent,
  OwnershipOptions,
  PolicySpec,
  SaSpec,
} from '../../src/kernel/backend.js';
import { KernelError } from '../../src/kernel/backend.js';

export interface KernelUnderTest {
  /**
   * Opens a backend on the kernel under test. All backends opened during
   * one test share one kernel (like two daemons on one host).
   */
  open(options?: OwnershipOptions): Promise<KernelBackend>;
  /**
   * Sends one UDP datagram src -> dst:dstPort that leaves through the
   * outbound policy lookup (real: a dgram socket bound to src; twin: the
   * simulated SPD). Needed for the ACQUIRE case; src must be local and dst
   * routable in that kernel.
   */
  sendPacket(flow: { src: string; dst: string; dstPort: number }): Promise<void>;
  /** A local interface, a local address on it and a destination prefix for route cases. */
  route: { dev: string; src: string; dst: string };
  /** Local source / remote destination for sendPacket (IPv4). */
  packet: { src: string; dst: string };
  /** Called after every test (e.g. to verify nothing leaked); optional. */
  afterEach?(): Promise<void>;
}

/** nodeswan's default range (the backend under test) and a foreign one. */
const OURS = 0x4e530000;
const FOREIGN_BASE = 0x1000;
const FOREIGN: OwnershipOptions = { reqidBase: FOREIGN_BASE, reqidCount: 0x100, routeTable: 4501 };

const key = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7 + 1) & 0xff);

function tunnelOut(reqid: number, overrides: Partial<PolicySpec> = {}): PolicySpec {
  return {
    dir: 'out',
    selector: { src: '198.51.100.0/24', dst: '203.0.113.0/24' },
    priority: 1000,
    templates: [{ proto: 'esp', mode: 'tunnel', reqid, src: '192.0.2.1', dst: '192.0.2.2' }],
    ...overrides,
  };
}

function gcmSa(spi: number, reqid: number, overrides: Partial<SaSpec> = {}): SaSpec {
  return {
    src: '192.0.2.1',
    dst: '192.0.2.2',
    spi,
    proto: 'esp',
    mode: 'tunnel',
    reqid,
    algorithms: { aead: { name: 'rfc4106(gcm(aes))', key: key(20), icvBits: 128 } },
    ...overrides,
  };
}

async function rejects(p: Promise<unknown>, errno: string, code?: string): Promise<KernelError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected ${errno}`).toBeInstanceOf(KernelError);
  const k = err as KernelError;
  expect(k.errno).toBe(errno);
  if (code) expect(k.code).toBe(code);
  return k;
}

function nextEvent(backend: KernelBackend, match: (e: KernelEvent) => boolean): Promise<{ event: Promise<KernelEvent>; off: () => void }> {
  let resolve!: (e: KernelEvent) => void;
  const event = new Promise<KernelEvent>((r) => (resolve = r));
  return backend.subscribe((e) => {
    if (match(e)) resolve(e);
  }).then((off) => ({ event, off }));
}

export interface ContractOptions {
  /**
   * True if ESP and AH states can be installed. False on kernels without
   * ESP: the SA cases are then replaced by one case proving the backend says
   * so in one clear line.
   */
  sas: boolean;
}

/**
 * Registers the contract suite. `target` is called inside tests (after the
 * caller's beforeAll hooks ran), so it may return something built there.
 */
export function kernelContract(name: string, target: () => KernelUnderTest, options: ContractOptions): void {
  describe(`KernelBackend contract: ${name}`, () => {
    const opened: KernelBackend[] = [];
    const open = async (options?: OwnershipOptions): Promise<KernelBackend> => {
      const b = await target().open(options);
      opened.push(b);
      return b;
    };

    afterEach(async () => {
      for (const b of opened.splice(0)) {
        await b.flush();
        await b.close();
      }
      await target().afterEach?.();
    });

    describe('policies', () => {
      it('adds an IPv4 tunnel policy, lists it normalized, with an index carrying the direction', async () => {
        const k = await open();
        const handle = await k.addPolicy(tunnelOut(OURS + 1, { selector: { src: '198.51.100.77/24', dst: '203.0.113.0/24' } }));
        expect(handle.dir).toBe('out');
        expect(handle.index & 7).toBe(1);
        const listed = await k.listPolicies();
        expect(listed).toEqual([
          {
            dir: 'out',
            index: handle.index,
            selector: { src: '198.51.100.0/24', dst: '203.0.113.0/24' },
            priority: 1000,
            action: 'allow',
            templates: [{ proto: 'esp', mode: 'tunnel', reqid: OURS + 1, src: '192.0.2.1', dst: '192.0.2.2' }],
          },
        ]);
      });

      it('adds IPv6 transport policies in and fwd with protocol and ports', async () => {
        const k = await open();
        const selector = { src: '2001:db8:1::/48', dst: '2001:db8:2:0:0::/64', proto: 6, srcPort: 443, dstPort: 8443 };
        const hin = await k.addPolicy({ dir: 'in', selector, priority: 5, templates: [{ proto: 'esp', mode: 'transport', reqid: OURS + 2 }] });
        const hfwd = await k.addPolicy({ dir: 'fwd', selector, priority: 5, templates: [{ proto: 'ah', mode: 'transport', reqid: OURS + 2, optional: true }] });
        expect(hin.index & 7).toBe(0);
        expect(hfwd.index & 7).toBe(2);
        const listed = (await k.listPolicies()).sort((a, b) => a.dir.localeCompare(b.dir));
        expect(listed.map((p) => [p.dir, p.selector, p.templates])).toEqual([
          ['fwd', { src: '2001:db8:1::/48', dst: '2001:db8:2::/64', proto: 6, srcPort: 443, dstPort: 8443 }, [{ proto: 'ah', mode: 'transport', reqid: OURS + 2, optional: true }]],
          ['in', { src: '2001:db8:1::/48', dst: '2001:db8:2::/64', proto: 6, srcPort: 443, dstPort: 8443 }, [{ proto: 'esp', mode: 'transport', reqid: OURS + 2 }]],
        ]);
      });

      it('rejects a duplicate with EEXIST; update replaces it in place and keeps the index', async () => {
        const k = await open();
        const first = await k.addPolicy(tunnelOut(OURS + 3));
        await rejects(k.addPolicy(tunnelOut(OURS + 3, { priority: 7 })), 'EEXIST', 'KERNEL_EEXIST');
        const updated = await k.updatePolicy(tunnelOut(OURS + 4, { priority: 7 }));
        expect(updated.index).toBe(first.index);
        const [p] = await k.listPolicies();
        expect(p?.priority).toBe(7);
        expect(p?.templates[0]?.reqid).toBe(OURS + 4);
        // update also installs when nothing matches
        const fresh = await k.updatePolicy(tunnelOut(OURS + 5, { dir: 'in', selector: { src: '203.0.113.0/24', dst: '198.51.100.0/24' } }));
        expect(fresh.index & 7).toBe(0);
        expect(await k.listPolicies()).toHaveLength(2);
      });

      it('deletes by handle and by selector; a second delete is ENOENT', async () => {
        const k = await open();
        const a = await k.addPolicy(tunnelOut(OURS + 6));
        const bSpec = tunnelOut(OURS + 6, { dir: 'fwd', selector: { src: '203.0.113.0/24', dst: '198.51.100.0/24' } });
        await k.addPolicy(bSpec);
        await k.deletePolicy(a);
        await rejects(k.deletePolicy(a), 'ENOENT', 'KERNEL_ENOENT');
        await k.deletePolicy({ dir: 'fwd', selector: bSpec.selector });
        await rejects(k.deletePolicy({ dir: 'fwd', selector: bSpec.selector }), 'ENOENT');
        expect(await k.listPolicies()).toEqual([]);
      });

      it('keeps mark and if_id, and needs them to find the policy again', async () => {
        const k = await open();
        const mark = { value: 0x2a, mask: 0xff };
        const h = await k.addPolicy(tunnelOut(OURS + 7, { mark, ifId: 9 }));
        expect(h).toMatchObject({ mark, ifId: 9 });
        const [p] = await k.listPolicies();
        expect(p).toMatchObject({ mark, ifId: 9 });
        // same selector without mark/if_id is a different policy
        const plain = await k.addPolicy(tunnelOut(OURS + 7));
        await rejects(k.deletePolicy({ dir: 'out', index: h.index }), 'ENOENT');
        await k.deletePolicy(h);
        await k.deletePolicy(plain);
        expect(await k.listPolicies()).toEqual([]);
      });

      it('a policy with the same selector from another owner is a separate policy, untouched by our delete and flush', async () => {
        const k = await open();
        const foreign = await open(FOREIGN);
        const spec = { dir: 'in' as const, selector: { src: '192.0.2.0/24', dst: '192.0.2.0/24' }, priority: 3, templates: [] };
        await foreign.addPolicy(spec);
        const ours = await k.addPolicy(spec);
        await rejects(k.addPolicy(spec), 'EEXIST');
        expect(await k.listPolicies()).toHaveLength(1);
        await k.deletePolicy({ dir: 'in', selector: spec.selector });
        await rejects(k.deletePolicy(ours), 'ENOENT');
        expect(await foreign.listPolicies()).toHaveLength(1);
        await k.addPolicy(spec);
        expect(await k.flush()).toMatchObject({ policies: 1 });
        expect(await foreign.listPolicies()).toHaveLength(1);
      });

      it('lists and flushes template-less pass and drop policies', async () => {
        const k = await open();
        await k.addPolicy({ dir: 'in', selector: { src: '192.0.2.0/24', dst: '192.0.2.0/24', proto: 17, dstPort: 500 }, priority: 1, templates: [] });
        await k.addPolicy({ dir: 'out', selector: { src: '198.51.100.0/24', dst: '0.0.0.0/0' }, priority: 9999, action: 'block', templates: [] });
        const listed = await k.listPolicies();
        expect(listed.map((p) => [p.dir, p.action, p.templates.length]).sort()).toEqual([
          ['in', 'allow', 0],
          ['out', 'block', 0],
        ]);
        expect(await k.flush()).toMatchObject({ policies: 2 });
        expect(await k.listPolicies()).toEqual([]);
      });

      it('refuses reqids outside the owned range, and installs nothing', async () => {
        const k = await open();
        await rejects(k.addPolicy(tunnelOut(FOREIGN_BASE + 1)), 'EINVAL', 'KERNEL_REQID_NOT_OWNED');
        const foreign = await open(FOREIGN);
        expect(await foreign.listPolicies()).toEqual([]);
      });

      it('rejects bad input with a clear error', async () => {
        const k = await open();
        const mixed = await rejects(k.addPolicy(tunnelOut(OURS, { selector: { src: '198.51.100.0/24', dst: '2001:db8::/32' } })), 'EINVAL', 'KERNEL_BAD_SELECTOR');
        expect(mixed.message).toMatch(/mixes IPv4 and IPv6/);
        await rejects(k.addPolicy(tunnelOut(OURS, { templates: [{ proto: 'esp', mode: 'tunnel', reqid: OURS }] })), 'EINVAL', 'KERNEL_BAD_TEMPLATE');
        await rejects(k.addPolicy(tunnelOut(OURS, { selector: { src: '198.51.100.0/33', dst: '203.0.113.0/24' } })), 'EINVAL', 'KERNEL_BAD_ADDRESS');
        expect(await k.listPolicies()).toEqual([]);
      });
    });

    describe('ownership and flush', () => {
      it('flush removes only what this reqid range owns', async () => {
        const ours = await open();
        const foreign = await open(FOREIGN);
        await ours.addPolicy(tunnelOut(OURS + 10));
        await ours.addPolicy(tunnelOut(OURS + 10, { dir: 'in', selector: { src: '203.0.113.0/24', dst: '198.51.100.0/24' } }));
        await foreign.addPolicy(tunnelOut(FOREIGN_BASE + 1, { selector: { src: '198.51.100.0/25', dst: '203.0.113.0/25' } }));
        const spi = await ours.allocSpi({ src: '192.0.2.2', dst: '192.0.2.1', proto: 'esp', reqid: OURS + 10 });
        const foreignSpi = await foreign.allocSpi({ src: '192.0.2.2', dst: '192.0.2.1', proto: 'esp', reqid: FOREIGN_BASE + 1 });
        expect(await ours.flush()).toMatchObject({ policies: 2, sas: 1 });
        expect(await ours.listPolicies()).toEqual([]);
        expect(await ours.listSas()).toEqual([]);
        await rejects(ours.querySa({ dst: '192.0.2.1', spi, proto: 'esp' }), 'ESRCH', 'KERNEL_ESRCH');
        const left = await foreign.listPolicies();
        expect(left.map((p) => p.templates[0]?.reqid)).toEqual([FOREIGN_BASE + 1]);
        expect((await foreign.querySa({ dst: '192.0.2.1', spi: foreignSpi, proto: 'esp' })).reqid).toBe(FOREIGN_BASE + 1);
        expect(await foreign.flush()).toMatchObject({ policies: 1, sas: 1 });
      });

      it('a second backend on the same range (a restarted daemon) finds and flushes its predecessor state', async () => {
        const first = await open();
        await first.addPolicy(tunnelOut(OURS + 11));
        await first.addPolicy({ dir: 'in', selector: { src: '192.0.2.2/32', dst: '192.0.2.1/32', proto: 17, dstPort: 500 }, priority: 1, templates: [] });
        await first.allocSpi({ src: '192.0.2.2', dst: '192.0.2.1', proto: 'esp', reqid: OURS + 11 });
        await first.close();
        opened.splice(opened.indexOf(first), 1);
        const second = await open();
        expect((await second.listPolicies()).map((p) => p.templates.length).sort()).toEqual([0, 1]);
        expect(await second.flush()).toMatchObject({ policies: 2, sas: 1 });
      });
    });

    describe('SPI allocation and SA lookup', () => {
      it('allocates distinct SPIs within the range, held as larval states with our reqid', async () => {
        const k = await open();
        const req = { src: '192.0.2.2', dst: '192.0.2.1', proto: 'esp' as const, reqid: OURS + 20, min: 0xc0000000, max: 0xc00000ff };
        const a = await k.allocSpi(req);
        const b = await k.allocSpi(req);
        expect(a).not.toBe(b);
        for (const spi of [a, b]) {
          expect(spi).toBeGreaterThanOrEqual(0xc0000000);
          expect(spi).toBeLessThanOrEqual(0xc00000ff);
        }
        const state = await k.querySa({ dst: '192.0.2.1', spi: a, proto: 'esp' });
        expect(state).toMatchObject({ src: '192.0.2.2', dst: '192.0.2.1', spi: a, reqid: OURS + 20, larval: true, algorithms: {} });
        expect(state.lifetime.hardAddSeconds).toBeGreaterThan(0);
        const v6 = await k.allocSpi({ src: '2001:db8::2', dst: '2001:db8::1', proto: 'ah', reqid: OURS + 20, min: 0x1000, max: 0x1000 });
        expect(v6).toBe(0x1000);
        await rejects(k.allocSpi({ src: '2001:db8::2', dst: '2001:db8::1', proto: 'ah', reqid: OURS + 20, min: 0x1000, max: 0x1000 }), 'ENOENT');
        expect((await k.listSas()).length).toBe(3);
      });

      it('query and delete of an unknown SA are ESRCH', async () => {
        const k = await open();
        await rejects(k.querySa({ dst: '192.0.2.9', spi: 0x12345678, proto: 'esp' }), 'ESRCH', 'KERNEL_ESRCH');
        await rejects(k.deleteSa({ dst: '2001:db8::9', spi: 0x12345678, proto: 'ah' }), 'ESRCH');
      });

      it('deletes a reserved SPI', async () => {
        const k = await open();
        const spi = await k.allocSpi({ src: '192.0.2.2', dst: '192.0.2.1', proto: 'esp', reqid: OURS + 21 });
        await k.deleteSa({ dst: '192.0.2.1', spi, proto: 'esp' });
        await rejects(k.querySa({ dst: '192.0.2.1', spi, proto: 'esp' }), 'ESRCH');
      });
    });

    describe('events', () => {
      it('a packet hitting a trap policy raises ACQUIRE with reqid, policy and packet addresses', async () => {
        const k = await open();
        const env = target();
        const { src, dst } = env.packet;
        const handle = await k.addPolicy({
          dir: 'out',
          selector: { src: `${src}/32`, dst: `${dst}/32` },
          priority: 10,
          templates: [{ proto: 'esp', mode: 'tunnel', reqid: OURS + 30, src: '192.0.2.1', dst: '192.0.2.2' }],
        });
        const { event, off } = await nextEvent(k, (e) => e.type === 'acquire');
        await env.sendPacket({ src, dst, dstPort: 9 });
        const e = await event;
        off();
        expect(e).toMatchObject({
          type: 'acquire',
          reqid: OURS + 30,
          policyIndex: handle.index,
          policyDir: 'out',
          src: '192.0.2.1',
          dst: '192.0.2.2',
          proto: 'esp',
          selector: { src: `${src}/32`, dst: `${dst}/32` },
        });
        expect(e.type === 'acquire' && e.packet).toMatchObject({ src: `${src}/32`, dst: `${dst}/32`, proto: 17, dstPort: 9 });
      });

      it('does not deliver events for reqids it does not own', async () => {
        const k = await open();
        const foreign = await open(FOREIGN);
        const env = target();
        const { src, dst } = env.packet;
        const seen: KernelEvent[] = [];
        const offOurs = await k.subscribe((e) => seen.push(e));
        await foreign.addPolicy({
          dir: 'out',
          selector: { src: `${src}/32`, dst: `${dst}/32` },
          priority: 10,
          templates: [{ proto: 'esp', mode: 'tunnel', reqid: FOREIGN_BASE + 30, src: '192.0.2.1', dst: '192.0.2.2' }],
        });
        const { event, off } = await nextEvent(foreign, (e) => e.type === 'acquire');
        await env.sendPacket({ src, dst, dstPort: 9 });
        expect(await event).toMatchObject({ reqid: FOREIGN_BASE + 30 });
        off();
        offOurs();
        expect(seen).toEqual([]);
      });
    });

    describe('routes', () => {
      it('adds, replaces and deletes a route in its own table; flush removes the rest', async () => {
        const k = await open();
        const { dev, src, dst } = target().route;
        await k.addRoute({ dst, src, dev });
        await k.addRoute({ dst, src, dev }); // replace, not EEXIST
        await k.deleteRoute({ dst, src, dev });
        await rejects(k.deleteRoute({ dst, src, dev }), 'ESRCH');
        await k.addRoute({ dst, src, dev });
        expect(await k.flush()).toMatchObject({ routes: 1 });
        await rejects(k.deleteRoute({ dst, src, dev }), 'ESRCH');
      });

      it('rejects a route without device or next hop, or with mixed families', async () => {
        const k = await open();
        const { src, dst } = target().route;
        await rejects(k.addRoute({ dst, src }), 'EINVAL', 'KERNEL_BAD_ROUTE');
        await rejects(k.addRoute({ dst: '2001:db8:2::/64', src, dev: 'x' }), 'EINVAL', 'KERNEL_BAD_ADDRESS');
      });
    });

    describe('SAs (kernels with ESP)', () => {
      if (!options.sas) {
        it('without ESP in the kernel, addSa fails with one clear line naming the missing module', async () => {
          const k = await open();
          const sa = gcmSa(0x2000, OURS + 40, {
            algorithms: { crypt: { name: 'cbc(aes)', key: key(16) }, auth: { name: 'hmac(sha256)', key: key(32), truncBits: 128 } },
          });
          const err = await rejects(k.addSa(sa), 'EPROTONOSUPPORT', 'KERNEL_NO_PROTOCOL');
          expect(err.message).toMatch(/this kernel has no ESP support \(CONFIG_INET_ESP \/ esp4 module\)$/);
          expect(await k.listSas()).toEqual([]);
        });
        return;
      }
      const sasIt = it;

      sasIt('adds an AES-GCM tunnel SA with UDP encapsulation and reads it back without keys', async () => {
        const k = await open();
        await k.addSa(gcmSa(0x2001, OURS + 41, { encap: { srcPort: 4500, dstPort: 4500 }, replayWindow: 32, lifetime: { softBytes: 1_000_000, hardBytes: 2_000_000, softAddSeconds: 3000, hardAddSeconds: 3600 } }));
        const sa = await k.querySa({ dst: '192.0.2.2', spi: 0x2001, proto: 'esp' });
        expect(sa).toMatchObject({
          src: '192.0.2.1',
          dst: '192.0.2.2',
          spi: 0x2001,
          proto: 'esp',
          mode: 'tunnel',
          reqid: OURS + 41,
          algorithms: { aead: { name: 'rfc4106(gcm(aes))', keyBits: 160, icvBits: 128 } },
          encap: { srcPort: 4500, dstPort: 4500 },
          esn: false,
          replayWindow: 32,
          lifetime: { softBytes: 1_000_000, hardBytes: 2_000_000, softAddSeconds: 3000, hardAddSeconds: 3600 },
          current: { bytes: 0, packets: 0 },
          larval: false,
        });
        expect(JSON.stringify(sa)).not.toContain('"key"');
        await rejects(k.addSa(gcmSa(0x2001, OURS + 41)), 'EEXIST', 'KERNEL_EEXIST');
      });

      sasIt('adds cipher+integrity transport SAs over IPv6 with ESN and a 128-packet window', async () => {
        const k = await open();
        const sa: SaSpec = {
          src: '2001:db8::1',
          dst: '2001:db8::2',
          spi: 0x2002,
          proto: 'esp',
          mode: 'transport',
          reqid: OURS + 42,
          algorithms: { crypt: { name: 'cbc(aes)', key: key(16) }, auth: { name: 'hmac(sha256)', key: key(32), truncBits: 128 } },
          esn: true,
          replayWindow: 128,
          selector: { src: '2001:db8::1/128', dst: '2001:db8::2/128', proto: 58 },
        };
        await k.addSa(sa);
        expect(await k.querySa(sa)).toMatchObject({
          mode: 'transport',
          esn: true,
          replayWindow: 128,
          algorithms: { crypt: { name: 'cbc(aes)', keyBits: 128 }, auth: { name: 'hmac(sha256)', keyBits: 256, truncBits: 128 } },
          selector: { src: '2001:db8::1/128', dst: '2001:db8::2/128', proto: 58 },
        });
      });

      sasIt('adds an AH SA and a ChaCha20-Poly1305 SA with a mark', async () => {
        const k = await open();
        await k.addSa({ src: '192.0.2.1', dst: '192.0.2.2', spi: 0x2003, proto: 'ah', mode: 'transport', reqid: OURS + 43, replayWindow: 64, algorithms: { auth: { name: 'hmac(sha256)', key: key(32), truncBits: 128 } } });
        const mark = { value: 7, mask: 0xffffffff };
        await k.addSa(gcmSa(0x2004, OURS + 43, { mark, algorithms: { aead: { name: 'rfc7539esp(chacha20,poly1305)', key: key(36), icvBits: 128 } } }));
        expect(await k.querySa({ dst: '192.0.2.2', spi: 0x2003, proto: 'ah' })).toMatchObject({ replayWindow: 64, algorithms: { auth: { name: 'hmac(sha256)' } } });
        expect(await k.querySa({ dst: '192.0.2.2', spi: 0x2004, proto: 'esp', mark })).toMatchObject({ mark, algorithms: { aead: { name: 'rfc7539esp(chacha20,poly1305)' } } });
        await rejects(k.querySa({ dst: '192.0.2.2', spi: 0x2004, proto: 'esp' }), 'ESRCH'); // the mark is part of the identity
        expect(await k.listSas()).toHaveLength(2);
      });

      sasIt('updateSa of an installed SA changes lifetimes and encapsulation ports, never the algorithms', async () => {
        const k = await open();
        await k.addSa(gcmSa(0x2009, OURS + 48, { encap: { srcPort: 4500, dstPort: 4500 }, lifetime: { hardAddSeconds: 3600 } }));
        await k.updateSa(
          gcmSa(0x2009, OURS + 48, {
            encap: { srcPort: 4500, dstPort: 61000 },
            lifetime: { softAddSeconds: 100, hardAddSeconds: 200 },
            algorithms: { aead: { name: 'rfc7539esp(chacha20,poly1305)', key: key(36), icvBits: 128 } },
          }),
        );
        expect(await k.querySa({ dst: '192.0.2.2', spi: 0x2009, proto: 'esp' })).toMatchObject({
          encap: { srcPort: 4500, dstPort: 61000 },
          lifetime: { softAddSeconds: 100, hardAddSeconds: 200 },
          algorithms: { aead: { name: 'rfc4106(gcm(aes))', keyBits: 160 } },
        });
      });

      sasIt('completes a reserved SPI with updateSa; updateSa of an unknown SA is ESRCH', async () => {
        const k = await open();
        const spi = await k.allocSpi({ src: '192.0.2.2', dst: '192.0.2.1', proto: 'esp', reqid: OURS + 44, mode: 'tunnel' });
        await rejects(k.addSa(gcmSa(spi, OURS + 44, { src: '192.0.2.2', dst: '192.0.2.1' })), 'EEXIST');
        await k.updateSa(gcmSa(spi, OURS + 44, { src: '192.0.2.2', dst: '192.0.2.1' }));
        expect(await k.querySa({ dst: '192.0.2.1', spi, proto: 'esp' })).toMatchObject({ larval: false, algorithms: { aead: { name: 'rfc4106(gcm(aes))' } } });
        await rejects(k.updateSa(gcmSa(0x2999, OURS + 44)), 'ESRCH', 'KERNEL_ESRCH');
      });

      sasIt('raises a soft EXPIRE when the soft add lifetime passes', async () => {
        const k = await open();
        const { event, off } = await nextEvent(k, (e) => e.type === 'expire' && e.sa.spi === 0x2005);
        await k.addSa(gcmSa(0x2005, OURS + 45, { lifetime: { softAddSeconds: 1, hardAddSeconds: 60 } }));
        expect(await event).toEqual({ type: 'expire', hard: false, sa: { dst: '192.0.2.2', spi: 0x2005, proto: 'esp', src: '192.0.2.1', reqid: OURS + 45 } });
        off();
      });

      sasIt('flush removes our SAs and leaves foreign SAs alone', async () => {
        const k = await open();
        const foreign = await open(FOREIGN);
        await k.addSa(gcmSa(0x2006, OURS + 46));
        await foreign.addSa(gcmSa(0x2007, FOREIGN_BASE + 46));
        expect(await k.flush()).toMatchObject({ sas: 1 });
        await rejects(k.querySa({ dst: '192.0.2.2', spi: 0x2006, proto: 'esp' }), 'ESRCH');
        expect((await foreign.querySa({ dst: '192.0.2.2', spi: 0x2007, proto: 'esp' })).reqid).toBe(FOREIGN_BASE + 46);
      });

      sasIt('rejects algorithm mixes the kernel would misread', async () => {
        const k = await open();
        await rejects(k.addSa(gcmSa(0x2008, OURS + 47, { algorithms: {} })), 'EINVAL', 'KERNEL_BAD_ALGORITHM');
        await rejects(
          k.addSa(gcmSa(0x2008, OURS + 47, { algorithms: { aead: { name: 'rfc4106(gcm(aes))', key: key(20), icvBits: 128 }, auth: { name: 'hmac(sha256)', key: key(32), truncBits: 128 } } })),
          'EINVAL',
          'KERNEL_BAD_ALGORITHM',
        );
        await rejects(k.addSa(gcmSa(0x2008, OURS + 47, { replayWindow: 5000 })), 'EINVAL', 'KERNEL_BAD_REPLAY_WINDOW');
        await rejects(k.addSa(gcmSa(0x2008, OURS + 47, { esn: true, replayWindow: 0 })), 'EINVAL', 'KERNEL_BAD_REPLAY_WINDOW');
        const ah = { proto: 'ah' as const, algorithms: { auth: { name: 'hmac(sha256)', key: key(32), truncBits: 128 } } };
        await rejects(k.addSa(gcmSa(0x2008, OURS + 47, { ...ah, esn: true, replayWindow: 16 })), 'EINVAL', 'KERNEL_BAD_ESN');
        expect(await k.listSas()).toEqual([]);
      });
    });
  });
}
