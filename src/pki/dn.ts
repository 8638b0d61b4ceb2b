// Distinguished names as admins write them in ipsec.conf and on the
// command line ("C=CH, O=Example, CN=vpn.example.com", or the slash form
// "/C=CH/O=Example/CN=vpn.example.com"), to and from DER (RFC 5280 4.1.2.4).
//
// Attribute keywords follow the ones ipsec.conf users know (SN is
// serialNumber, S is surname, E is emailAddress); a dotted OID works for
// anything else. Values are PrintableString when their characters allow it
// and UTF8String otherwise (RFC 5280 4.1.2.6), except C, serialNumber and
// dnQualifier (always PrintableString) and emailAddress, DC and
// unstructuredName (IA5String). A value may be double-quoted, and `\`
// escapes the next character, so a comma can be part of a value.
import { type Asn1, TYPE, children, decode, der, encode, isUniversal, oidOf, text } from './asn1.js';
import { PkiError } from './errors.js';

type StringKind = 'directory' | 'printable' | 'ia5';

interface AttributeType {
  readonly oid: string;
  /** Name used when printing. */
  readonly name: string;
  /** Other accepted spellings (matched case-insensitively). */
  readonly aliases: readonly string[];
  readonly kind: StringKind;
}

const ATTRIBUTES: readonly AttributeType[] = [
  { oid: '2.5.4.6', name: 'C', aliases: ['countryName'], kind: 'printable' },
  { oid: '2.5.4.8', name: 'ST', aliases: ['stateOrProvinceName'], kind: 'directory' },
  { oid: '2.5.4.7', name: 'L', aliases: ['localityName'], kind: 'directory' },
  { oid: '2.5.4.9', name: 'STREET', aliases: ['streetAddress'], kind: 'directory' },
  { oid: '2.5.4.10', name: 'O', aliases: ['organizationName'], kind: 'directory' },
  { oid: '2.5.4.11', name: 'OU', aliases: ['organizationalUnitName'], kind: 'directory' },
  { oid: '2.5.4.3', name: 'CN', aliases: ['commonName'], kind: 'directory' },
  { oid: '2.5.4.4', name: 'S', aliases: ['surname'], kind: 'directory' },
  { oid: '2.5.4.5', name: 'SN', aliases: ['serialNumber'], kind: 'printable' },
  { oid: '2.5.4.12', name: 'T', aliases: ['title'], kind: 'directory' },
  { oid: '2.5.4.13', name: 'D', aliases: ['description'], kind: 'directory' },
  { oid: '2.5.4.16', name: 'postalAddress', aliases: [], kind: 'directory' },
  { oid: '2.5.4.17', name: 'postalCode', aliases: [], kind: 'directory' },
  { oid: '2.5.4.41', name: 'N', aliases: ['name'], kind: 'directory' },
  { oid: '2.5.4.42', name: 'G', aliases: ['givenName', 'GN'], kind: 'directory' },
  { oid: '2.5.4.43', name: 'I', aliases: ['initials'], kind: 'directory' },
  { oid: '2.5.4.45', name: 'ID', aliases: ['uniqueIdentifier'], kind: 'directory' },
  { oid: '2.5.4.46', name: 'dnQualifier', aliases: [], kind: 'printable' },
  { oid: '2.5.4.54', name: 'dmdName', aliases: [], kind: 'directory' },
  { oid: '2.5.4.65', name: 'pseudonym', aliases: [], kind: 'directory' },
  { oid: '2.16.840.1.113730.3.1.3', name: 'EN', aliases: ['employeeNumber'], kind: 'directory' },
  { oid: '1.2.840.113549.1.9.1', name: 'E', aliases: ['Email', 'emailAddress'], kind: 'ia5' },
  { oid: '1.2.840.113549.1.9.2', name: 'UN', aliases: ['unstructuredName'], kind: 'ia5' },
  { oid: '1.2.840.113549.1.9.8', name: 'UA', aliases: ['unstructuredAddress'], kind: 'directory' },
  { oid: '0.9.2342.19200300.100.1.1', name: 'UID', aliases: ['userId'], kind: 'directory' },
  { oid: '0.9.2342.19200300.100.1.25', name: 'DC', aliases: ['domainComponent'], kind: 'ia5' },
];

const BY_KEYWORD = new Map<string, AttributeType>();
for (const a of ATTRIBUTES) for (const k of [a.name, ...a.aliases]) BY_KEYWORD.set(k.toLowerCase(), a);
const BY_OID = new Map(ATTRIBUTES.map((a) => [a.oid, a]));

export const DN_KEYWORDS: readonly string[] = ATTRIBUTES.map((a) => a.name);

export interface Rdn {
  readonly oid: string;
  /** Keyword (CN, O, ...) or the dotted OID when there is none. */
  readonly type: string;
  readonly value: string;
}

