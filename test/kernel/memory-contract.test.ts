// The in-memory twin passes the same contract as real xfrm.
import { beforeEach } from 'vitest';
import { MemoryBackend } from '../../src/kernel/memory/backend.js';
import { MemoryKernel } from '../../src/kernel/memory/kernel.js';
import { kernelContract, type KernelUnderTest } from './contract.js';

let kernel = new MemoryKernel();
beforeEach(() => {
  kernel = new MemoryKernel();
});

const twin: KernelUnderTest = {
  open: async (options) => new MemoryBackend(kernel, options),
  sendPacket: async ({ src, dst, dstPort }) => {
    kernel.outboundPacket({ src, dst, proto: 17, srcPort: 40000, dstPort });
  },
  route: { dev: 'dummy0', src: '198.51.100.1', dst: '203.0.113.0/24' },
  packet: { src: '198.51.100.1', dst: '203.0.113.5' },
  afterEach: async () => {
    if (kernel.sas.size || kernel.policies.size) throw new Error('state leaked past flush');
  },
};

kernelContract('in-memory twin', () => twin, { sas: true });
