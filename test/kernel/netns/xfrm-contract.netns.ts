// Real xfrm netlink against this host's kernel, inside a private network
// namespace: policies, SPI allocation, ACQUIRE events, routes. Whether SAs
// can be installed depends on the kernel (NODESWAN_TEST_ESP=1 where ESP
// exists); without it the contract checks the clear "no ESP" error instead.
import { createSocket } from 'node:dgram';
import { expect } from 'vitest';
import { XfrmBackend } from '../../../src/kernel/xfrm/backend.js';
import { kernelContract, type KernelUnderTest } from '../contract.js';
import { ipXfrm, requirePrivateNetns } from './guard.js';

requirePrivateNetns();

const real: KernelUnderTest = {
  open: async (options) => new XfrmBackend(options),
  sendPacket: ({ src, dst, dstPort }) =>
    new Promise<void>((resolve) => {
      const socket = createSocket('udp4');
      socket.bind(0, src, () => {
        // The first packet only triggers the acquire; it is dropped, which
        // may surface as a send error: that is expected.
        socket.send(Buffer.from('acquire'), dstPort, dst, () => {
          socket.close();
          resolve();
        });
      });
    }),
  route: { dev: 'nsdummy0', src: '198.51.100.1', dst: '203.0.113.0/24' },
  packet: { src: '198.51.100.1', dst: '203.0.113.5' },
  afterEach: async () => {
    // Independent of the backend: the kernel itself shows nothing left.
    expect(ipXfrm('policy')).toBe('');
    expect(ipXfrm('state')).toBe('');
  },
};

kernelContract('xfrm netlink (private netns)', () => real, { sas: process.env.NODESWAN_TEST_ESP === '1' });
