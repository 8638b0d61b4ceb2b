import { describe, expect, it } from 'vitest';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import type { SaSpec } from '../../src/kernel/backend.js';
import { ESN, INTEG } from '../../src/wire/iana/transforms.js';
import { decodeMessage } from '../../src/wire/message.js';
import { isPayload } from '../../src/wire/payload.js';
import { NotifyType } from '../../src/wire/iana/notify-types.js';
import { PayloadType } from '../../src/wire/iana/payload-types.js';
import { esn, integ, proposal, ESP_GCM } from '../ike/fixtures.js';
import { Exchange } from './harness.js';
import { natPair } from './setups.js';

const AH_SHA256 = proposal('ah', [integ(INTEG.HMAC_SHA2_256_128), esn(ESN.NO_ESN)]);


function behindNat(): Exchange {
  const x = new Exchange();
  x.nat = { inside: '100.64.0.2', outside: '203.0.113.9' };
  return x;
}

describe('NAT traversal: keepalives', () => {
  it('the side behind the NAT sends a one-octet keepalive to 4500 every 20 s; the other side sends none', async () => {
    const x = behindNat();
    const { moon, sun } = await natPair(x);
    const up = moon.engine.up('nat');
    await x.settle();
    await x.run();
    expect((await up).error).toBeUndefined();
    await x.advance(19_999);
    expect(x.queue).toHaveLength(0);
    await x.advance(1);
    expect(x.queue.map((d) => ({ from: d.local, to: d.remote, bytes: [...d.bytes] }))).toEqual([
      { from: { address: '100.64.0.2', port: 4500 }, to: { address: '192.0.2.2', port: 4500 }, bytes: [0xff] },
    ]);
    await x.deliver();
    expect(sun.transport.counters().keepalives).toBe(1);
    await x.advance(20_000);
    await x.advance(20_000);
    expect(x.queue).toHaveLength(2);
    expect(x.queue.every((d) => d.local.address === '100.64.0.2' && d.bytes.length === 1)).toBe(true);
  });

  it('no NAT, no keepalives', async () => {
    const x = new Exchange();
    const { moon } = await natPair(x, { remoteTs: [tsFromCidr('198.51.100.0/24')] }, { remoteTs: [tsFromCidr('100.64.0.0/24')] });
    const up = moon.engine.up('nat');
    await x.settle();
    await x.run();
    expect((await up).ikeSa).toMatchObject({ natLocal: false, natRemote: false });
    await x.advance(60_000);
    expect(x.queue).toHaveLength(0);
  });
});

describe('NAT traversal: forceencaps', () => {
  it('forceencaps=yes on the initiator floats to 4500 and encapsulates without a NAT', async () => {
    const x = new Exchange();
    const { moon, sun } = await natPair(x, { forceEncaps: true });
    const up = moon.engine.up('nat');
    await x.settle();
    expect(await x.run()).toEqual([
      'IKE_SA_INIT request 100.64.0.2 -> 192.0.2.2',
      'IKE_SA_INIT response 192.0.2.2 -> 100.64.0.2',
      'IKE_AUTH request 100.64.0.2[4500] -> 192.0.2.2[4500]',
      'IKE_AUTH response 192.0.2.2[4500] -> 100.64.0.2[4500]',
    ]);
    const result = await up;
    expect(result.error).toBeUndefined();
    expect(result.ikeSa).toMatchObject({ natLocal: true, natRemote: false });
    expect(sun.engine.status().ikeSas[0]).toMatchObject({ natRemote: true });
    for (const side of [moon, sun]) {
      expect((await side.kernel.listSas()).map((s) => s.encap)).toEqual([
        { srcPort: 4500, dstPort: 4500 },
        { srcPort: 4500, dstPort: 4500 },
      ]);
    }
  });

  it('forceencaps=yes on the responder makes both sides encapsulate', async () => {
    const x = new Exchange();
    const { moon, sun } = await natPair(x, {}, { forceEncaps: true });
    const up = moon.engine.up('nat');
    await x.settle();
    await x.run();
    expect((await up).ikeSa).toMatchObject({ natLocal: false, natRemote: true, localAddress: '100.64.0.2[4500]' });
    expect((await sun.kernel.listSas()).every((s) => s.encap?.srcPort === 4500 && s.encap.dstPort === 4500)).toBe(true);
  });
});

