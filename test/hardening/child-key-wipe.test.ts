// Keys are wiped from SA objects on delete (issue 8, item 5): once a CHILD
// SA is removed from the kernel, the encryption and integrity keys in its
// parameters are zeros. (IKE SA keys are disposed when the IKE SA is
// destroyed: IkeSaKeys.dispose.)
import { describe, expect, it } from 'vitest';
import type { ChildSaParams } from '../../src/ike/child-params.js';
import type { SaTimers } from '../../src/ike/timers.js';
import { Executor } from '../../src/ike/executor.js';
import { MemoryBackend } from '../../src/kernel/memory/backend.js';

function child(): ChildSaParams {
  const keys = () => ({
    encryption: { xfrmName: 'cbc(aes)', key: new Uint8Array(16).fill(0xa5) },
    integrity: { xfrmName: 'hmac(sha256)', key: new Uint8Array(32).fill(0x5a), truncBits: 128 },
  });
  return {
    childId: 1,
    connName: 'wipe',
    reqid: 0x4e530001,
    protocol: 'esp',
    mode: 'transport',
    localAddress: '192.0.2.1',
    remoteAddress: '192.0.2.2',
    spiIn: 0xc0000001,
    spiOut: 0xc0000002,
    inbound: keys(),
    outbound: keys(),
    esn: false,
    replayWindow: 32,
    localTs: [{ protocol: 0, startPort: 0, endPort: 65535, startAddress: '192.0.2.1', endAddress: '192.0.2.1' }],
    remoteTs: [{ protocol: 0, startPort: 0, endPort: 65535, startAddress: '192.0.2.2', endAddress: '192.0.2.2' }],
    forward: false,
    proposal: 'AES_CBC_128/HMAC_SHA2_256_128/NO_EXT_SEQ',
  };
}

describe('bug: CHILD SA keys stayed in memory after the SA was deleted', () => {
  it('install keeps the keys, delete-child zeroes every key of both directions', async () => {
    const kernel = new MemoryBackend();
    const executor = new Executor({ kernel, send: async () => {}, emit: () => {} });
    const ctx = { ikeSaId: 1, local: { address: '192.0.2.1', port: 500 }, remote: { address: '192.0.2.2', port: 500 }, timers: undefined as unknown as SaTimers };
    const params = child();
    await kernel.allocSpi({ src: '192.0.2.2', dst: '192.0.2.1', proto: 'esp', reqid: params.reqid, min: params.spiIn, max: params.spiIn });
    const installed = await executor.apply([{ kind: 'install-child', child: params }], ctx);
    expect(installed.failed).toEqual([]);
    expect((await kernel.listSas()).length).toBe(2);
    expect(params.inbound.encryption!.key.every((b) => b === 0xa5)).toBe(true);

    await executor.apply([{ kind: 'delete-child', child: params }], ctx);
    expect(await kernel.listSas()).toEqual([]);
    for (const keys of [params.inbound, params.outbound]) {
      expect(keys.encryption!.key.every((b) => b === 0)).toBe(true);
      expect(keys.integrity!.key.every((b) => b === 0)).toBe(true);
    }
  });
});
