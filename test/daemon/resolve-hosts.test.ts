import { describe, expect, it } from 'vitest';
import { conf } from '../config/helpers.js';
import { resolveHostNames, type ResolveHost } from '../../src/daemon/resolve-hosts.js';

const text = `conn office
\tleft=192.0.2.1
\tright=vpn.example.net
\tauto=add

conn lost
\tleft=192.0.2.1
\tright=gone.example.net
\tauto=add
`;

const zone: ResolveHost = async (name) => {
  if (name === 'vpn.example.net') return { address: '198.51.100.7', family: 4 };
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
};

describe('host names in left=/right=', () => {
  it('become addresses, and a name that does not resolve is a warning that keeps the conn', async () => {
    const model = conf(text).model!;
    const warnings: string[] = [];
    const resolved = await resolveHostNames(model, zone, warnings);
    expect(resolved.conns[0]!.remote.host).toEqual({ kind: 'address', address: '198.51.100.7', family: 4, resolvedFrom: 'vpn.example.net' });
    expect(resolved.conns[1]!.remote.host).toEqual({ kind: 'hostname', name: 'gone.example.net' });
    expect(warnings).toEqual([
      "/etc/ipsec.conf:6: warning: conn 'lost': right=gone.example.net does not resolve (ENOTFOUND); the conn stays loaded but cannot be used until it does",
    ]);
  });
});
