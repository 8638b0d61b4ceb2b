// The KernelBackend contract suite (test/kernel/contract.ts) against the real
// xfrm backend on the lab's kernel, which has ESP: everything the suite has,
// SAs included. It runs in the lab guest's own network namespace, which
// exists only for this one lab run (the e2e global setup refuses to run
// anywhere else) and which no other e2e test uses: they all work in
// namespaces of their own, and e2e files run one at a time.
import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, expect } from 'vitest';
import { XfrmBackend } from '../../src/kernel/xfrm/backend.js';
import { kernelContract, type KernelUnderTest } from '../kernel/contract.js';
import { ipBatch, run } from '../lab/netns.js';

const dev = 'contract0';

beforeAll(async () => {
  await ipBatch(undefined, [
    `link add ${dev} type veth peer name contract1`,
    'link set contract1 up',
    `link set ${dev} up`,
    `addr add 198.51.100.1/24 dev ${dev}`,
    `route add 203.0.113.0/24 dev ${dev}`,
  ]);
});

afterAll(async () => {
  await run(['ip', 'link', 'del', dev]);
});

const ipXfrm = async (what: 'state' | 'policy'): Promise<string> => (await run(['ip', 'xfrm', what, 'list'])).stdout.trim();

const lab: KernelUnderTest = {
  open: async (options) => new XfrmBackend(options),
  sendPacket: ({ src, dst, dstPort }) =>
    new Promise<void>((resolve) => {
      const socket = createSocket('udp4');
      socket.bind(0, src, () => {
        // This packet only triggers the ACQUIRE and is dropped; a send error is expected.
        socket.send(Buffer.from('acquire'), dstPort, dst, () => {
          socket.close();
          resolve();
        });
      });
    }),
  route: { dev, src: '198.51.100.1', dst: '203.0.113.0/24' },
  packet: { src: '198.51.100.1', dst: '203.0.113.5' },
  afterEach: async () => {
    // Checked without the backend: the kernel itself holds nothing any more.
    expect(await ipXfrm('policy')).toBe('');
    expect(await ipXfrm('state')).toBe('');
  },
};

kernelContract('xfrm netlink in the kernel lab (with ESP)', () => lab, { sas: true });
