// `ipsec pki --print`: what an admin wants to see about a certificate, CRL
// or private key, as plain data (for --json and tests) and as text.
// Private keys show their type, size and key identifiers, never the key.
import { type KeyObject, createHash, createPublicKey } from 'node:crypto';
import { TYPE, bytes, children, decode, integerHex, isContext, isUniversal, oidOf } from './asn1.js';
import { type CertificateParts, findExtension, keyUsageBits, readCertificate, subjectKeyId } from './certificate-parts.js';
import { type Crl, readCrl } from './crl.js';
import { formatDn } from './dn.js';
import { PkiError } from './errors.js';
import { KEY_USAGE_BITS } from './extensions.js';
import { formatGeneralName, readGeneralNames } from './general-names.js';
import { keyIdentifier, keyInfo, loadPrivateKey, spkiDer } from './keys.js';
import { OID, oidName } from './oids.js';
import { isPem, pemBlocks } from './pem.js';
import { formatSerial } from './serial.js';
import { isoSeconds } from './validity.js';

export interface CertificateDescription {
  kind: 'certificate';
  subject: string;
  issuer: string;
  serial: string;
  version: number;
  notBefore: string;
  notAfter: string;
  /** valid | expired | not yet valid, at the time of printing. */
  status: 'valid' | 'expired' | 'not yet valid';
  key: string;
  signatureAlgorithm: string;
  selfSigned: boolean;
  ca: boolean;
  pathLen?: number;
  keyUsage: string[];
  extendedKeyUsage: string[];
  altNames: string[];
  crlUris: string[];
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** SHA-1 of the subjectPublicKey BIT STRING (RFC 5280 key identifier method 1). */
  publicKeySha1: string;
  /** SHA-1 of the whole SubjectPublicKeyInfo: how IKEv2 CERTREQ names a CA (RFC 7296 3.7). */
  spkiSha1: string;
  sha1Fingerprint: string;
  sha256Fingerprint: string;
}

const colonHex = (b: Buffer): string => b.toString('hex').match(/../g)?.join(':') ?? '';
const KEY_USAGE_NAMES = Object.entries(KEY_USAGE_BITS).reduce<Record<number, string>>((acc, [name, bit]) => ({ ...acc, [bit]: name }), {});

export function describeCertificate(data: string | Uint8Array | CertificateParts, now = new Date()): CertificateDescription {
  const cert = typeof data === 'object' && 'x509' in data ? data : readCertificate(data);
  const bc = findExtension(cert, OID.basicConstraints);
  const bcFields = bc ? children(decode(bc.value)) : [];
  const ca = isUniversal(bcFields[0], TYPE.BOOLEAN) && bytes(bcFields[0])[0] !== 0;
  const pathLenNode = bcFields.find((f) => isUniversal(f, TYPE.INTEGER));
  const eku = findExtension(cert, OID.extKeyUsage);
  const san = findExtension(cert, OID.subjectAltName);
  const aki = findExtension(cert, OID.authorityKeyIdentifier);
  const akiKeyId = aki ? children(decode(aki.value)).find((n) => isContext(n, 0)) : undefined;
  const cdp = findExtension(cert, OID.cRLDistributionPoints);
  const ski = subjectKeyId(cert);
  const status = now < cert.notBefore ? 'not yet valid' : now > cert.notAfter ? 'expired' : 'valid';
  return {
    kind: 'certificate',
    subject: formatDn(cert.subject),
    issuer: formatDn(cert.issuer),
    serial: formatSerial(cert.serialHex),
    version: cert.version,
    notBefore: isoSeconds(cert.notBefore),
    notAfter: isoSeconds(cert.notAfter),
    status,
    key: keyInfo(createPublicKey({ key: cert.spki, format: 'der', type: 'spki' })).label,
    signatureAlgorithm: oidName(cert.signatureOid),
    selfSigned: cert.issuer.equals(cert.subject) && cert.x509.verify(cert.x509.publicKey),
    ca,
    ...(pathLenNode ? { pathLen: Number(`0x${integerHex(pathLenNode) || '0'}`) } : {}),
    keyUsage: (keyUsageBits(cert) ?? []).map((bit) => KEY_USAGE_NAMES[bit] ?? `bit${bit}`),
    extendedKeyUsage: eku ? children(decode(eku.value)).map((n) => oidName(oidOf(n))) : [],
    altNames: san ? readGeneralNames(decode(san.value)).map(formatGeneralName) : [],
    crlUris: cdp ? crlUris(cdp.value) : [],
    ...(ski ? { subjectKeyId: colonHex(ski) } : {}),
    ...(akiKeyId ? { authorityKeyId: colonHex(bytes(akiKeyId)) } : {}),
    publicKeySha1: colonHex(keyIdentifier(cert.spki)),
    spkiSha1: colonHex(createHash('sha1').update(cert.spki).digest()),
    sha1Fingerprint: colonHex(createHash('sha1').update(cert.der).digest()),
    sha256Fingerprint: colonHex(createHash('sha256').update(cert.der).digest()),
  };
}

function crlUris(value: Buffer): string[] {
  const out: string[] = [];
  for (const point of children(decode(value))) {
    const name = children(point).find((n) => isContext(n, 0));
    const fullName = children(name).find((n) => isContext(n, 0));
    if (fullName) out.push(...readGeneralNames(fullName).map((g) => g.value));
  }
  return out;
}

export interface CrlDescription {
  kind: 'crl';
  issuer: string;
  number?: string;
  thisUpdate: string;
  nextUpdate?: string;
  status: 'current' | 'stale';
  signatureAlgorithm: string;
  revoked: { serial: string; date: string; reason?: string }[];
}

