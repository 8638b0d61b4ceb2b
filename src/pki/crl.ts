// Certificate revocation lists (RFC 5280 5): makeCrl() signs a v2 CRL with
// cRLNumber and authorityKeyIdentifier; readCrl() reads one back, for
// printing and for carrying the entries of the last CRL into the next.
import { X509Certificate } from 'node:crypto';
import { type Asn1, CLASS, TYPE, bytes, children, decode, der, encode, integerHex, isUniversal, oidOf, rawChildren, timeOf } from './asn1.js';
import { findExtension, readCertificate, readExtensions, type RawExtension } from './certificate-parts.js';
import { formatDn } from './dn.js';
import { PkiError } from './errors.js';
import { REVOCATION_REASONS, type RevocationReason, authorityKeyIdentifier, crlNumber, reasonCode } from './extensions.js';
import { type IssuerSource, loadIssuer } from './issuer.js';
import { OID } from './oids.js';
import { derFrom, toPem } from './pem.js';
import { parseSerial } from './serial.js';
import { type Digest, type RsaPadding, signTbs, signatureAlgorithm, verifySigned } from './signature.js';
import { BACKDATE_MS, DEFAULT_CRL_DAYS, addDays, truncate } from './validity.js';

/** A certificate to revoke: by its PEM/DER (`cert`) or by serial (hex or octets). */
export interface Revocation {
  cert?: string | Uint8Array;
  serial?: string | Uint8Array;
  /** Revocation date; default: the CRL's thisUpdate. */
  date?: Date;
  reason?: RevocationReason;
}

export interface CrlOptions {
  issuer: IssuerSource;
  revoked?: Revocation[];
  /** A previous CRL of the same CA: its entries are kept, its number + 1 is used. */
  base?: string | Uint8Array;
  thisUpdate?: Date;
  nextUpdate?: Date;
  /** Days until nextUpdate (default 15). */
  lifetimeDays?: number;
  /** cRLNumber; default: the base CRL's number + 1, else thisUpdate in seconds since 1970 (grows with time). */
  number?: bigint | number;
  digest?: Digest;
  /** RSA signatures: PKCS#1 v1.5 (default) or RSASSA-PSS. */
  rsaPadding?: RsaPadding;
}

export interface CrlEntry {
  /** Lowercase hex without separators. */
  serial: string;
  date: Date;
  reason?: RevocationReason;
}

export interface Crl {
  pem: string;
  der: Buffer;
  issuer: string;
  number: bigint | undefined;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  signatureOid: string;
  revoked: CrlEntry[];
  /** Exact DER of the issuer Name. */
  issuerDer: Buffer;
  extensions: RawExtension[];
}

const REASON_NAMES = new Map<number, RevocationReason>(Object.entries(REVOCATION_REASONS).map(([name, code]): [number, RevocationReason] => [code, name as RevocationReason]));

export function makeCrl(options: CrlOptions): Crl {
  const issuer = loadIssuer(options.issuer, 'CRLs');
  const thisUpdate = truncate(options.thisUpdate ?? new Date(Date.now() - BACKDATE_MS));
  const days = options.lifetimeDays ?? DEFAULT_CRL_DAYS;
  if (!Number.isFinite(days) || days <= 0) throw new PkiError('PKI_BAD_OPTION', `CRL lifetime ${days} is not a positive number of days`);
  const nextUpdate = truncate(options.nextUpdate ?? addDays(thisUpdate, days));
  if (nextUpdate <= thisUpdate) throw new PkiError('PKI_BAD_OPTION', 'nextUpdate must be later than thisUpdate');

  const entries = new Map<string, CrlEntry>();
  let number = options.number === undefined ? undefined : BigInt(options.number);
  if (options.base !== undefined) {
    const base = readCrl(options.base, 'base CRL');
    if (!base.issuerDer.equals(issuer.cert.subject)) {
      throw new PkiError('PKI_BAD_CRL', `the base CRL was issued by "${base.issuer}", not by "${issuer.name}"`);
    }
    for (const e of base.revoked) entries.set(e.serial, e);
    number ??= (base.number ?? 0n) + 1n;
  }
  number ??= BigInt(Math.floor(thisUpdate.getTime() / 1000));
  if (number < 0n || number >= 1n << 159n) throw new PkiError('PKI_BAD_OPTION', 'cRLNumber must be between 0 and 2^159 (RFC 5280 5.2.3)');

  for (const r of options.revoked ?? []) {
    const serial = revokedSerial(r, issuer.cert.subject, issuer.name);
    entries.set(serial, { serial, date: truncate(r.date ?? thisUpdate), reason: r.reason });
  }

  const algorithm = signatureAlgorithm(issuer.key, options.digest, options.rsaPadding);
  const fields: Asn1[] = [
    der.integer(1), // v2
    algorithm.identifier,
    der.raw(issuer.cert.subject),
    der.time(thisUpdate),
    der.time(nextUpdate),
  ];
  const revoked = [...entries.values()];
  if (revoked.length > 0) {
    fields.push(
      der.sequence(
        revoked.map((e) => {
          const entry = [der.unsigned(Buffer.from(e.serial, 'hex')), der.time(e.date)];
          if (e.reason !== undefined) entry.push(der.sequence([reasonCode(e.reason)]));
          return der.sequence(entry);
        }),
      ),
    );
  }
  fields.push(der.explicit(0, der.sequence([authorityKeyIdentifier(issuer.keyId), crlNumber(number)])));
  const tbs = encode(der.sequence(fields));
  const crlDer = encode(der.sequence([der.raw(tbs), algorithm.identifier, der.bitString(signTbs(tbs, issuer.key, algorithm))]));
  return readCrl(crlDer);
}

