// SA messages checked by this host's kernel even though it has no ESP: the
// kernel validates a NEWSA message (sizes, ESN/replay rules, algorithms it
// knows) before it looks for the ESP type, so "no ESP support" proves the
// message itself was accepted, while a malformed one fails with EINVAL.
// (Kernels with ESP install these for real: see the contract in the lab.)
import { describe, expect, it } from 'vitest';
import type { SaSpec } from '../../../src/kernel/backend.js';
import { KernelError } from '../../../src/kernel/backend.js';
import { NETLINK_XFRM } from '../../../src/kernel/netlink/message.js';
import { NetlinkError, NetlinkSocket } from '../../../src/kernel/netlink/socket.js';
import { encodeSa } from '../../../src/kernel/xfrm/sa-codec.js';
import { XFRM_MSG_NEWSA, XFRMA_REPLAY_ESN_VAL } from '../../../src/kernel/xfrm/structs.js';
import { XfrmBackend } from '../../../src/kernel/xfrm/backend.js';
import { requirePrivateNetns } from './guard.js';

requirePrivateNetns();

const key = (n: number): Uint8Array => new Uint8Array(n).fill(3);
const base: SaSpec = {
  src: '192.0.2.1',
  dst: '192.0.2.2',
  spi: 0x3000,
  proto: 'esp',
  mode: 'tunnel',
  reqid: 0x4e530001,
  algorithms: { crypt: { name: 'cbc(aes)', key: key(16) }, auth: { name: 'hmac(sha256)', key: key(32), truncBits: 128 } },
};

const hasEsp = process.env.NODESWAN_TEST_ESP === '1';

async function addOutcome(sa: SaSpec): Promise<string> {
  const backend = new XfrmBackend();
  try {
    await backend.addSa(sa);
    await backend.deleteSa(sa);
    return 'installed';
  } catch (err) {
    return err instanceof KernelError ? err.code : String(err);
  } finally {
    await backend.close();
  }
}

describe('NEWSA encoding accepted by the kernel', () => {
  const expected = hasEsp ? 'installed' : 'KERNEL_NO_PROTOCOL';
  const variants: [string, SaSpec][] = [
    ['IPv4 tunnel, cipher + integrity', base],
    ['IPv6 transport with a selector', { ...base, src: '2001:db8::1', dst: '2001:db8::2', mode: 'transport', selector: { src: '2001:db8::1/128', dst: '2001:db8::2/128', proto: 17, dstPort: 53 } }],
    ['ESN with a 128-packet window', { ...base, esn: true, replayWindow: 128 }],
    ['legacy 32-packet window, lifetimes', { ...base, replayWindow: 32, lifetime: { softBytes: 1e9, hardBytes: 2e9, softPackets: 1e6, hardPackets: 2e6, softAddSeconds: 3000, hardAddSeconds: 3600, softUseSeconds: 1000, hardUseSeconds: 2000 } }],
    ['UDP encapsulation, mark and if_id', { ...base, encap: { srcPort: 4500, dstPort: 4500 }, mark: { value: 5, mask: 0xff }, ifId: 7 }],
    ['AH', { ...base, proto: 'ah', algorithms: { auth: { name: 'hmac(sha256)', key: key(32), truncBits: 128 } } }],
  ];
  for (const [name, sa] of variants) {
    it(name, async () => {
      expect(await addOutcome(sa)).toBe(sa.proto === 'ah' && !hasEsp ? 'KERNEL_NO_PROTOCOL' : expected);
    });
  }

  it('an unknown algorithm name is reported as missing from the kernel', async () => {
    expect(await addOutcome({ ...base, algorithms: { crypt: { name: 'cbc(nonexistent)', key: key(16) }, auth: base.algorithms.auth! } })).toBe('KERNEL_NO_ALGORITHM');
  });

  it('the kernel rejects an ESN SA whose replay state attribute is missing (EINVAL): the check can fail', async () => {
    const socket = new NetlinkSocket(NETLINK_XFRM);
    try {
      const { fixed, attrs } = encodeSa({ ...base, esn: true, replayWindow: 64 });
      const err = await socket.request(XFRM_MSG_NEWSA, 0, fixed, attrs.filter((a) => a.type !== XFRMA_REPLAY_ESN_VAL), 'ack').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NetlinkError);
      expect((err as NetlinkError).errno).toBe('EINVAL');
    } finally {
      socket.close();
    }
  });
});