export function describeCrl(data: string | Uint8Array | Crl, now = new Date()): CrlDescription {
  const crl = typeof data === 'object' && 'revoked' in data ? data : readCrl(data);
  return {
    kind: 'crl',
    issuer: crl.issuer,
    ...(crl.number !== undefined ? { number: crl.number.toString() } : {}),
    thisUpdate: isoSeconds(crl.thisUpdate),
    ...(crl.nextUpdate ? { nextUpdate: isoSeconds(crl.nextUpdate) } : {}),
    status: crl.nextUpdate && now > crl.nextUpdate ? 'stale' : 'current',
    signatureAlgorithm: oidName(crl.signatureOid),
    revoked: crl.revoked.map((e) => ({ serial: formatSerial(e.serial), date: isoSeconds(e.date), ...(e.reason ? { reason: e.reason } : {}) })),
  };
}

export interface KeyDescription {
  kind: 'private key';
  key: string;
  publicKeySha1: string;
  spkiSha1: string;
}

export function describeKey(key: KeyObject): KeyDescription {
  const spki = spkiDer(key);
  return {
    kind: 'private key',
    key: keyInfo(key).label,
    publicKeySha1: colonHex(keyIdentifier(spki)),
    spkiSha1: colonHex(createHash('sha1').update(spki).digest()),
  };
}

export type Description = CertificateDescription | CrlDescription | KeyDescription;

/** Recognises certificates, CRLs and private keys, in PEM (every block of a bundle) or DER. */
export function describeFile(data: Buffer, source: string, now = new Date()): Description[] {
  if (isPem(data)) {
    const text = data.toString('latin1');
    const out: Description[] = [];
    for (const block of pemBlocks(text, ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE', 'X509 CRL', 'PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY', 'ENCRYPTED PRIVATE KEY'])) {
      if (block.label.endsWith('CERTIFICATE')) out.push(describeCertificate(block.der, now));
      else if (block.label === 'X509 CRL') out.push(describeCrl(block.der, now));
      else if (block.label === 'ENCRYPTED PRIVATE KEY') throw new PkiError('PKI_BAD_KEY', `${source} holds an encrypted private key`);
      else out.push(describeKey(loadPrivateKey(`-----BEGIN ${block.label}-----\n${block.der.toString('base64')}\n-----END ${block.label}-----\n`, source)));
    }
    if (out.length === 0) throw new PkiError('PKI_BAD_CERT', `${source} holds no certificate, CRL or private key`);
    return out;
  }
  for (const attempt of [() => describeCertificate(data, now), () => describeCrl(data, now), () => describeKey(loadPrivateKey(data, source))]) {
    try {
      return [attempt()];
    } catch {
      // try the next kind
    }
  }
  throw new PkiError('PKI_BAD_CERT', `${source} is not a certificate, CRL or private key in PEM or DER`);
}

export function formatDescription(d: Description): string {
  const line = (label: string, value: string) => `  ${(label ? `${label}:` : '').padEnd(14)} ${value}\n`;
  switch (d.kind) {
    case 'certificate': {
      let out = `certificate "${d.subject}"\n`;
      out += line('subject', `"${d.subject}"`);
      out += line('issuer', `"${d.issuer}"${d.selfSigned ? ' (self-signed)' : ''}`);
      out += line('serial', d.serial);
      out += line('validity', `not before ${d.notBefore}`);
      out += line('', `not after  ${d.notAfter}, ${d.status}${d.status === 'valid' ? ` (expires in ${daysUntil(d.notAfter)} days)` : ''}`);
      out += line('pubkey', d.key);
      out += line('signature', d.signatureAlgorithm);
      out += line('CA', d.ca ? `yes${d.pathLen !== undefined ? `, path length ${d.pathLen}` : ''}` : 'no');
      if (d.keyUsage.length) out += line('keyUsage', d.keyUsage.join(', '));
      if (d.extendedKeyUsage.length) out += line('extKeyUsage', d.extendedKeyUsage.join(', '));
      if (d.altNames.length) out += line('altNames', d.altNames.join(', '));
      if (d.crlUris.length) out += line('CRL URIs', d.crlUris.join(', '));
      if (d.subjectKeyId) out += line('subjkeyId', d.subjectKeyId);
      if (d.authorityKeyId) out += line('authkeyId', d.authorityKeyId);
      out += line('pubkey SHA-1', d.publicKeySha1);
      out += line('spki SHA-1', d.spkiSha1);
      out += line('SHA-1', d.sha1Fingerprint);
      out += line('SHA-256', d.sha256Fingerprint);
      return out;
    }
    case 'crl': {
      let out = `CRL of "${d.issuer}"\n`;
      out += line('issuer', `"${d.issuer}"`);
      if (d.number !== undefined) out += line('number', d.number);
      out += line('updates', `this ${d.thisUpdate}`);
      out += line('', `next ${d.nextUpdate ?? '(none)'}, ${d.status}`);
      out += line('signature', d.signatureAlgorithm);
      out += line('revoked', `${d.revoked.length} certificate${d.revoked.length === 1 ? '' : 's'}`);
      for (const r of d.revoked) out += line('', `${r.serial}  ${r.date}${r.reason ? `  ${r.reason}` : ''}`);
      return out;
    }
    case 'private key': {
      let out = `private key\n`;
      out += line('key', d.key);
      out += line('pubkey SHA-1', d.publicKeySha1);
      out += line('spki SHA-1', d.spkiSha1);
      return out;
    }
  }
}

function daysUntil(iso: string): number {
  return Math.floor((new Date(iso).getTime() - Date.now()) / 86_400_000);
}