describe('AH and NAT', () => {
  it('AH CHILD SAs work without a NAT (integrity key only, no encapsulation)', async () => {
    const x = new Exchange();
    const { moon, sun } = await natPair(x, { childProposals: [AH_SHA256], remoteTs: [tsFromCidr('198.51.100.0/24')] }, { childProposals: [AH_SHA256], remoteTs: [tsFromCidr('100.64.0.0/24')] });
    // The keys as installed (SaState never exposes them).
    const installed = new Map<string, string>();
    for (const side of [moon, sun]) {
      for (const method of ['addSa', 'updateSa'] as const) {
        const real = side.kernel[method].bind(side.kernel);
        side.kernel[method] = async (spec: SaSpec) => {
          if (spec.algorithms.auth) installed.set(`${side.name} ${spec.src}`, Buffer.from(spec.algorithms.auth.key).toString('hex'));
          return real(spec);
        };
      }
    }
    const up = moon.engine.up('nat');
    await x.settle();
    await x.run();
    expect((await up).error).toBeUndefined();
    const moonSas = await moon.kernel.listSas();
    const sunSas = await sun.kernel.listSas();
    expect(moonSas.map((s) => s.proto)).toEqual(['ah', 'ah']);
    for (const s of [...moonSas, ...sunSas]) {
      expect(s.encap).toBeUndefined();
      expect(s.algorithms.crypt).toBeUndefined();
      expect(s.algorithms.auth).toMatchObject({ name: 'hmac(sha256)', keyBits: 256, truncBits: 128 });
    }
    // Each side's outbound key is the other's inbound key, and the two directions differ.
    expect(installed.get('moon 100.64.0.2')).toBe(installed.get('sun 100.64.0.2'));
    expect(installed.get('moon 192.0.2.2')).toBe(installed.get('sun 192.0.2.2'));
    expect(installed.get('moon 100.64.0.2')).toHaveLength(64);
    expect(installed.get('moon 100.64.0.2')).not.toBe(installed.get('moon 192.0.2.2'));
  });

  it('an AH conn behind a NAT is refused before IKE_AUTH with the reason and the ESP alternative', async () => {
    const x = behindNat();
    const { moon, sun } = await natPair(x, { childProposals: [AH_SHA256] }, { childProposals: [AH_SHA256] });
    const up = moon.engine.up('nat');
    await x.settle();
    expect(await x.run()).toEqual(['IKE_SA_INIT request 203.0.113.9[10500] -> 192.0.2.2', 'IKE_SA_INIT response 192.0.2.2 -> 100.64.0.2']);
    const result = await up;
    expect(result.ok).toBe(false);
    expect(result.error).toContain("conn 'nat': AH CHILD SA refused: a NAT is between us and the peer (we are behind it)");
    expect(result.error).toContain('AH authenticates the outer IP addresses, which a NAT rewrites');
    expect(result.error).toContain('UDP encapsulation (RFC 3948) exists for ESP only');
    expect(result.error).toContain('esp=null-sha256');
    expect(moon.log.join('\n')).toContain('AH CHILD SA refused');
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await sun.kernel.listSas()).toEqual([]);
  });

  it('a responder refuses an AH CHILD SA across a NAT and logs why', async () => {
    const x = behindNat();
    // moon would take ESP or AH; sun only AH, so sun's choice meets the NAT.
    const { moon, sun } = await natPair(x, { childProposals: [ESP_GCM, AH_SHA256] }, { childProposals: [AH_SHA256] });
    const up = moon.engine.up('nat');
    await x.settle();
    await x.run();
    const result = await up;
    expect(result.ok).toBe(false);
    expect(sun.log.join('\n')).toMatch(/AH CHILD SA refused: a NAT is between us and the peer \(the peer is behind it\).*esp=null-sha256/);
    expect(await sun.kernel.listSas()).toEqual([]);
    expect(await moon.kernel.listSas()).toEqual([]);
  });
});

