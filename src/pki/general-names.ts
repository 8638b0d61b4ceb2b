// subjectAltName entries (RFC 5280 4.2.1.6) from the strings admins give to
// --san: an IPv4/IPv6 address becomes iPAddress, something with '@' an
// rfc822Name, anything else a dNSName. A prefix forces the type where the
// guess is wrong: "ip:", "dns:", "email:", "uri:", "dn:".
import { isIP } from 'node:net';
import { type Asn1, CLASS, bytes, children, der, text } from './asn1.js';
import { formatDn, parseDn } from './dn.js';
import { PkiError } from './errors.js';
import { formatIpv6 } from '../wire/payloads/id.js';

export type GeneralNameKind = 'ip' | 'dns' | 'email' | 'uri' | 'dn';

export interface GeneralName {
  kind: GeneralNameKind;
  value: string;
}

// GeneralName CHOICE tags.
const TAG = { email: 1, dns: 2, dn: 4, uri: 6, ip: 7 } as const;

const DNS_NAME = /^(\*\.)?([A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)(\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;
const EMAIL = /^[\x21-\x3f\x41-\x7e]+@[A-Za-z0-9_.-]+$/;
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$/;

export function parseGeneralName(input: string): GeneralName {
  const trimmed = input.trim();
  const prefix = /^(ip|dns|email|uri|dn):(?!\/\/)/i.exec(trimmed);
  const kind = prefix ? (prefix[1]!.toLowerCase() as GeneralNameKind) : guessKind(trimmed);
  const value = prefix ? trimmed.slice(prefix[0].length).trim() : trimmed;
  const bad = (what: string) => new PkiError('PKI_BAD_SAN', `subjectAltName '${input}' ${what}`);
  switch (kind) {
    case 'ip':
      if (!isIP(value) || value.includes('%')) throw bad('is not an IPv4 or IPv6 address (without a zone)');
      return { kind, value };
    case 'email':
      if (!EMAIL.test(value)) throw bad('is not an email address (ASCII local@domain)');
      return { kind, value };
    case 'dns':
      if (value.length > 253 || !DNS_NAME.test(value)) {
        throw bad('is not an IP address, an email address (user@example.com) or a DNS name (letters, digits, "-" and "." only; use punycode for other characters)');
      }
      return { kind, value };
    case 'uri':
      if (!URI.test(value)) throw bad('is not a URI (scheme:rest, ASCII, no spaces)');
      return { kind, value };
    case 'dn':
      parseDn(value);
      return { kind, value };
  }
}

function guessKind(value: string): GeneralNameKind {
  if (isIP(value)) return 'ip';
  if (value.includes('@')) return 'email';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value)) return 'uri';
  return 'dns';
}

export function encodeGeneralName(name: GeneralName): Asn1 {
  switch (name.kind) {
    case 'ip':
      return der.implicit(TAG.ip, ipBytes(name.value));
    case 'email':
      return der.implicit(TAG.email, name.value);
    case 'dns':
      return der.implicit(TAG.dns, name.value);
    case 'uri':
      return der.implicit(TAG.uri, name.value);
    case 'dn':
      // Name is a CHOICE, and a tag on a CHOICE is always explicit (X.680 31.2.7).
      return der.explicit(TAG.dn, der.raw(parseDn(name.value).der));
  }
}

export function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  // Expand "::" and an embedded dotted quad, then write eight 16-bit groups.
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = v4[1]!.split('.').map(Number);
    text = `${text.slice(0, -v4[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill('0'), ...tailGroups];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

export function formatIp(raw: Buffer): string {
  if (raw.length === 4) return [...raw].join('.');
  if (raw.length !== 16) return `0x${raw.toString('hex')}`;
  return formatIpv6(raw);
}

/** Reads a GeneralNames SEQUENCE for printing; unknown choices are shown by tag. */
export function readGeneralNames(node: Asn1): GeneralName[] {
  return children(node).map((name): GeneralName => {
    if (name.tagClass !== CLASS.CONTEXT_SPECIFIC) return { kind: 'uri', value: '(not a GeneralName)' };
    switch (name.type) {
      case TAG.email:
        return { kind: 'email', value: text(name) };
      case TAG.dns:
        return { kind: 'dns', value: text(name) };
      case TAG.uri:
        return { kind: 'uri', value: text(name) };
      case TAG.ip:
        return { kind: 'ip', value: formatIp(bytes(name)) };
      case TAG.dn:
        return { kind: 'dn', value: formatDn(children(name)[0]!) };
      default:
        return { kind: 'uri', value: `(GeneralName [${name.type}])` };
    }
  });
}

export const formatGeneralName = (name: GeneralName): string => `${name.kind === 'email' ? 'email' : name.kind.toUpperCase()}:${name.value}`;
