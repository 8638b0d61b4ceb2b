// Human-readable status, in the shape IPsec admins know from `ipsec status`:
// one block per IKE SA (`name[uniqueId]`) followed by its CHILD SAs
// (`name{reqid}`); `statusall` adds the daemon, its sockets, the configured
// connections and the drop counters. Pure: snapshot + clock in, text out.

import type { StatusChildSa, StatusConn, StatusIkeSa, StatusInitLoad, StatusSnapshot } from '../daemon/engine.js';

export function ago(iso: string | undefined, now: Date): string {
  if (!iso) return 'unknown';
  const ms = now.getTime() - Date.parse(iso);
  if (!Number.isFinite(ms)) return 'unknown';
  return `${span(Math.abs(ms))}${ms >= 0 ? ' ago' : ' from now'}`;
}

export function until(iso: string | undefined, now: Date): string | undefined {
  if (!iso) return undefined;
  const ms = Date.parse(iso) - now.getTime();
  if (!Number.isFinite(ms)) return undefined;
  return ms >= 0 ? `in ${span(ms)}` : `${span(-ms)} overdue`;
}

function span(ms: number): string {
  // Whole units, rounded down: "2 hours" until it is 3.
  const s = Math.floor(ms / 1000);
  if (s < 120) return `${s} second${s === 1 ? '' : 's'}`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} minutes`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} hours`;
  return `${Math.floor(h / 24)} days`;
}

function pad(label: string, width: number): string {
  return label.length >= width ? label : ' '.repeat(width - label.length) + label;
}

function ikeLabel(sa: StatusIkeSa): string {
  return `${sa.name}[${sa.uniqueId}]`;
}

function childLabel(child: StatusChildSa): string {
  return `${child.name}{${child.reqid}}`;
}

function labelWidth(sas: StatusIkeSa[], conns: StatusConn[] = []): number {
  let w = 12;
  for (const sa of sas) {
    w = Math.max(w, ikeLabel(sa).length);
    for (const c of sa.children) w = Math.max(w, childLabel(c).length);
  }
  for (const c of conns) w = Math.max(w, c.name.length);
  return w + 2;
}

function natFlags(sa: StatusIkeSa): string {
  const flags: string[] = [];
  if (sa.natLocal) flags.push('local host is behind NAT');
  if (sa.natRemote) flags.push('remote host is behind NAT');
  return flags.length > 0 ? `, ${flags.join(', ')}` : '';
}

function ikeLines(sa: StatusIkeSa, w: number, now: Date, verbose: boolean): string[] {
  const l = pad(ikeLabel(sa), w);
  const when = sa.establishedAt ? ` ${ago(sa.establishedAt, now)}` : '';
  const lines = [
    `${l}: ${sa.state}${when}, ${sa.localAddress}[${sa.localId}]...${sa.remoteAddress}[${sa.remoteId}]${natFlags(sa)}`,
  ];
  const rekey = until(sa.rekeyAt, now);
  lines.push(
    `${l}: IKEv2 SPIs: ${sa.spiI}_i${sa.initiator ? '*' : ''} ${sa.spiR}_r${sa.initiator ? '' : '*'}${rekey ? `, rekeying ${rekey}` : ''}`,
  );
  if (sa.proposal) lines.push(`${l}: IKE proposal: ${sa.proposal}`);
  for (const child of sa.children) lines.push(...childLines(child, w, now, verbose));
  return lines;
}

function childLines(c: StatusChildSa, w: number, now: Date, verbose: boolean): string[] {
  const l = pad(childLabel(c), w);
  const proto = c.protocol.toUpperCase() + (c.encap ? ' in UDP' : '');
  const lines = [`${l}:  ${c.state}, ${c.mode.toUpperCase()}, reqid ${c.reqid}, ${proto} SPIs: ${c.spiIn}_i ${c.spiOut}_o`];
  const rekey = until(c.rekeyAt, now);
  const traffic = `${c.bytesIn} bytes_i (${c.packetsIn} pkts), ${c.bytesOut} bytes_o (${c.packetsOut} pkts)`;
  lines.push(`${l}:  ${c.proposal}, ${traffic}${rekey ? `, rekeying ${rekey}` : ''}`);
  if (verbose) lines.push(`${l}:  installed ${ago(c.installedAt, now)}${c.expiresAt ? `, expires ${until(c.expiresAt, now)}` : ''}`);
  lines.push(`${l}:   ${c.localTs.join(' ')} === ${c.remoteTs.join(' ')}`);
  return lines;
}

