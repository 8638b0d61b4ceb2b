// IKE identities (RFC 7296 §3.5) in a form that compares cleanly: the ID
// type and a canonical text value. `%any` (type 'any') matches every ID.
// Parsing follows the ipsec.conf conventions for leftid/rightid: an IP
// address is ID_IPV4_ADDR/ID_IPV6_ADDR, `@host` (or a bare name) is
// ID_FQDN, `user@host` is ID_RFC822_ADDR, `@#hex` is ID_KEY_ID, anything
// with `=` is an ID_DER_ASN1_DN.

import { formatDn, parseDn } from '../pki/dn.js';
import { familyOf, ipFromBytes, ipToBytes } from './ip.js';

export const IdType = {
  IPV4_ADDR: 1,
  FQDN: 2,
  RFC822_ADDR: 3,
  IPV6_ADDR: 5,
  DER_ASN1_DN: 9,
  KEY_ID: 11,
} as const;
export type IdType = (typeof IdType)[keyof typeof IdType];

/** DN identities also carry their DER Name, which is what goes on the wire. */
export type Identity = { type: 'any' } | { type: IdType; value: string; der?: Uint8Array };

export const ANY_ID: Identity = { type: 'any' };

export function parseIdentity(text: string): Identity {
  const t = text.trim();
  if (t === '%any' || t === '' || t === '*') return ANY_ID;
  const family = familyOf(t);
  if (family === 4) return { type: IdType.IPV4_ADDR, value: t };
  if (family === 6) return { type: IdType.IPV6_ADDR, value: ipFromBytes(ipToBytes(t)) };
  if (t.startsWith('@#')) return { type: IdType.KEY_ID, value: t.slice(2).toLowerCase() };
  if (t.startsWith('@@')) return { type: IdType.RFC822_ADDR, value: t.slice(2) };
  if (t.startsWith('@')) return { type: IdType.FQDN, value: t.slice(1) };
  if (t.includes('=')) return dnIdentity(t);
  if (t.includes('@')) return { type: IdType.RFC822_ADDR, value: t };
  return { type: IdType.FQDN, value: t };
}

/** A DN written by an admin; unparseable DNs still match textually but cannot be sent. */
function dnIdentity(text: string): Identity {
  try {
    const der = parseDn(text).der;
    return { type: IdType.DER_ASN1_DN, value: formatDn(der), der };
  } catch {
    return { type: IdType.DER_ASN1_DN, value: canonicalDn(text) };
  }
}

/** The identity of a certificate subject (DER Name). */
export function dnFromDer(der: Uint8Array): Identity {
  return { type: IdType.DER_ASN1_DN, value: formatDn(der), der };
}

/** "C=CH, O=Example,CN=moon" -> "C=CH, O=Example, CN=moon" (spacing only). */
export function canonicalDn(dn: string): string {
  return dn
    .split(/(?<!\\),/)
    .map((rdn) => {
      const [k = '', ...v] = rdn.split('=');
      return `${k.trim().toUpperCase()}=${v.join('=').trim()}`;
    })
    .join(', ');
}

export function formatIdentity(id: Identity): string {
  return id.type === 'any' ? '%any' : id.value;
}

/** Does the configured `pattern` accept the peer's `actual` ID? */
export function idMatches(pattern: Identity, actual: Identity): boolean {
  if (pattern.type === 'any') return true;
  if (actual.type === 'any' || pattern.type !== actual.type) return false;
  if (pattern.type === IdType.FQDN || pattern.type === IdType.RFC822_ADDR) {
    return pattern.value.toLowerCase() === actual.value.toLowerCase();
  }
  if (pattern.type === IdType.DER_ASN1_DN) return dnMatches(pattern.value, actual.value);
  return pattern.value === actual.value;
}

/** DN equality with `*` as a whole-RDN-value wildcard ("CN=*"). */
function dnMatches(pattern: string, actual: string): boolean {
  const p = pattern.split(/(?<!\\), /);
  const a = actual.split(/(?<!\\), /);
  if (p.length !== a.length) return false;
  return p.every((rdn, i) => {
    const other = a[i] ?? '';
    if (rdn.endsWith('=*')) return rdn.slice(0, -1) === other.slice(0, rdn.length - 1);
    return rdn.toLowerCase() === other.toLowerCase();
  });
}

/** Match quality for ranking conns: exact ID beats wildcard beats %any. */
export function idMatchScore(pattern: Identity, actual: Identity): number {
  if (!idMatches(pattern, actual)) return -1;
  if (pattern.type === 'any') return 1;
  return pattern.type === IdType.DER_ASN1_DN && pattern.value.includes('=*') ? 2 : 3;
}

/** Body of an ID payload (RFC 7296 §3.5). */
export function identityData(id: Identity): { type: number; data: Uint8Array } {
  if (id.type === 'any') throw new Error('cannot send %any as an identity');
  if (id.type === IdType.IPV4_ADDR || id.type === IdType.IPV6_ADDR) return { type: id.type, data: ipToBytes(id.value) };
  if (id.type === IdType.KEY_ID) return { type: id.type, data: Buffer.from(id.value, 'hex') };
  if (id.type === IdType.DER_ASN1_DN) {
    if (!('der' in id) || !id.der) throw new Error(`cannot encode the DN '${id.value}'`);
    return { type: id.type, data: id.der };
  }
  return { type: id.type, data: Buffer.from(id.value, 'utf8') };
}

/** Decode an ID payload body; unknown types compare as opaque KEY_IDs. */
export function identityFromData(type: number, data: Uint8Array): Identity {
  switch (type) {
    case IdType.IPV4_ADDR:
    case IdType.IPV6_ADDR:
      return { type, value: ipFromBytes(data) };
    case IdType.FQDN:
    case IdType.RFC822_ADDR:
      return { type, value: Buffer.from(data).toString('utf8') };
    case IdType.KEY_ID:
      return { type, value: Buffer.from(data).toString('hex') };
    case IdType.DER_ASN1_DN:
      try {
        return dnFromDer(data);
      } catch {
        return { type: IdType.KEY_ID, value: Buffer.from(data).toString('hex') };
      }
    default:
      return { type: IdType.KEY_ID, value: Buffer.from(data).toString('hex') };
  }
}