describe('NAT traversal: the peer NAT mapping changes', () => {
  it("a request from a new port moves the CHILD SAs' encapsulation in place (same SPIs) and later messages follow", async () => {
    const x = behindNat();
    const { moon, sun } = await natPair(x);
    const up = moon.engine.up('nat');
    await x.settle();
    await x.run();
    expect((await up).error).toBeUndefined();
    const before = await sun.kernel.listSas();
    expect(before.map((s) => s.encap)).toEqual([
      { srcPort: 14500, dstPort: 4500 },
      { srcPort: 4500, dstPort: 14500 },
    ]);
    const updates: SaSpec[] = [];
    const update = sun.kernel.updateSa.bind(sun.kernel);
    sun.kernel.updateSa = async (spec) => {
      updates.push(spec);
      return update(spec);
    };
    // moon deletes its IKE SA; the NAT now maps it to port 24500.
    void moon.engine.down('nat');
    await x.settle();
    const request = x.queue.shift()!;
    expect(request.local).toEqual({ address: '100.64.0.2', port: 4500 });
    sun.transport.deliver({ local: request.remote, remote: { address: '203.0.113.9', port: 24500 }, bytes: request.bytes });
    await x.settle();
    expect(updates.map((s) => ({ spi: s.spi, encap: s.encap }))).toEqual([
      { spi: before[0]!.spi, encap: { srcPort: 24500, dstPort: 4500 } },
      { spi: before[1]!.spi, encap: { srcPort: 4500, dstPort: 24500 } },
    ]);
    expect(sun.log.join('\n')).toContain("peer's NAT mapping moved from port 14500 to 24500");
    // The answer goes to the new mapping.
    expect(x.queue.map((d) => d.remote)).toEqual([{ address: '203.0.113.9', port: 24500 }]);
  });

  it('the kernel keeps the SA (SPI, keys, counters) when only the encapsulation port changes', async () => {
    const x = behindNat();
    const { moon, sun } = await natPair(x);
    const up = moon.engine.up('nat');
    await x.settle();
    await x.run();
    expect((await up).error).toBeUndefined();
    const before = await sun.kernel.listSas();
    const sa = sun.engine.sas()[0]!;
    // An INFORMATIONAL from the new port: sun's answer, then moon is gone.
    void moon.engine.down('nat');
    await x.settle();
    const request = x.queue.shift()!;
    const spis = before.map((s) => s.spi);
    let seen: number[] = [];
    const del = sun.kernel.deleteSa.bind(sun.kernel);
    sun.kernel.deleteSa = async (id) => {
      if (seen.length === 0) seen = (await sun.kernel.listSas()).filter((s) => spis.includes(s.spi)).map((s) => s.encap!.srcPort + s.encap!.dstPort);
      return del(id);
    };
    sun.transport.deliver({ local: request.remote, remote: { address: '203.0.113.9', port: 24500 }, bytes: request.bytes });
    await x.settle();
    expect(sa.destroyed).toBe(true);
    expect(seen).toEqual([24500 + 4500, 4500 + 24500]);
  });
});

describe('NAT traversal: the kernel reports a new mapping (XFRM MAPPING)', () => {
  async function established() {
    const x = behindNat();
    const pair = await natPair(x);
    const up = pair.moon.engine.up('nat');
    await x.settle();
    await x.run();
    expect((await up).error).toBeUndefined();
    const inbound = (await pair.sun.kernel.listSas()).find((s) => s.dst === '192.0.2.2')!;
    return { x, ...pair, inbound };
  }

  it("ESP from a new port: the IKE SA and both SAs' encapsulation follow it in place, later IKE messages go there", async () => {
    const { x, sun, inbound } = await established();
    const before = await sun.kernel.listSas();
    expect(before.map((s) => s.encap)).toEqual([
      { srcPort: 14500, dstPort: 4500 },
      { srcPort: 4500, dstPort: 14500 },
    ]);
    const updates: SaSpec[] = [];
    const update = sun.kernel.updateSa.bind(sun.kernel);
    sun.kernel.updateSa = async (spec) => {
      updates.push(spec);
      return update(spec);
    };
    sun.kernel.kernel.natMappingChanged({ dst: inbound.dst, spi: inbound.spi, proto: 'esp' }, '203.0.113.9', 24500);
    // The kernel repeats the event for each packet until the SA is updated.
    sun.kernel.kernel.natMappingChanged({ dst: inbound.dst, spi: inbound.spi, proto: 'esp' }, '203.0.113.9', 24500);
    await x.settle();
    expect(updates.map((s) => ({ spi: s.spi, encap: s.encap }))).toEqual([
      { spi: before[0]!.spi, encap: { srcPort: 24500, dstPort: 4500 } },
      { spi: before[1]!.spi, encap: { srcPort: 4500, dstPort: 24500 } },
    ]);
    const after = await sun.kernel.listSas();
    expect(after.map((s) => [s.spi, s.encap])).toEqual([
      [before[0]!.spi, { srcPort: 24500, dstPort: 4500 }],
      [before[1]!.spi, { srcPort: 4500, dstPort: 24500 }],
    ]);
    const status = sun.engine.status().ikeSas[0]!;
    expect(status.remoteAddress).toBe('203.0.113.9[24500]');
    expect(status.children.map((c) => [c.spiIn, c.spiOut])).toEqual([[before[0]!.spi.toString(16).padStart(8, '0'), before[1]!.spi.toString(16).padStart(8, '0')]]);
    expect(sun.log.join('\n')).toContain("peer's NAT mapping moved from port 14500 to 24500; updating UDP encapsulation of 1 CHILD SA(s)");
    expect(x.queue).toEqual([]); // nothing renegotiated, nothing said to the peer
    void sun.engine.down('nat');
    await x.settle();
    expect(x.queue.map((d) => d.remote)).toEqual([{ address: '203.0.113.9', port: 24500 }]);
  });

  it('a new peer address is not followed: SAs unchanged, one warning however often the kernel repeats it', async () => {
    const { x, sun, inbound } = await established();
    const before = await sun.kernel.listSas();
    for (let i = 0; i < 3; i++) sun.kernel.kernel.natMappingChanged({ dst: inbound.dst, spi: inbound.spi, proto: 'esp' }, '203.0.113.77', 14500);
    await x.settle();
    expect(await sun.kernel.listSas()).toEqual(before);
    expect(sun.engine.status().ikeSas[0]!.remoteAddress).toBe('203.0.113.9[14500]');
    expect(sun.log.filter((l) => l.includes('a new peer address is not followed'))).toHaveLength(1);
  });
});

