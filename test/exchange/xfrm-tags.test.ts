// mark_in/mark_out and if_id_in/if_id_out (route-based tunnels): the
// kernel SAs and policies of a CHILD SA carry them by direction, the SPI is
// reserved under the inbound mark (the kernel finds the reserved SA by it),
// a rekey keeps them, and taking the conn down leaves nothing behind.
import { describe, expect, it } from 'vitest';
import { countInboundPackets } from '../../src/ike/dpd.js';
import type { Side } from './harness.js';
import { pair } from './setups.js';

const tags = { markIn: { value: 42, mask: 0xffffffff }, markOut: { value: 43, mask: 0xffffffff }, ifIdIn: 7, ifIdOut: 8 };

async function kernelView(side: Side) {
  const sas = (await side.kernel.listSas()).map((s) => ({ dst: s.dst, mark: s.mark, ifId: s.ifId }));
  const policies = (await side.kernel.listPolicies()).map((p) => ({ dir: p.dir, mark: p.mark, ifId: p.ifId }));
  return { sas, policies };
}

describe('XFRM marks and interface IDs', () => {
  it('inbound SA and in policy carry the In tags, outbound SA and out policy the Out tags; down removes them all', async () => {
    const { x, moon, sun } = await pair({ tags }, {});
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    expect((await up).ok).toBe(true);
    const view = await kernelView(moon);
    expect(view.sas).toEqual(
      expect.arrayContaining([
        { dst: '192.0.2.1', mark: tags.markIn, ifId: 7 },
        { dst: '192.0.2.2', mark: tags.markOut, ifId: 8 },
      ]),
    );
    expect(view.sas).toHaveLength(2);
    for (const p of view.policies) expect(p, p.dir).toEqual(p.dir === 'out' ? { dir: 'out', mark: tags.markOut, ifId: 8 } : { dir: p.dir, mark: tags.markIn, ifId: 7 });
    // Sun has no tags: its kernel has none.
    for (const s of (await kernelView(sun)).sas) expect(s).toEqual({ dst: s.dst, mark: undefined, ifId: undefined });

    // DPD reads the inbound SA's counters under its mark.
    const installed = moon.engine.sas()[0]!.data.children.map((c) => c.params);
    moon.kernel.kernel.setCounters({ dst: '192.0.2.1', spi: installed[0]!.spiIn, proto: 'esp', mark: tags.markIn }, { packets: 5 });
    expect(await countInboundPackets(moon.kernel, installed)).toBe(5);

    // A rekey keeps them (the new SPI is reserved under the mark too).
    await moon.engine.rekey('office', { ike: false });
    await x.settle();
    await x.run();
    await x.settle();
    const rekeyed = await kernelView(moon);
    expect(rekeyed.sas).toHaveLength(2);
    expect(rekeyed.sas.map((s) => s.mark)).toEqual(expect.arrayContaining([tags.markIn, tags.markOut]));

    const down = moon.engine.down('office');
    await x.settle();
    await x.run();
    await down;
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await moon.kernel.listPolicies()).toEqual([]);
  });
});
