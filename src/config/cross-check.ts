// Checks that need both ipsec.conf and ipsec.secrets: a conn that
// authenticates with a pre-shared key must find one.
import { type Diagnostics } from './diagnostics.js';
import { type ConfigModel, type ConnModel, type EndModel } from './model.js';
import { type SecretsModel } from './secrets.js';

/** Identity spellings compared loosely: '@gw' and 'gw' are the same FQDN; case does not matter. */
function norm(id: string): string {
  const t = id.trim().replace(/^["']|["']$/g, '');
  return (t.startsWith('@') && !t.startsWith('@#') ? t.slice(1) : t).toLowerCase();
}

function namesOf(end: EndModel): string[] {
  const out: string[] = [];
  if (end.id) out.push(end.id);
  if (end.host.kind === 'address') out.push(end.host.address);
  if (end.host.kind === 'hostname') out.push(end.host.name);
  return out.map(norm);
}

const usesPsk = (c: ConnModel): boolean => [...c.local.auth, ...c.remote.auth].some((a) => a.method === 'psk');

export function crossCheck(config: ConfigModel, secrets: SecretsModel, diags: Diagnostics): void {
  // Every identity some PSK is for, so each conn is one set lookup per name.
  const pskIds = new Set<string>();
  let wildcard = false;
  for (const e of secrets.entries) {
    if (e.type !== 'PSK') continue;
    if (e.ids.length === 0) wildcard = true;
    for (const id of e.ids) {
      if (['%any', '%any4', '%any6'].includes(id.toLowerCase())) wildcard = true;
      pskIds.add(norm(id));
    }
  }
  for (const conn of config.conns) {
    if (wildcard) return;
    if (conn.auto === 'ignore' || !usesPsk(conn) || conn.mode === 'passthrough' || conn.mode === 'drop' || conn.mode === 'reject') continue;
    const names = new Set([...namesOf(conn.local), ...namesOf(conn.remote)]);
    const found = [...names].some((n) => pskIds.has(n));
    if (!found) {
      diags.warning(
        { file: conn.source.file, line: conn.source.line, col: 1 },
        'psk-missing',
        `conn '${conn.name}' authenticates with a pre-shared key, but ipsec.secrets has no PSK for ${[...names].map((n) => `'${n}'`).join(' or ') || 'it'}`,
      );
    }
  }
}