describe('NAT traversal: encapsulation=no (Libreswan)', () => {
  /** NAT_DETECTION_SOURCE_IP / _DESTINATION_IP notifies in a plain IKE_SA_INIT message. */
  function natd(bytes: Uint8Array): number {
    const decoded = decodeMessage(Buffer.from(bytes));
    if (!decoded.ok) throw new Error(decoded.error.message);
    return decoded.value.payloads.filter((p) => isPayload(p, PayloadType.N) && (p.notifyType === NotifyType.NAT_DETECTION_SOURCE_IP || p.notifyType === NotifyType.NAT_DETECTION_DESTINATION_IP)).length;
  }

  it('on the initiator behind a NAT: no NAT-D sent, port 500 and plain ESP on both sides, no keepalives, a log line says why', async () => {
    const x = behindNat();
    const { moon, sun } = await natPair(x, { neverEncaps: true });
    const up = moon.engine.up('nat');
    await x.settle();
    expect(natd(x.queue[0]!.bytes)).toBe(0);
    expect(await x.run()).toEqual([
      'IKE_SA_INIT request 203.0.113.9[10500] -> 192.0.2.2',
      'IKE_SA_INIT response 192.0.2.2 -> 100.64.0.2',
      'IKE_AUTH request 203.0.113.9[10500] -> 192.0.2.2',
      'IKE_AUTH response 192.0.2.2 -> 100.64.0.2',
    ]);
    const result = await up;
    expect(result.error).toBeUndefined();
    expect(result.ikeSa).toMatchObject({ natLocal: false, natRemote: false, localAddress: '100.64.0.2[500]' });
    expect(sun.engine.status().ikeSas[0]).toMatchObject({ natLocal: false, natRemote: false });
    for (const side of [moon, sun]) expect((await side.kernel.listSas()).map((s) => s.encap)).toEqual([undefined, undefined]);
    expect(moon.log.join('\n')).toContain("conn 'nat': encapsulation=no: NAT detection is off (no NAT-D sent); ESP goes as plain IP protocol 50, which will likely not cross a NAT");
    await x.advance(60_000);
    expect(x.queue).toEqual([]);
  });

  it('on the responder: the NAT is detected and logged, but no NAT-D goes back, so neither side floats or encapsulates', async () => {
    const x = behindNat();
    const { moon, sun } = await natPair(x, {}, { neverEncaps: true });
    const up = moon.engine.up('nat');
    await x.settle();
    expect(natd(x.queue[0]!.bytes)).toBe(2);
    await x.deliver();
    expect(natd(x.queue[0]!.bytes)).toBe(0);
    expect(await x.run()).toEqual([
      'IKE_SA_INIT response 192.0.2.2 -> 100.64.0.2',
      'IKE_AUTH request 203.0.113.9[10500] -> 192.0.2.2',
      'IKE_AUTH response 192.0.2.2 -> 100.64.0.2',
    ]);
    expect((await up).ikeSa).toMatchObject({ natLocal: false, natRemote: false });
    for (const side of [moon, sun]) expect((await side.kernel.listSas()).map((s) => s.encap)).toEqual([undefined, undefined]);
    expect(sun.log.join('\n')).toContain(
      "conn 'nat': the peer is behind a NAT, but encapsulation=no: staying on port 500 with plain ESP (IP protocol 50), which most NATs do not pass; set encapsulation=auto to use UDP encapsulation",
    );
  });

  it('without it (encapsulation=auto) the same pair floats to 4500 and encapsulates: the control', async () => {
    const x = behindNat();
    const { moon } = await natPair(x);
    const up = moon.engine.up('nat');
    await x.settle();
    await x.run();
    expect((await up).ikeSa).toMatchObject({ natLocal: true, localAddress: '100.64.0.2[4500]' });
    expect((await moon.kernel.listSas()).every((s) => s.encap !== undefined)).toBe(true);
  });
});
