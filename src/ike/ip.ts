// Addresses as numbers, for traffic-selector arithmetic (ranges, narrowing,
// range -> prefix conversion). IPv4 and IPv6; textual forms as node:net
// accepts them, output in canonical form.

import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export interface IpValue {
  family: Family;
  value: bigint;
}

export function familyOf(text: string): Family | undefined {
  if (isIPv4(text)) return 4;
  if (isIPv6(text)) return 6;
  return undefined;
}

export function bitsOf(family: Family): number {
  return family === 4 ? 32 : 128;
}

export function parseIp(text: string): IpValue {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
    return { family: 4, value };
  }
  if (isIPv6(text)) return { family: 6, value: parseIPv6(text) };
  throw new Error(`not an IP address: '${text}'`);
}

function parseIPv6(text: string): bigint {
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    tailV4 = parseIp(text.slice(lastColon + 1)).value;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const leftGroups = left ? left.split(':') : [];
  const rightGroups = right ? right.split(':') : [];
  const missing = 8 - leftGroups.length - rightGroups.length;
  const groups = right === undefined ? leftGroups : [...leftGroups, ...Array<string>(missing).fill('0'), ...rightGroups];
  let value = groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

export function formatIp(ip: IpValue): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((shift) => String((v >> shift) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((ip.value >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Longest run of zero groups (length >= 2) becomes "::" (RFC 5952).
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  const left = groups.slice(0, bestStart).join(':');
  const right = groups.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

/** Address bytes in network order (4 or 16), for TS and ID payloads. */
export function ipToBytes(text: string): Uint8Array {
  const { family, value } = parseIp(text);
  const len = family === 4 ? 4 : 16;
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = Number((value >> BigInt((len - 1 - i) * 8)) & 0xffn);
  return out;
}

export function ipFromBytes(bytes: Uint8Array): string {
  if (bytes.length !== 4 && bytes.length !== 16) throw new Error(`address of ${bytes.length} octets`);
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return formatIp({ family: bytes.length === 4 ? 4 : 6, value });
}

/** "198.51.100.0/24" or a bare address -> inclusive range. */
export function cidrToRange(cidr: string): { family: Family; start: bigint; end: bigint } {
  const [addr = '', lenText] = cidr.split('/');
  const ip = parseIp(addr);
  const bits = bitsOf(ip.family);
  const len = lenText === undefined ? bits : Number(lenText);
  if (!Number.isInteger(len) || len < 0 || len > bits) throw new Error(`bad prefix length in '${cidr}'`);
  const hostBits = BigInt(bits - len);
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << hostBits) - 1n);
  const start = ip.value & mask;
  return { family: ip.family, start, end: start | ((1n << hostBits) - 1n) };
}

/** Smallest list of CIDR prefixes covering exactly [start, end]. */
export function rangeToCidrs(family: Family, start: bigint, end: bigint): string[] {
  const bits = bitsOf(family);
  const out: string[] = [];
  let cur = start;
  while (cur <= end) {
    let size = 0;
    while (size < bits) {
      const block = 1n << BigInt(size + 1);
      if (cur % block !== 0n || cur + block - 1n > end) break;
      size++;
    }
    out.push(`${formatIp({ family, value: cur })}/${bits - size}`);
    cur += 1n << BigInt(size);
  }
  return out;
}
