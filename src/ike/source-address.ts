// Which of our addresses the kernel would use to reach a peer: a connected
// UDP socket (no packet is sent) reports the source address the routing
// table picks. Used for conns with left=%any / %defaultroute, so NAT-D
// hashes and the IKE SA use the address the peer really sees.

import { createSocket } from 'node:dgram';
import { familyOf } from './ip.js';

export function routeSourceAddress(remote: string, port = 500): Promise<string | undefined> {
  const family = familyOf(remote);
  if (!family) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    const done = (address: string | undefined) => {
      socket.close();
      resolve(address);
    };
    socket.once('error', () => done(undefined));
    socket.connect(port, remote, () => {
      try {
        done(socket.address().address);
      } catch {
        done(undefined);
      }
    });
  });
}