function saSummary(sas: StatusIkeSa[]): string {
  const up = sas.filter((s) => s.state === 'ESTABLISHED' || s.state === 'REKEYING').length;
  const connecting = sas.filter((s) => s.state === 'CONNECTING' || s.state === 'CREATED').length;
  return `Security Associations (${up} up, ${connecting} connecting):`;
}

function connLines(conn: StatusConn, w: number): string[] {
  const l = pad(conn.name, w);
  return [
    `${l}:  ${conn.local}...${conn.remote}  IKEv2, auto=${conn.auto}, ${conn.auth} authentication`,
    `${l}:   child: ${conn.localSubnets.join(' ') || 'dynamic'} === ${conn.remoteSubnets.join(' ') || 'dynamic'} ${conn.mode.toUpperCase()}`,
  ];
}

/** Conns with trap policies in the kernel, as `name{reqid}:  ROUTED, MODE, ...`. */
function routedLines(conns: StatusConn[], w: number): string[] {
  const routed = conns.filter((c) => c.trap);
  if (routed.length === 0) return [];
  const lines = ['Routed Connections:'];
  for (const c of routed) {
    const l = pad(`${c.name}{${c.trap!.reqid}}`, w);
    lines.push(`${l}:  ROUTED, ${c.mode.toUpperCase()}, reqid ${c.trap!.reqid}${c.trap!.reason === 'hold' ? ', hold' : ''}`);
    lines.push(`${l}:   ${c.localSubnets.join(' ') || c.local} === ${c.remoteSubnets.join(' ') || c.remote}`);
  }
  return lines;
}

/** Widest label including routed conns' `name{reqid}`. */
function routedWidth(w: number, conns: StatusConn[]): number {
  for (const c of conns) if (c.trap) w = Math.max(w, `${c.name}{${c.trap.reqid}}`.length + 2);
  return w;
}

/** `ipsec status [NAME]`. */
export function formatStatus(s: StatusSnapshot, now: Date = new Date()): string {
  const w = routedWidth(labelWidth(s.ikeSas), s.conns);
  const lines: string[] = [];
  const routedOrAdded = s.conns.length;
  lines.push(`Connections: ${routedOrAdded === 0 ? 'none' : s.conns.map((c) => c.name).join(', ')}`);
  lines.push(...routedLines(s.conns, w));
  lines.push(saSummary(s.ikeSas));
  if (s.ikeSas.length === 0) lines.push('  none');
  for (const sa of s.ikeSas) lines.push(...ikeLines(sa, w, now, false));
  return `${lines.join('\n')}\n`;
}

/** `ipsec statusall [NAME]`. */
export function formatStatusAll(s: StatusSnapshot, now: Date = new Date()): string {
  const w = routedWidth(labelWidth(s.ikeSas, s.conns), s.conns);
  const lines: string[] = [];
  lines.push(`Status of nodeswan IKE daemon (${s.daemon.version}, pid ${s.daemon.pid}):`);
  lines.push(`  uptime: ${span(now.getTime() - Date.parse(s.daemon.startedAt))}, since ${s.daemon.startedAt}`);
  lines.push('Listening addresses:');
  if (s.daemon.listening.length === 0) lines.push('  none');
  for (const a of s.daemon.listening) lines.push(`  ${a}`);
  if (s.ikeSaInit) lines.push(...initLoadLines(s.ikeSaInit));
  lines.push('Connections:');
  if (s.conns.length === 0) lines.push('  none');
  for (const c of s.conns) lines.push(...connLines(c, w));
  lines.push(...routedLines(s.conns, w));
  lines.push(saSummary(s.ikeSas));
  if (s.ikeSas.length === 0) lines.push('  none');
  for (const sa of s.ikeSas) lines.push(...ikeLines(sa, w, now, true));
  const drops = Object.entries(s.drops).sort(([a], [b]) => a.localeCompare(b));
  const total = drops.reduce((n, [, v]) => n + v, 0);
  lines.push(`Dropped datagrams (${total}):`);
  if (drops.length === 0) lines.push('  none');
  for (const [reason, n] of drops) lines.push(`  ${reason}: ${n}`);
  return `${lines.join('\n')}\n`;
}

/** Half-open IKE SAs against the COOKIE threshold and limit, and the COOKIE secret in use. */
function initLoadLines(l: StatusInitLoad): string[] {
  return [
    'IKE_SA_INIT admission:',
    `  half-open IKE SAs: ${l.halfOpen} (COOKIE from ${l.cookieThreshold}, limit ${l.halfOpenLimit}), COOKIE mode ${l.cookieMode ? 'on' : 'off'}`,
    `  COOKIE secret: version ${l.cookieSecretVersion}, rotates every ${span(l.cookieSecretLifetimeMs)}`,
    `  responder SAs created: ${l.responderSas}`,
  ];
}
