// bypassSocket / enableUdpEncap on real Node dgram sockets. These only set
// per-socket options (no SA, policy or route is created), so they run on
// the host. Needs root for nothing but the netlink socket the backend opens.
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { socketFd } from '../../src/kernel/netlink/native.js';
import { XfrmBackend } from '../../src/kernel/xfrm/backend.js';

const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

function bound(type: 'udp4' | 'udp6'): Promise<Socket> {
  const s = createSocket(type);
  sockets.push(s);
  return new Promise((resolve) => s.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', () => resolve(s)));
}

describe('socket options on dgram sockets', () => {
  it('finds the OS descriptor of a bound socket without the deprecated _handle getter', async () => {
    const s = await bound('udp4');
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const fd = socketFd(s);
    await new Promise((r) => setImmediate(r));
    process.off('warning', onWarning);
    expect(fd).toBeGreaterThan(2);
    expect(warnings).toEqual([]);
  });

  it('exempts IPv4 and IPv6 sockets from policies and enables ESP-in-UDP', async () => {
    const k = new XfrmBackend();
    try {
      for (const type of ['udp4', 'udp6'] as const) {
        const s = await bound(type);
        await k.bypassSocket(s);
        await k.enableUdpEncap(s);
      }
    } finally {
      await k.close();
    }
  });

  it('refuses an unbound socket with a clear message', async () => {
    const k = new XfrmBackend();
    try {
      const s = createSocket('udp4');
      await expect(k.enableUdpEncap(s)).rejects.toThrow('socket has no file descriptor yet: bind it before passing it to the kernel backend');
      s.close();
    } finally {
      await k.close();
    }
  });
});
