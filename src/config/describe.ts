// Human-readable view of the model for `ipsec show-config` without
// --json/--yaml: one block per conn, transforms by their IANA names.
import { TransformType, transformName } from '../wire/iana/transforms.js';
import { type ConfigModel, type ConnModel, type EndModel, type HostSpec, type Mark, type ProposalSet, type SourceIp, type TrafficSelector } from './model.js';

function duration(seconds: number): string {
  if (seconds === 0) return '0';
  if (seconds % 86400 === 0) return `${seconds / 86400}d`;
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

function host(h: HostSpec): string {
  switch (h.kind) {
    case 'address':
      return h.address;
    case 'hostname':
      return h.name;
    case 'any':
      return h.family === 6 ? '%any6' : '%any';
    case 'defaultroute':
      return '%defaultroute';
    case 'group':
      return h.name;
    case 'opportunistic':
      return '%opportunistic';
  }
}

const PROTOCOL_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 47: 'gre', 58: 'ipv6-icmp', 132: 'sctp' };

function selector(t: TrafficSelector): string {
  const base = t.virtual ?? (t.dynamic ? '%dynamic' : (t.cidr ?? '?'));
  if (!t.protocol && !t.port) return base;
  const proto = PROTOCOL_NAMES[t.protocol] ?? String(t.protocol);
  const port = t.port ? `/${t.port.from === t.port.to ? t.port.from : `${t.port.from}-${t.port.to}`}` : '';
  return `${base}[${proto}${port}]`;
}

function sourceIp(s: SourceIp): string {
  switch (s.kind) {
    case 'config':
      return s.family ? `%config${s.family}` : '%config';
    case 'address':
      return s.address;
    case 'pool':
      return s.cidr;
    case 'range':
      return `${s.from}-${s.to}`;
    case 'named-pool':
      return `%${s.name}`;
  }
}

function end(label: string, e: EndModel): string {
  const parts = [`${label.padEnd(7)}${host(e.host)}`];
  if (e.ikePort !== 500) parts.push(`port ${e.ikePort}`);
  if (e.id) parts.push(`id ${e.id}`);
  parts.push(`selectors ${e.subnets.map(selector).join(',')}`);
  if (e.sourceIps.length) parts.push(`sourceip ${e.sourceIps.map(sourceIp).join(',')}`);
  if (e.dns.length) parts.push(`dns ${e.dns.join(',')}`);
  parts.push(`auth ${e.auth.map((a) => a.spec).join('+')}`);
  if (e.cert) parts.push(`cert ${e.cert}`);
  if (e.updown) parts.push(`updown ${e.updown}`);
  return `  ${parts.join('  ')}`;
}

function proposals(label: string, set: ProposalSet): string[] {
  return set.proposals.map((p, i) => {
    const names = [
      ...p.encr.map((e) => transformName(TransformType.ENCR, e.id, e.keyLength)),
      ...p.integ.map((x) => transformName(TransformType.INTEG, x)),
      ...p.prf.map((x) => transformName(TransformType.PRF, x)),
      ...p.ke.map((x) => transformName(TransformType.KE, x)),
      ...(set.protocol === 'ike' ? [] : p.esn.map((x) => transformName(TransformType.ESN, x))),
    ];
    return `  ${(i === 0 ? label : '').padEnd(7)}${names.join('/')}${set.strict && i === set.proposals.length - 1 ? '  (strict)' : ''}`;
  });
}

const mark = (m: Mark): string => (m.unique ? '%unique' : `0x${m.value.toString(16)}/0x${m.mask.toString(16)}`);

function conn(c: ConnModel): string[] {
  const flags = [c.keyExchange, c.mode, `auto=${c.auto}`, c.mobike ? 'mobike' : 'no mobike', `fragmentation=${c.fragmentation}`];
  if (c.forceEncaps) flags.push('forceencaps');
  if (c.neverEncaps) flags.push('encapsulation=no');
  if (c.compress) flags.push('compress');
  if (c.markIn) flags.push(`mark in ${mark(c.markIn)}`);
  if (c.markOut) flags.push(`mark out ${mark(c.markOut)}`);
  if (c.ifIdIn !== undefined) flags.push(`if_id in ${c.ifIdIn}`);
  if (c.ifIdOut !== undefined) flags.push(`if_id out ${c.ifIdOut}`);
  return [
    `conn ${c.name}  (${c.source.file}:${c.source.line})`,
    `  ${flags.join(', ')}`,
    end('local', c.local),
    end('remote', c.remote),
    ...proposals('ike', c.ike),
    ...proposals(c.child.protocol, c.child),
    `  times  ike ${duration(c.ikeLifetime)}, child ${duration(c.lifetime)}, rekey margin ${duration(c.rekeyMargin)} +${c.rekeyFuzz}%, ${c.rekey ? 'rekey' : 'no rekey'}, ${c.reauth ? 'reauth' : 'no reauth'}; dpd ${duration(c.dpdDelay)} ${c.dpdAction}; keyingtries ${c.keyingTries || '%forever'}${retransmits(c)}`,
    '',
  ];
}

/** The retransmit keywords as given; the schedule they make is the IKE layer's business. */
function retransmits(c: ConnModel): string {
  const parts: string[] = [];
  if (c.retransmitInterval > 0) parts.push(`interval ${c.retransmitInterval}ms`);
  if (c.retransmitLimit > 0) parts.push(`limit ${duration(c.retransmitLimit)}`);
  if (c.retransmitTimeout > 0) parts.push(`timeout ${duration(c.retransmitTimeout)}`);
  return parts.length > 0 ? `; retransmit ${parts.join(', ')}` : '';
}

export function describeModel(model: ConfigModel): string {
  const st = model.setup;
  const out = [
    `config setup  uniqueids=${st.uniqueIds} strictcrlpolicy=${st.strictCrlPolicy} cachecrls=${st.cacheCrls ? 'yes' : 'no'}`,
    `  ike_sa_init  COOKIE from ${st.ddosIkeThreshold} half-open (ddos-ike-threshold), limit ${st.maxHalfOpenIke} (max-halfopen-ike), cookie secret ${duration(st.cookieSecretLifetime)}`,
    '',
  ];
  for (const c of model.conns) out.push(...conn(c));
  for (const ca of model.cas) out.push(`ca ${ca.name}  auto=${ca.auto}${ca.cacert ? `  cacert ${ca.cacert}` : ''}${ca.crlUris.length ? `  crl ${ca.crlUris.join(',')}` : ''}`, '');
  return out.join('\n');
}
