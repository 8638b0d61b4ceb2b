import { describe, expect, it } from 'vitest';
import { KernelError } from '../../src/kernel/backend.js';
import { pair } from './setups.js';

describe('kernel failures become notifies in one place', () => {
  it('responder whose kernel refuses the outbound SA rolls back and answers with an error notify', async () => {
    const { x, moon, sun } = await pair();
    sun.kernel.addSa = async () => {
      throw new KernelError('KERNEL_ENOSYS', 'ENOSYS', 'ESP is not available in this kernel');
    };
    const up = moon.engine.up('office');
    await x.settle();
    await x.run();
    const result = await up;
    expect(result.ok).toBe(false);
    expect(result.error).toBe(
      "peer 192.0.2.2 refused the CHILD SA of conn 'office' (NO_PROPOSAL_CHOSEN): no ESP proposal acceptable, or the peer could not install it; we offered AES_GCM_16_256/NO_ESN; the peer's log says which",
    );
    expect(sun.log.join('\n')).toMatch(/installing CHILD SA 'office' in the kernel failed: outbound SA [0-9a-f]{8}: ESP is not available in this kernel/);
    // Nothing half-installed stays behind: the completed inbound SA and the reserved SPI are gone.
    expect(await sun.kernel.listSas()).toEqual([]);
    expect(await sun.kernel.listPolicies()).toEqual([]);
    expect(await moon.kernel.listSas()).toEqual([]);
    // Both IKE SAs stay up, without a CHILD SA.
    expect(sun.engine.status().ikeSas[0]).toMatchObject({ state: 'ESTABLISHED', children: [] });
    expect(moon.engine.status().ikeSas[0]).toMatchObject({ state: 'ESTABLISHED', children: [] });
  });

  it('initiator whose own kernel refuses tells the peer with a Delete', async () => {
    const { x, moon, sun } = await pair();
    moon.kernel.addPolicy = async () => {
      throw new KernelError('KERNEL_ENOSPC', 'ENOSPC', 'policy table full');
    };
    const up = moon.engine.up('office');
    await x.settle();
    const wire = await x.run();
    expect(wire.slice(4)).toEqual(['INFORMATIONAL request 192.0.2.1 -> 192.0.2.2', 'INFORMATIONAL response 192.0.2.2 -> 192.0.2.1']);
    const result = await up;
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/^installing CHILD SA 'office' in the kernel failed: in policy 192.0.2.2\/32 -> 192.0.2.1\/32: policy table full$/);
    expect(await moon.kernel.listSas()).toEqual([]);
    expect(await sun.kernel.listSas()).toEqual([]);
  });
});
