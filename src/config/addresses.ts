// Address, CIDR, range and traffic-selector syntax shared by ipsec.conf
// values and ipsec.secrets selectors. Pure functions returning plain data
// or an error message.
import { isIP } from 'node:net';

export type Family = 4 | 6;

export interface Cidr {
  address: string;
  prefix: number;
  family: Family;
}

export function familyOf(address: string): Family | undefined {
  const v = isIP(address);
  return v === 4 ? 4 : v === 6 ? 6 : undefined;
}

export function parseCidr(text: string): Cidr | string {
  const slash = text.indexOf('/');
  const address = slash >= 0 ? text.slice(0, slash) : text;
  const family = familyOf(address);
  if (!family) return `'${address}' is not an IPv4 or IPv6 address`;
  const max = family === 4 ? 32 : 128;
  if (slash < 0) return { address, prefix: max, family };
  const p = text.slice(slash + 1);
  // IPv4 netmask in dotted form is accepted too (10.0.0.0/255.255.255.0).
  if (family === 4 && familyOf(p) === 4) {
    const bits = p.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
    if (!/^1*0*$/.test(bits)) return `'${p}' is not a contiguous netmask`;
    return { address, prefix: bits.indexOf('0') < 0 ? 32 : bits.indexOf('0'), family };
  }
  if (!/^\d{1,3}$/.test(p) || Number(p) > max) return `'/${p}' is not a valid prefix length for IPv${family} (0-${max})`;
  return { address, prefix: Number(p), family };
}

/** `a-b` address range of one family, a <= b. */
export function parseRange(text: string): { from: string; to: string; family: Family } | string {
  const dash = text.indexOf('-');
  if (dash < 0) return `'${text}' is not a range (expected FROM-TO)`;
  const from = text.slice(0, dash).trim();
  const to = text.slice(dash + 1).trim();
  const f1 = familyOf(from);
  const f2 = familyOf(to);
  if (!f1) return `'${from}' is not an IP address`;
  if (!f2) return `'${to}' is not an IP address`;
  if (f1 !== f2) return `range '${text}' mixes IPv4 and IPv6`;
  if (compareAddresses(from, to) > 0) return `range '${text}' ends before it starts`;
  return { from, to, family: f1 };
}

function addressBytes(address: string): number[] {
  if (familyOf(address) === 4) return address.split('.').map(Number);
  const [head = '', tail = ''] = address.includes('::') ? address.split('::') : [address, ''];
  const parseGroups = (s: string): number[] => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (g.includes('.')) out.push(...addressBytes(g).reduce<number[]>((a, b, i) => (i % 2 ? [...a.slice(0, -1), (a[a.length - 1] ?? 0) * 256 + b] : [...a, b]), []));
      else out.push(parseInt(g, 16));
    }
    return out;
  };
  const h = parseGroups(head);
  const t = parseGroups(tail);
  const groups = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  return groups.flatMap((g) => [g >> 8, g & 255]);
}

function formatAddress(bytes: number[], family: Family): string {
  if (family === 4) return bytes.join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952: compress the longest run (of two or more) of zero groups.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The network address of `address/prefix` (host bits cleared). */
export function networkAddress(address: string, prefix: number, family: Family): string {
  const bytes = addressBytes(address).map((b, i) => {
    const bitsBefore = i * 8;
    if (prefix >= bitsBefore + 8) return b;
    if (prefix <= bitsBefore) return 0;
    return b & (0xff << (8 - (prefix - bitsBefore)) & 0xff);
  });
  return formatAddress(bytes, family);
}

export function compareAddresses(a: string, b: string): number {
  const x = addressBytes(a);
  const y = addressBytes(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

/** Hostname syntax (RFC 1123 labels), so left=vpn.example.com is accepted. */
export function isHostname(text: string): boolean {
  return text.length <= 253 && /^(?=.*[A-Za-z_-])[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\.?$/.test(text);
}

const PROTOCOLS: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, 'ipv6-icmp': 58, icmpv6: 58, icmp6: 58, sctp: 132, ospf: 89, l2tp: 115 };
const SERVICES: Record<string, number> = { l2tp: 1701, http: 80, https: 443, ssh: 22, domain: 53, dns: 53, smtp: 25, bgp: 179, isakmp: 500, 'ipsec-nat-t': 4500, snmp: 161, ntp: 123, telnet: 23, ftp: 21, imap: 143, pop3: 110, rdp: 3389, sip: 5060 };

export interface ProtoPort {
  /** IP protocol number; 0 = any. */
  protocol: number;
  /** Port range; absent = any. ICMP uses type/code here as the kernel does. */
  port?: { from: number; to: number };
}

/** `proto[/port]` with names or numbers, `%any`, `%opaque`, port ranges `a-b`. */
export function parseProtoPort(text: string): ProtoPort | string {
  const [protoText = '', portText] = text.split('/');
  let protocol = 0;
  const p = protoText.toLowerCase();
  if (p === '' || p === '%any' || p === 'any') protocol = 0;
  else if (/^\d+$/.test(p) && Number(p) <= 255) protocol = Number(p);
  else if (PROTOCOLS[p] !== undefined) protocol = PROTOCOLS[p] ?? 0;
  else return `unknown protocol '${protoText}' (use a name such as tcp, udp, icmp or a number 0-255)`;
  if (portText === undefined || portText === '' || portText === '%any' || portText === '%opaque') return { protocol };
  const range = portText.split('-');
  const ports: number[] = [];
  for (const r of range) {
    const n = /^\d+$/.test(r) ? Number(r) : SERVICES[r.toLowerCase()];
    if (n === undefined || n > 65535) return `invalid port '${r}' (0-65535 or a service name)`;
    ports.push(n);
  }
  if (ports.length > 2) return `invalid port range '${portText}'`;
  const from = ports[0] ?? 0;
  const to = ports[1] ?? from;
  if (to < from) return `port range '${portText}' ends before it starts`;
  return { protocol, port: { from, to } };
}
