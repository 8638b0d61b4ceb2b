// The library API for certificates: createCa() makes a self-signed root,
// issueCertificate() a host, user or intermediate CA certificate signed by
// a CA. Both return PEM and DER plus node:crypto objects, so tests and the
// demo build whole chains in memory.
import { type KeyObject, X509Certificate } from 'node:crypto';
import { type Asn1 } from './asn1.js';
import { readCertificate } from './certificate-parts.js';
import { signCertificate } from './certificate.js';
import { formatDn, parseDn } from './dn.js';
import { PkiError } from './errors.js';
import {
  type KeyUsage,
  authorityKeyIdentifier,
  basicConstraints,
  crlDistributionPoints,
  extKeyUsage,
  keyUsage,
  subjectAltName,
  subjectKeyIdentifier,
} from './extensions.js';
import { parseGeneralName } from './general-names.js';
import { type IssuerSource, loadIssuer } from './issuer.js';
import { type KeyInfo, type KeySpec, type Outform, exportPrivateKey, generateKey, keyIdentifier, keyInfo, loadPrivateKey, spkiDer } from './keys.js';
import { OID } from './oids.js';
import { toPem } from './pem.js';
import { parseSerial, randomSerial } from './serial.js';
import { type Digest, type RsaPadding, signatureAlgorithm } from './signature.js';
import { DEFAULT_CA_DAYS, DEFAULT_CERT_DAYS, type ValidityOptions, validity } from './validity.js';

/** Extended key usages selectable with --flag. */
export const EKU_FLAGS = {
  serverAuth: OID.serverAuth,
  clientAuth: OID.clientAuth,
  ikeIntermediate: OID.iKEIntermediate,
  ocspSigning: OID.ocspSigning,
} as const;
export type EkuFlag = keyof typeof EKU_FLAGS;

export interface CertificateOptions extends Partial<KeySpec>, ValidityOptions {
  /** Subject DN, e.g. "C=CH, O=Example, CN=vpn.example.com". */
  dn: string;
  /** subjectAltNames: IP addresses, DNS names, emails; "uri:", "dn:" prefixes for the rest. */
  san?: string[];
  /** Extended key usages besides ipsecIKE (end-entity default: serverAuth). */
  flags?: EkuFlag[];
  /** CRL distribution point URIs. */
  crlUris?: string[];
  digest?: Digest;
  /** RSA signatures by the issuer: PKCS#1 v1.5 (default) or RSASSA-PSS. */
  rsaPadding?: RsaPadding;
  /** Certify this key instead of generating one (KeyObject, PEM or DER). */
  key?: KeyObject | string | Uint8Array;
  /** Serial number (hex string or octets); random 128 bits by default. */
  serial?: string | Uint8Array;
}

export interface CaOptions extends CertificateOptions {
  /** basicConstraints pathLenConstraint. */
  pathLen?: number;
}

export interface IssueOptions extends CertificateOptions {
  /** The signing CA: its certificate and key (a Credential from createCa works). */
  issuer: IssuerSource;
  /** Issue an intermediate CA instead of an end-entity certificate. */
  ca?: boolean;
  pathLen?: number;
}

export interface Credential {
  /** Certificate, PEM. */
  cert: string;
  certDer: Buffer;
  /** Private key, PEM (PKCS#1 for RSA, SEC1 for ECDSA, PKCS#8 for Ed25519). */
  key: string;
  privateKey: KeyObject;
  x509: X509Certificate;
  /** Serial number, lowercase hex without separators. */
  serial: string;
  /** Subject DN as formatDn() prints it. */
  subject: string;
  keyInfo: KeyInfo;
}

export async function createCa(options: CaOptions): Promise<Credential> {
  const subject = parseDn(options.dn).der;
  const key = await subjectKey(options);
  const spki = spkiDer(key);
  const keyId = keyIdentifier(spki);
  checkPathLen(options.pathLen);
  const extensions: Asn1[] = [
    basicConstraints(true, options.pathLen),
    keyUsage(['keyCertSign', 'cRLSign']),
    subjectKeyIdentifier(keyId),
    authorityKeyIdentifier(keyId),
    ...commonExtensions(options, subject, true),
  ];
  const { notBefore, notAfter } = validity(options, DEFAULT_CA_DAYS);
  const der = signCertificate(
    { serial: serialOf(options), issuer: subject, subject, notBefore, notAfter, spki, extensions },
    key,
    signatureAlgorithm(key, options.digest, options.rsaPadding),
  );
  return credential(der, key);
}

