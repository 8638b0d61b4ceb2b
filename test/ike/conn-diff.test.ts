// `ipsec reload` restarts only conns that really changed: the comparison
// must not see a change in representation (key order, absent versus
// undefined, Buffer versus Uint8Array, a host name resolving elsewhere,
// a new PSK) and must see every change in meaning.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { orientConfig } from '../../src/config/orient.js';
import { changedSettings, sameConn } from '../../src/ike/conn-diff.js';
import { connFromConfig } from '../../src/ike/conn-from-config.js';
import type { IkeConn } from '../../src/ike/conn.js';
import { parseIdentity } from '../../src/ike/identity.js';
import { resolveHostNames } from '../../src/daemon/resolve-hosts.js';
import { conn, ESP_CBC } from './fixtures.js';

async function connsOf(text: string, resolveTo: Record<string, string> = {}): Promise<Map<string, IkeConn>> {
  const r = loadConfig('/etc/ipsec.conf', { text });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const resolved = await resolveHostNames(r.model!, async (name) => ({ address: resolveTo[name]!, family: 4 }), []);
  const oriented = orientConfig(resolved, (a) => a === '192.0.2.1');
  return new Map(oriented.conns.map((c) => [c.name, connFromConfig(c)]));
}

const TWO_CONNS = `conn %default
    authby=secret
    left=192.0.2.1
    auto=add

conn first
    right=192.0.2.2
    leftsubnet=198.51.100.0/24
    rightsubnet=203.0.113.0/24
    esp=aes256gcm16!

conn second
    right=gw.example.org
    leftsubnet=198.51.100.0/24
    rightsubnet=203.0.113.128/25
`;

describe('sameConn', () => {
  it('the same file read twice: every conn unchanged', async () => {
    const [a, b] = [await connsOf(TWO_CONNS, { 'gw.example.org': '192.0.2.9' }), await connsOf(TWO_CONNS, { 'gw.example.org': '192.0.2.9' })];
    for (const name of ['first', 'second']) expect(sameConn(a.get(name)!, b.get(name)!)).toBe(true);
  });

  it('settings written in another order, or moved into %default: unchanged', async () => {
    const reordered = TWO_CONNS.replace(
      '    right=192.0.2.2\n    leftsubnet=198.51.100.0/24\n    rightsubnet=203.0.113.0/24\n    esp=aes256gcm16!\n',
      '    esp=aes256gcm16!\n    rightsubnet=203.0.113.0/24\n    leftsubnet=198.51.100.0/24\n    right=192.0.2.2\n',
    );
    const moved = TWO_CONNS.replace('    auto=add\n', '').replace('conn first\n', 'conn first\n    auto=add\n').replace('conn second\n', 'conn second\n    auto=add\n');
    const base = await connsOf(TWO_CONNS, { 'gw.example.org': '192.0.2.9' });
    for (const text of [reordered, moved]) {
      const other = await connsOf(text, { 'gw.example.org': '192.0.2.9' });
      expect(sameConn(base.get('first')!, other.get('first')!)).toBe(true);
      expect(sameConn(base.get('second')!, other.get('second')!)).toBe(true);
    }
  });

  it('a host name that resolves to another address this time: unchanged', async () => {
    const a = await connsOf(TWO_CONNS, { 'gw.example.org': '192.0.2.9' });
    const b = await connsOf(TWO_CONNS, { 'gw.example.org': '192.0.2.10' });
    expect(b.get('second')!.remoteAddress).toBe('192.0.2.10');
    expect(sameConn(a.get('second')!, b.get('second')!)).toBe(true);
  });

  it('a host name replaced by an address (or another name): changed', async () => {
    const a = await connsOf(TWO_CONNS, { 'gw.example.org': '192.0.2.9' });
    const b = await connsOf(TWO_CONNS.replace('right=gw.example.org', 'right=192.0.2.9'), {});
    expect(sameConn(a.get('second')!, b.get('second')!)).toBe(false);
    expect(changedSettings(a.get('second')!, b.get('second')!)).toContain('remoteAddress');
  });

  it('a changed proposal, subnet, lifetime or auto is a change, named in the log', async () => {
    const a = await connsOf(TWO_CONNS, { 'gw.example.org': '192.0.2.9' });
    const cases: Array<[string, string, string[]]> = [
      ['esp=aes256gcm16!', 'esp=aes128gcm16!', ['childProposals']],
      ['rightsubnet=203.0.113.0/24', 'rightsubnet=203.0.113.0/25', ['remoteTs']],
      ['esp=aes256gcm16!', 'esp=aes256gcm16!\n    lifetime=2h', ['lifetimeSeconds']],
      ['esp=aes256gcm16!', 'esp=aes256gcm16!\n    auto=start', ['auto']],
    ];
    for (const [from, to, settings] of cases) {
      const b = await connsOf(TWO_CONNS.replace(from, to), { 'gw.example.org': '192.0.2.9' });
      expect(sameConn(a.get('first')!, b.get('first')!), to).toBe(false);
      expect(changedSettings(a.get('first')!, b.get('first')!)).toEqual(settings);
      expect(sameConn(a.get('second')!, b.get('second')!)).toBe(true);
    }
  });

  it('representation only: key order, undefined versus absent, Buffer versus Uint8Array', () => {
    const a = conn({ name: 'x', localCert: new Uint8Array([1, 2, 3]), lifetimeSeconds: undefined });
    const { name, ...rest } = conn({ name: 'x', localCert: Buffer.from([1, 2, 3]) });
    const b = { ...Object.fromEntries(Object.entries(rest).reverse()), name } as IkeConn;
    expect(JSON.stringify(a) === JSON.stringify(b)).toBe(false); // what a naive comparison says
    expect(sameConn(a, b)).toBe(true);
    expect(sameConn(a, { ...a, localCert: new Uint8Array([1, 2, 4]) })).toBe(false);
    expect(sameConn(a, { ...a, childProposals: [ESP_CBC] })).toBe(false);
    expect(sameConn(a, { ...a, remoteId: parseIdentity('@other.example') })).toBe(false);
  });
});
