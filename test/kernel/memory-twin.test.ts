// What the twin lets tests drive that only traffic could on a real kernel:
// counters, trap hits, NAT mapping changes; and the UPDSA rules it mirrors.
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import type { KernelEvent, SaSpec } from '../../src/kernel/backend.js';
import { MemoryBackend } from '../../src/kernel/memory/backend.js';
import { MemoryKernel } from '../../src/kernel/memory/kernel.js';

const REQID = 0x4e530100;
const sa: SaSpec = {
  src: '192.0.2.1',
  dst: '192.0.2.2',
  spi: 0x501,
  proto: 'esp',
  mode: 'tunnel',
  reqid: REQID,
  algorithms: { aead: { name: 'rfc4106(gcm(aes))', key: new Uint8Array(20), icvBits: 128 } },
  encap: { srcPort: 4500, dstPort: 4500 },
};

describe('memory twin drivers', () => {
  it('counters set by a test show up in querySa', async () => {
    const kernel = new MemoryKernel();
    const k = new MemoryBackend(kernel);
    await k.addSa(sa);
    kernel.setCounters(sa, { bytes: 840, packets: 10 });
    const state = await k.querySa(sa);
    expect(state.current).toMatchObject({ bytes: 840, packets: 10 });
    expect(state.current.useTime).toBeGreaterThan(0);
    expect(() => kernel.setCounters({ ...sa, spi: 1 }, { packets: 1 })).toThrow(/no SA spi 1/);
  });

  it('a trap policy raises ACQUIRE once; the pending acquire shows as an SPI-less larval SA until flush', async () => {
    const kernel = new MemoryKernel();
    const k = new MemoryBackend(kernel);
    const events: KernelEvent[] = [];
    await k.subscribe((e) => events.push(e));
    await k.addPolicy({ dir: 'out', selector: { src: '198.51.100.0/24', dst: '203.0.113.0/24' }, priority: 10, templates: [{ proto: 'esp', mode: 'tunnel', reqid: REQID, src: '192.0.2.1', dst: '192.0.2.2' }] });
    kernel.outboundPacket({ src: '198.51.100.1', dst: '203.0.113.5', proto: 1 });
    kernel.outboundPacket({ src: '198.51.100.1', dst: '203.0.113.6', proto: 1 });
    expect(events.map((e) => e.type)).toEqual(['acquire']);
    expect((await k.listSas()).map((s) => [s.spi, s.larval])).toEqual([[0, true]]);
    expect(await k.flush()).toMatchObject({ sas: 1, policies: 1 });
    expect(kernel.sas.size).toBe(0);
    // traffic the policies do not cover raises nothing
    expect(kernel.outboundPacket({ src: '192.0.2.9', dst: '192.0.2.8' })).toBeUndefined();
  });

  it('a NAT mapping change is reported for UDP-encapsulated SAs only', async () => {
    const kernel = new MemoryKernel();
    const k = new MemoryBackend(kernel);
    const events: KernelEvent[] = [];
    await k.subscribe((e) => events.push(e));
    await k.addSa(sa);
    kernel.natMappingChanged(sa, '192.0.2.1', 61000);
    expect(events).toEqual([{ type: 'mapping', sa: { dst: '192.0.2.2', spi: 0x501, proto: 'esp' }, reqid: REQID, oldSrc: '192.0.2.1', oldSrcPort: 4500, newSrc: '192.0.2.1', newSrcPort: 61000 }]);
    await k.addSa({ ...sa, spi: 0x502, encap: undefined });
    expect(() => kernel.natMappingChanged({ ...sa, spi: 0x502 }, '192.0.2.1', 1)).toThrow(/no UDP-encapsulated SA/);
  });

  it('updateSa on a valid SA changes lifetimes only; dropping encapsulation is EINVAL', async () => {
    const kernel = new MemoryKernel();
    const k = new MemoryBackend(kernel);
    await k.addSa(sa);
    kernel.setCounters(sa, { packets: 3 });
    await k.updateSa({ ...sa, lifetime: { hardAddSeconds: 100 }, algorithms: { aead: { name: 'other', key: new Uint8Array(20), icvBits: 64 } } });
    const state = await k.querySa(sa);
    expect(state.lifetime).toEqual({ hardAddSeconds: 100 });
    expect(state.algorithms.aead?.name).toBe('rfc4106(gcm(aes))');
    expect(state.current.packets).toBe(3);
    await expect(k.updateSa({ ...sa, encap: undefined })).rejects.toMatchObject({ errno: 'EINVAL' });
    await k.flush();
  });

  it('hard lifetime removes the SA and reports a hard EXPIRE', async () => {
    const kernel = new MemoryKernel();
    const k = new MemoryBackend(kernel);
    const hard = new Promise<KernelEvent>((resolve) => void k.subscribe((e) => e.type === 'expire' && e.hard && resolve(e)));
    await k.addSa({ ...sa, lifetime: { hardAddSeconds: 1 } });
    expect(await hard).toMatchObject({ type: 'expire', hard: true, sa: { spi: 0x501 } });
    await expect(k.querySa(sa)).rejects.toMatchObject({ errno: 'ESRCH' });
  });

  it('records socket bypass and encapsulation; an unbound socket is refused', async () => {
    const k = new MemoryBackend();
    const socket = createSocket('udp4');
    await expect(k.bypassSocket(socket)).rejects.toThrow();
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
    await k.bypassSocket(socket);
    await k.enableUdpEncap(socket);
    expect(k.bypassed.has(socket) && k.udpEncap.has(socket)).toBe(true);
    socket.close();
  });

  it('lost events reach every subscriber, whatever its reqid range', async () => {
    const kernel = new MemoryKernel();
    const seen: string[] = [];
    await new MemoryBackend(kernel).subscribe((e) => seen.push(`a:${e.type}`));
    await new MemoryBackend(kernel, { reqidBase: 0x100 }).subscribe((e) => seen.push(`b:${e.type}`));
    kernel.eventsLost();
    expect(seen).toEqual(['a:lost', 'b:lost']);
  });

  it('a closed backend refuses work', async () => {
    const k = new MemoryBackend();
    await k.close();
    await expect(k.listSas()).rejects.toMatchObject({ code: 'KERNEL_IO' });
  });
});