function revokedSerial(r: Revocation, caSubject: Buffer, caName: string): string {
  if (r.cert !== undefined) {
    const cert = readCertificate(r.cert, 'certificate to revoke');
    if (!cert.issuer.equals(caSubject)) {
      throw new PkiError('PKI_BAD_CERT', `certificate "${formatDn(cert.subject)}" was issued by "${formatDn(cert.issuer)}", not by "${caName}"`);
    }
    return cert.serialHex;
  }
  if (r.serial !== undefined) {
    const octets = typeof r.serial === 'string' ? parseSerial(r.serial) : Buffer.from(r.serial);
    return integerHex(decode(encode(der.unsigned(octets))));
  }
  throw new PkiError('PKI_BAD_OPTION', 'a revocation names a certificate or a serial number');
}

export function readCrl(data: string | Uint8Array, source = 'CRL'): Crl {
  const crlDer = derFrom(data, ['X509 CRL'], 'PKI_BAD_CRL', source);
  try {
    const [tbsRaw] = rawChildren(crlDer);
    const tbsFields = rawChildren(tbsRaw!);
    const fields = children(decode(tbsRaw!));
    let i = isUniversal(fields[0], TYPE.INTEGER) ? 1 : 0;
    const signatureOid = oidOf(children(fields[i++])[0]);
    const issuerDer = tbsFields[i++]!;
    const thisUpdate = timeOf(fields[i++]);
    let nextUpdate: Date | undefined;
    if (isUniversal(fields[i], TYPE.UTCTIME) || isUniversal(fields[i], TYPE.GENERALIZEDTIME)) nextUpdate = timeOf(fields[i++]);
    const revoked: CrlEntry[] = [];
    if (isUniversal(fields[i], TYPE.SEQUENCE)) {
      for (const entry of children(fields[i++])) {
        const [serial, date, exts] = children(entry);
        const reasonExt = exts ? readExtensions(exts).find((e) => e.oid === OID.reasonCode) : undefined;
        const reasonValue = reasonExt ? decode(reasonExt.value).value : undefined;
        const reason = typeof reasonValue === 'string' ? REASON_NAMES.get(reasonValue.charCodeAt(0)) : undefined;
        revoked.push({ serial: integerHex(serial), date: timeOf(date), ...(reason ? { reason } : {}) });
      }
    }
    const extNode = fields[i];
    const extensions = extNode?.tagClass === CLASS.CONTEXT_SPECIFIC && extNode.type === 0 ? readExtensions(children(extNode)[0]) : [];
    const numberExt = findExtension({ extensions }, OID.cRLNumber);
    const number = numberExt ? BigInt(`0x${integerHex(decode(numberExt.value)) || '0'}`) : undefined;
    return { pem: toPem('X509 CRL', crlDer), der: crlDer, issuer: formatDn(issuerDer), issuerDer, number, thisUpdate, nextUpdate, signatureOid, revoked, extensions };
  } catch (err) {
    if (err instanceof PkiError) throw err;
    throw new PkiError('PKI_BAD_CRL', `${source} is not a readable X.509 CRL: ${(err as Error).message}`, { cause: err });
  }
}

/** True when the CRL's signature verifies with the CA certificate's public key. */
export function verifyCrl(crl: Crl, caCert: string | Uint8Array): boolean {
  const ca = new X509Certificate(typeof caCert === 'string' ? caCert : Buffer.from(caCert));
  const [tbs, algorithm, signature] = rawChildren(crl.der);
  return verifySigned(tbs!, decode(algorithm!), bytes(decode(signature!)).subarray(1), ca.publicKey);
}