export async function issueCertificate(options: IssueOptions): Promise<Credential> {
  const issuer = loadIssuer(options.issuer, 'certificates');
  const subject = parseDn(options.dn).der;
  const key = await subjectKey(options);
  const spki = spkiDer(key);
  const isCa = options.ca === true;
  if (!isCa && options.pathLen !== undefined) throw new PkiError('PKI_BAD_OPTION', 'a path length constraint only applies to a CA certificate (--ca)');
  checkPathLen(options.pathLen);
  const usages: KeyUsage[] = isCa ? ['keyCertSign', 'cRLSign'] : keyInfo(key).type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  const extensions: Asn1[] = [
    basicConstraints(isCa, options.pathLen),
    keyUsage(usages),
    subjectKeyIdentifier(keyIdentifier(spki)),
    authorityKeyIdentifier(issuer.keyId),
    ...commonExtensions(options, subject, isCa),
  ];
  const { notBefore, notAfter } = validity(options, DEFAULT_CERT_DAYS);
  const der = signCertificate(
    { serial: serialOf(options), issuer: issuer.cert.subject, subject, notBefore, notAfter, spki, extensions },
    issuer.key,
    signatureAlgorithm(issuer.key, options.digest, options.rsaPadding),
  );
  return credential(der, key);
}

/** SAN, EKU and CRL distribution points, shared by CA and end-entity certificates. */
function commonExtensions(options: CertificateOptions, subject: Buffer, isCa: boolean): Asn1[] {
  const out: Asn1[] = [];
  const names = (options.san ?? []).map(parseGeneralName);
  const emptySubject = subject.length === 2; // SEQUENCE {}
  if (names.length > 0) out.push(subjectAltName(names, emptySubject));
  const flags = options.flags ?? [];
  for (const flag of flags) {
    if (!(flag in EKU_FLAGS)) throw new PkiError('PKI_BAD_OPTION', `flag '${flag}' is not known; use one of ${Object.keys(EKU_FLAGS).join(', ')}`);
  }
  // End-entity certificates carry id-kp-ipsecIKE (RFC 4945 5.1.3.12) and,
  // unless told otherwise, serverAuth, which some clients require of a gateway.
  const eku = isCa ? flags.map((f) => EKU_FLAGS[f]) : [OID.ipsecIKE, ...(flags.length ? flags : (['serverAuth'] as EkuFlag[])).map((f) => EKU_FLAGS[f])];
  if (eku.length > 0) out.push(extKeyUsage([...new Set(eku)]));
  if (options.crlUris?.length) out.push(crlDistributionPoints(options.crlUris));
  return out;
}

async function subjectKey(options: CertificateOptions): Promise<KeyObject> {
  if (options.key !== undefined) {
    const key = typeof options.key === 'string' || options.key instanceof Uint8Array ? loadPrivateKey(options.key) : options.key;
    const info = keyInfo(key);
    if (options.type !== undefined && options.type !== info.type) {
      throw new PkiError('PKI_BAD_OPTION', `the given key is ${info.label}, not of type ${options.type}`);
    }
    return key;
  }
  return generateKey({ type: options.type ?? 'rsa', size: options.size, curve: options.curve });
}

function serialOf(options: CertificateOptions): Buffer {
  if (options.serial === undefined) return randomSerial();
  const serial = typeof options.serial === 'string' ? parseSerial(options.serial) : Buffer.from(options.serial);
  if (serial.every((b) => b === 0)) throw new PkiError('PKI_BAD_OPTION', 'a serial number must be positive (RFC 5280 4.1.2.2)');
  return serial;
}

function checkPathLen(pathLen: number | undefined): void {
  if (pathLen !== undefined && (!Number.isInteger(pathLen) || pathLen < 0 || pathLen > 255)) {
    throw new PkiError('PKI_BAD_OPTION', `path length ${pathLen} is not an integer between 0 and 255`);
  }
}

function credential(certDer: Buffer, privateKey: KeyObject): Credential {
  const x509 = new X509Certificate(certDer);
  return {
    cert: toPem('CERTIFICATE', certDer),
    certDer,
    key: exportPrivateKey(privateKey, 'pem').toString(),
    privateKey,
    x509,
    serial: x509.serialNumber.toLowerCase(),
    subject: formatDn(readCertificate(certDer).subject),
    keyInfo: keyInfo(privateKey),
  };
}

/** The certificate and key in PEM or DER, as files are written. */
export function credentialFiles(cred: Credential, form: Outform): { cert: Buffer; key: Buffer } {
  return {
    cert: form === 'der' ? cred.certDer : Buffer.from(cred.cert),
    key: exportPrivateKey(cred.privateKey, form),
  };
}
