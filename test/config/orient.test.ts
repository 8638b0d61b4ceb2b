import { describe, expect, it } from 'vitest';
import { conf } from './helpers.js';
import { orientConfig } from '../../src/config/orient.js';

// One file shipped to both gateways: each must find itself on its own side.
const shared = `conn office
\tleft=192.0.2.1
\tleftsubnet=198.51.100.0/24
\tleftid=@west
\tright=192.0.2.2
\trightsubnet=203.0.113.0/24
\trightid=@east
\tmark_in=5
\tauto=start
`;

const hostWith = (...addresses: string[]) => (a: string) => addresses.includes(a);

describe('orienting conns to this host', () => {
  const model = conf(shared).model!;

  it('keeps left as local on the left gateway', () => {
    const c = orientConfig(model, hostWith('192.0.2.1')).conns[0]!;
    expect(c.local.id).toBe('@west');
    expect(c.remote.subnets[0]!.cidr).toBe('203.0.113.0/24');
  });

  it('flips the conn on the right gateway', () => {
    const c = orientConfig(model, hostWith('192.0.2.2')).conns[0]!;
    expect(c.local.id).toBe('@east');
    expect(c.local.subnets[0]!.cidr).toBe('203.0.113.0/24');
    expect(c.remote.host).toEqual({ kind: 'address', address: '192.0.2.1', family: 4 });
    // Marks are per direction, not per end.
    expect(c.markIn?.value).toBe(5);
  });

  it('keeps left as local when neither end is ours (e.g. left=%defaultroute or a NAT address)', () => {
    const c = orientConfig(model, hostWith('100.64.0.2')).conns[0]!;
    expect(c.local.id).toBe('@west');
  });

  it('keeps left as local when both ends are ours', () => {
    const c = orientConfig(model, hostWith('192.0.2.1', '192.0.2.2')).conns[0]!;
    expect(c.local.id).toBe('@west');
  });
});
