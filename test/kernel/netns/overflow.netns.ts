// When events arrive faster than they are read, the kernel drops them and
// says so (ENOBUFS on the next read); the socket must report that instead
// of losing events silently. Provoked with a tiny receive buffer while the
// event loop is blocked and `ip xfrm` adds policies. (libuv turns the
// socket error into POLLERR and stops watching; the addon restarts it.)
import { execFileSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { NETLINK_XFRM } from '../../../src/kernel/netlink/message.js';
import { NetlinkSocket } from '../../../src/kernel/netlink/socket.js';
import { XFRMNLGRP_POLICY } from '../../../src/kernel/xfrm/structs.js';
import { requirePrivateNetns } from './guard.js';

requirePrivateNetns();

afterEach(() => {
  execFileSync('ip', ['xfrm', 'policy', 'flush']);
});

it('reports a receive-queue overflow on a multicast socket', async () => {
  const socket = new NetlinkSocket(NETLINK_XFRM, { groups: [XFRMNLGRP_POLICY], rcvbufBytes: 1 });
  try {
    let seen = 0;
    socket.onUnsolicited = () => seen++;
    const overflow = new Promise<void>((resolve) => (socket.onOverflow = resolve));
    const batch = Array.from({ length: 300 }, (_, i) => `xfrm policy add src 198.51.100.${i & 0xff}/32 dst 203.0.113.${i >> 8}/32 dir out priority 7`).join('\n');
    execFileSync('ip', ['-batch', '-'], { input: batch }); // blocks the loop while the kernel queues 300 notifications
    await overflow;
    expect(seen).toBeLessThan(300);
    // and the socket keeps listening afterwards
    const next = new Promise<void>((resolve) => (socket.onUnsolicited = () => resolve()));
    execFileSync('ip', ['xfrm', 'policy', 'add', 'src', '192.0.2.1/32', 'dst', '192.0.2.2/32', 'dir', 'in']);
    await next;
  } finally {
    socket.close();
  }
});