export interface ParsedDn {
  readonly rdns: readonly Rdn[];
  /** DER Name (SEQUENCE OF RelativeDistinguishedName, one attribute per RDN). */
  readonly der: Buffer;
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
// eslint-disable-next-line no-control-regex
const IA5 = /^[\x00-\x7f]*$/;
const DOTTED_OID = /^[0-2](\.(0|[1-9][0-9]*))+$/;

/** Parses a DN string; throws PkiError PKI_BAD_DN naming the part and what would be valid. */
export function parseDn(input: string): ParsedDn {
  const source = input.trim();
  if (source === '') throw dnError(input, 'is empty; expected e.g. "C=CH, O=Example, CN=vpn.example.com"');
  const separator = source.startsWith('/') ? '/' : ',';
  const parts = splitRdns(input, separator === '/' ? source.slice(1) : source, separator);
  const rdns: Rdn[] = [];
  const nodes: Asn1[] = [];
  parts.forEach((part, index) => {
    const where = `RDN ${index + 1} "${part.raw.trim()}"`;
    if (part.equals < 0) throw dnError(input, `${where} has no '='; each part is TYPE=value, e.g. CN=vpn.example.com`);
    const keyword = part.raw.slice(0, part.equals).trim();
    const value = part.value;
    if (keyword === '') throw dnError(input, `${where} has no attribute type before '='`);
    const attribute = BY_KEYWORD.get(keyword.toLowerCase());
    if (!attribute && !DOTTED_OID.test(keyword)) {
      throw dnError(input, `${where}: unknown attribute type '${keyword}'; use one of ${DN_KEYWORDS.join(', ')} or a dotted OID`);
    }
    if (value === '') throw dnError(input, `${where} has an empty value`);
    const oid = attribute?.oid ?? keyword;
    const kind = attribute?.kind ?? 'directory';
    if (attribute?.name === 'C' && !/^[A-Za-z]{2}$/.test(value)) {
      throw dnError(input, `${where}: a country (C) is a two-letter ISO 3166 code, e.g. C=CH`);
    }
    let encoded: Asn1;
    if (kind === 'ia5') {
      if (!IA5.test(value)) throw dnError(input, `${where}: ${attribute?.name} takes ASCII characters only`);
      encoded = der.ia5(value);
    } else if (PRINTABLE.test(value)) {
      encoded = der.printable(value);
    } else if (kind === 'printable') {
      throw dnError(input, `${where}: ${attribute?.name} takes letters, digits, space and '()+,-./:=? only`);
    } else {
      encoded = der.utf8(value);
    }
    rdns.push({ oid, type: attribute?.name ?? oid, value });
    nodes.push(der.set([der.sequence([der.oid(oid), encoded])]));
  });
  return { rdns, der: encode(der.sequence(nodes)) };
}

interface RawPart {
  raw: string;
  /** Index of the first unquoted, unescaped '=' in raw, -1 if none. */
  equals: number;
  value: string;
}

function splitRdns(input: string, source: string, separator: string): RawPart[] {
  const parts: RawPart[] = [];
  let raw = '';
  let value = '';
  let equals = -1;
  let quoted = false;
  let valueStarted = false;
  let trailingSpaces = 0;
  const finish = () => {
    if (quoted) throw dnError(input, `has an unterminated quote in "${raw.trim()}"`);
    parts.push({ raw, equals, value: trailingSpaces > 0 ? value.slice(0, value.length - trailingSpaces) : value });
    raw = '';
    value = '';
    equals = -1;
    valueStarted = false;
    trailingSpaces = 0;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const next = source[i + 1];
      if (next === undefined) throw dnError(input, 'ends with a lone backslash; write \\\\ for a backslash');
      raw += c + next;
      i++;
      if (equals >= 0) {
        value += next;
        valueStarted = true;
        trailingSpaces = 0;
      }
      continue;
    }
    if (c === '"' && equals >= 0) {
      quoted = !quoted;
      raw += c;
      valueStarted = true;
      trailingSpaces = 0;
      continue;
    }
    if (!quoted && c === separator) {
      finish();
      continue;
    }
    raw += c;
    if (equals < 0) {
      if (c === '=') equals = raw.length - 1;
      continue;
    }
    if (!valueStarted && c === ' ') continue;
    valueStarted = true;
    value += c;
    trailingSpaces = !quoted && c === ' ' ? trailingSpaces + 1 : 0;
  }
  finish();
  // A trailing separator ("CN=x,") leaves one empty part: tolerate it.
  if (parts.length > 1 && parts[parts.length - 1]!.raw.trim() === '') parts.pop();
  const empty = parts.findIndex((p) => p.raw.trim() === '');
  if (empty >= 0) throw dnError(input, `has an empty RDN at position ${empty + 1} (two separators in a row?)`);
  return parts;
}

function dnError(input: string, problem: string): PkiError {
  return new PkiError('PKI_BAD_DN', `distinguished name "${input}" ${problem}`);
}

/** The RDNs of a DER Name (multi-valued RDNs are flattened in order). */
export function readDn(name: Uint8Array | Asn1): Rdn[] {
  const node = name instanceof Uint8Array ? decode(name) : name;
  if (!isUniversal(node, TYPE.SEQUENCE)) throw new PkiError('PKI_BAD_CERT', 'Name is not a SEQUENCE');
  const out: Rdn[] = [];
  for (const set of children(node)) {
    for (const atv of children(set)) {
      const [type, value] = children(atv);
      const oid = oidOf(type);
      out.push({ oid, type: BY_OID.get(oid)?.name ?? oid, value: text(value) });
    }
  }
  return out;
}

/** "C=CH, O=Example, CN=vpn.example.com"; separators and quotes in values are escaped so parseDn reads it back. */
export function formatDn(name: Uint8Array | Asn1): string {
  return readDn(name)
    .map((rdn) => `${rdn.type}=${escapeValue(rdn.value)}`)
    .join(', ');
}

function escapeValue(value: string): string {
  let out = value.replace(/[\\,"]/g, (c) => `\\${c}`);
  if (out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ')) out = `${out.slice(0, -1)}\\ `;
  return out;
}
