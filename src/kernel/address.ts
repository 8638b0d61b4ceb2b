// Textual IP addresses and prefixes <-> the kernel's 16-byte form
// (xfrm_address_t: IPv4 in the first 4 bytes, network byte order).
import { isIPv6 } from 'node:net';
import { KernelError } from './backend.js';

export type Family = 4 | 6;

export interface Prefix {
  family: Family;
  /** 16 bytes; IPv4 uses the first 4. */
  bytes: Uint8Array;
  length: number;
}

function invalid(what: string, text: string): KernelError {
  return new KernelError('KERNEL_BAD_ADDRESS', 'EINVAL', `invalid ${what} '${text}': expected an IPv4 or IPv6 ${what}`);
}

export function familyOf(address: string): Family {
  if (parseIPv4Into(address, Buffer.allocUnsafe(4))) return 4;
  if (isIPv6(address)) return 6;
  throw invalid('address', address);
}

/** Dotted quad without the regex machinery (hot path: every policy has four). */
function parseIPv4Into(text: string, out: Uint8Array): boolean {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || part === 3) return false;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && value === 0) return false; // no leading zeros
      value = value * 10 + (c - 48);
      if (++digits > 3 || value > 255) return false;
    } else {
      return false;
    }
  }
  if (digits === 0 || part !== 3) return false;
  out[3] = value;
  return true;
}

export function parseAddress(address: string): { family: Family; bytes: Uint8Array } {
  const out = Buffer.allocUnsafe(16).fill(0);
  if (parseIPv4Into(address, out)) return { family: 4, bytes: out };
  if (!isIPv6(address)) throw invalid('address', address);
  let text = address;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4tail) {
    const b = v4tail[1]!.split('.').map(Number);
    text = text.slice(0, -v4tail[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return { family: 6, bytes: out };
}

export function formatAddress(family: Family, bytes: Uint8Array): string {
  if (family === 4) return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  // RFC 5952: compress the longest run (>= 2) of zero groups, first on ties.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** "198.51.100.0/24", "2001:db8::/32" or a bare address (host prefix). Host bits are cleared. */
export function parsePrefix(text: string): Prefix {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const { family, bytes } = parseAddress(addr);
  const max = family === 4 ? 32 : 128;
  const length = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(length) || length < 0 || length > max || (slash >= 0 && !/^\d+$/.test(text.slice(slash + 1)))) {
    throw invalid('prefix', text);
  }
  for (let bit = length; bit < max; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { family, bytes, length };
}

export function formatPrefix(family: Family, bytes: Uint8Array, length: number): string {
  return `${formatAddress(family, bytes)}/${length}`;
}

/** Canonical text of a prefix (host bits cleared, compressed IPv6). */
export function canonicalPrefix(text: string): string {
  const p = parsePrefix(text);
  return formatPrefix(p.family, p.bytes, p.length);
}

export function canonicalAddress(text: string): string {
  const a = parseAddress(text);
  return formatAddress(a.family, a.bytes);
}
