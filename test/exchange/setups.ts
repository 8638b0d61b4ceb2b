// Conn pairs for exchange tests: moon (192.0.2.1) and sun (192.0.2.2).
import type { IkeConn } from '../../src/ike/conn.js';
import { parseIdentity } from '../../src/ike/identity.js';
import { conn } from '../ike/fixtures.js';
import { tsFromCidr } from '../../src/ike/traffic-selectors.js';
import { Exchange, pskSecrets, type Side } from './harness.js';

export const PSK = 'correct horse battery staple';

export function moonConn(overrides: Partial<IkeConn> = {}): IkeConn {
  return conn({ name: 'office', localId: parseIdentity('@moon.example'), remoteId: parseIdentity('@sun.example'), ...overrides });
}

export function sunConn(overrides: Partial<IkeConn> = {}): IkeConn {
  return conn({
    name: 'office',
    localAddress: '192.0.2.2',
    remoteAddress: '192.0.2.1',
    localId: parseIdentity('@sun.example'),
    remoteId: parseIdentity('@moon.example'),
    ...overrides,
  });
}

export async function pair(
  moonOverrides: Partial<IkeConn> = {},
  sunOverrides: Partial<IkeConn> = {},
  psks: { moon?: string; sun?: string } = {},
): Promise<{ x: Exchange; moon: Side; sun: Side }> {
  const x = new Exchange();
  const moon = await x.side('moon', '192.0.2.1');
  const sun = await x.side('sun', '192.0.2.2');
  await moon.engine.loadConns([moonConn(moonOverrides)], pskSecrets(psks.moon ?? PSK, '@moon.example', '@sun.example'));
  await sun.engine.loadConns([sunConn(sunOverrides)], pskSecrets(psks.sun ?? PSK, '@moon.example', '@sun.example'));
  return { x, moon, sun };
}

/** moon 100.64.0.2 (behind the NAT when `x.nat` is set) initiates to sun 192.0.2.2. */
export async function natPair(x: Exchange, moonOverrides: Partial<IkeConn> = {}, sunOverrides: Partial<IkeConn> = {}) {
  const moon = await x.side('moon', '100.64.0.2');
  const sun = await x.side('sun', '192.0.2.2');
  await moon.engine.loadConns(
    [
      conn({
        name: 'nat',
        localAddress: '100.64.0.2',
        remoteAddress: '192.0.2.2',
        localId: parseIdentity('@moon.example'),
        remoteId: parseIdentity('@sun.example'),
        localTs: [tsFromCidr('100.64.0.0/24')],
        remoteTs: [tsFromCidr('198.51.100.0/24')],
        ...moonOverrides,
      }),
    ],
    pskSecrets(PSK, '@moon.example', '@sun.example'),
  );
  await sun.engine.loadConns(
    [
      conn({
        name: 'nat',
        localAddress: '192.0.2.2',
        remoteAddress: '%any',
        localId: parseIdentity('@sun.example'),
        remoteId: parseIdentity('@moon.example'),
        localTs: [tsFromCidr('198.51.100.0/24')],
        remoteTs: [tsFromCidr('100.64.0.0/10')],
        ...sunOverrides,
      }),
    ],
    pskSecrets(PSK, '@moon.example', '@sun.example'),
  );
  return { moon, sun };
}
