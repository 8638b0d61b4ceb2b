// The effect of bypassSocket, on a real kernel: with a policy that blocks
// all UDP to the remote network, an ordinary socket cannot send (EPERM),
// the bypassed one can. (Loopback is no test bed: lo has disable_xfrm=1.)
import { createSocket, type Socket } from 'node:dgram';
import { afterEach, expect, it } from 'vitest';
import { XfrmBackend } from '../../../src/kernel/xfrm/backend.js';
import { requirePrivateNetns } from './guard.js';

requirePrivateNetns();

const backend = new XfrmBackend();
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await backend.flush();
});

/** Bound to the namespace's address on nsdummy0 (set up by xfrm-netns.test.ts). */
function bound(): Promise<Socket> {
  const s = createSocket('udp4');
  sockets.push(s);
  return new Promise((resolve) => s.bind(0, '198.51.100.1', () => resolve(s)));
}

function sendOutcome(from: Socket): Promise<string> {
  return new Promise((resolve) => {
    from.send('hello', 9, '203.0.113.5', (err) => resolve(err ? ((err as NodeJS.ErrnoException).code ?? err.message) : 'sent'));
  });
}

it('a bypassed socket sends through a block policy; an ordinary one gets EPERM', async () => {
  const plain = await bound();
  const exempt = await bound();
  await backend.bypassSocket(exempt);
  expect(await sendOutcome(plain)).toBe('sent'); // control: no policy yet
  await backend.addPolicy({ dir: 'out', selector: { src: '198.51.100.0/24', dst: '203.0.113.0/24', proto: 17 }, priority: 1, action: 'block', templates: [] });
  expect(await sendOutcome(plain)).toBe('EPERM');
  expect(await sendOutcome(exempt)).toBe('sent');
});
