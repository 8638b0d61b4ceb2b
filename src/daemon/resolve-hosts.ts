// `left=`/`right=` may name a host (`right=vpn.example.com`). The IKE core
// works with addresses, so the daemon resolves names when it loads the
// configuration (and again on every reload, so a changed DNS record is
// picked up by `ipsec reload`). A name that does not resolve stays a name,
// which matches nothing, and is reported as a warning: one unreachable peer
// must not stop the other conns from loading.
import { lookup } from 'node:dns/promises';
import type { ConfigModel, ConnModel, EndModel, HostSpec } from '../config/model.js';

export type ResolveHost = (name: string) => Promise<{ address: string; family: 4 | 6 }>;

export const dnsResolveHost: ResolveHost = async (name) => {
  const found = await lookup(name);
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
};

async function resolveEnd(end: EndModel, side: string, conn: ConnModel, resolve: ResolveHost, warnings: string[]): Promise<EndModel> {
  const host: HostSpec = end.host;
  if (host.kind !== 'hostname') return end;
  try {
    const { address, family } = await resolve(host.name);
    return { ...end, host: { kind: 'address', address, family, resolvedFrom: host.name } };
  } catch (err) {
    const why = err instanceof Error && 'code' in err ? String((err as { code: unknown }).code) : 'lookup failed';
    warnings.push(`${conn.source.file}:${conn.source.line}: warning: conn '${conn.name}': ${side}=${host.name} does not resolve (${why}); the conn stays loaded but cannot be used until it does`);
    return end;
  }
}

/** The model with every host name of left=/right= replaced by its address. */
export async function resolveHostNames(config: ConfigModel, resolve: ResolveHost, warnings: string[]): Promise<ConfigModel> {
  const conns = await Promise.all(
    config.conns.map(async (conn) => {
      if (conn.local.host.kind !== 'hostname' && conn.remote.host.kind !== 'hostname') return conn;
      const [local, remote] = await Promise.all([
        resolveEnd(conn.local, 'left', conn, resolve, warnings),
        resolveEnd(conn.remote, 'right', conn, resolve, warnings),
      ]);
      return { ...conn, local, remote };
    }),
  );
  return { ...config, conns };
}
