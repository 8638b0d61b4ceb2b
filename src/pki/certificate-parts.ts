// Reads a certificate into the parts `ipsec pki` needs: exact bytes of the
// subject Name and SubjectPublicKeyInfo (copied unchanged into certificates
// it issues), the extensions, and node:crypto's X509Certificate view.
import { X509Certificate } from 'node:crypto';
import { type Asn1, CLASS, TYPE, bytes, children, decode, integerHex, isUniversal, oidOf, rawChildren, timeOf } from './asn1.js';
import { PkiError } from './errors.js';
import { OID } from './oids.js';
import { derFrom } from './pem.js';

export interface RawExtension {
  oid: string;
  critical: boolean;
  /** extnValue content: the DER of the extension's own structure. */
  value: Buffer;
}

export interface CertificateParts {
  der: Buffer;
  x509: X509Certificate;
  version: number;
  serialHex: string;
  signatureOid: string;
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  extensions: RawExtension[];
}

export function readCertificate(data: Uint8Array | string, source = 'certificate'): CertificateParts {
  const certDer = derFrom(data, ['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE'], 'PKI_BAD_CERT', source);
  try {
    const x509 = new X509Certificate(certDer);
    const [tbsRaw] = rawChildren(certDer);
    const fieldsRaw = rawChildren(tbsRaw!);
    const tbs = decode(tbsRaw!);
    const fields = children(tbs);
    const versioned = fields[0]?.tagClass === CLASS.CONTEXT_SPECIFIC && fields[0].type === 0;
    const at = versioned ? 1 : 0;
    const version = versioned ? Number(`0x${integerHex(children(fields[0])[0]) || '0'}`) + 1 : 1;
    const [notBefore, notAfter] = children(fields[at + 3]);
    const extensionsNode = fields.find((f) => f.tagClass === CLASS.CONTEXT_SPECIFIC && f.type === 3);
    return {
      der: certDer,
      x509,
      version,
      serialHex: integerHex(fields[at]),
      signatureOid: oidOf(children(fields[at + 1])[0]),
      issuer: fieldsRaw[at + 2]!,
      notBefore: timeOf(notBefore),
      notAfter: timeOf(notAfter),
      subject: fieldsRaw[at + 4]!,
      spki: fieldsRaw[at + 5]!,
      extensions: extensionsNode ? readExtensions(children(extensionsNode)[0]) : [],
    };
  } catch (err) {
    if (err instanceof PkiError) throw err;
    throw new PkiError('PKI_BAD_CERT', `${source} is not a readable X.509 certificate: ${(err as Error).message}`, { cause: err });
  }
}

export function readExtensions(sequence: Asn1 | undefined): RawExtension[] {
  return children(sequence).map((ext) => {
    const [id, second, third] = children(ext);
    const critical = isUniversal(second, TYPE.BOOLEAN) ? bytes(second)[0] !== 0 : false;
    const value = bytes(isUniversal(second, TYPE.BOOLEAN) ? third : second);
    return { oid: oidOf(id), critical, value };
  });
}

export function findExtension(parts: { extensions: RawExtension[] }, oid: string): RawExtension | undefined {
  return parts.extensions.find((e) => e.oid === oid);
}

/** The keyIdentifier of the subjectKeyIdentifier extension, if present. */
export function subjectKeyId(parts: CertificateParts): Buffer | undefined {
  const ext = findExtension(parts, OID.subjectKeyIdentifier);
  return ext ? bytes(decode(ext.value)) : undefined;
}

/** keyUsage bit numbers set, or undefined when the extension is absent. */
export function keyUsageBits(parts: CertificateParts): number[] | undefined {
  const ext = findExtension(parts, OID.keyUsage);
  if (!ext) return undefined;
  const content = bytes(decode(ext.value));
  const out: number[] = [];
  for (let i = 1; i < content.length; i++) {
    for (let bit = 0; bit < 8; bit++) if (content[i]! & (0x80 >> bit)) out.push((i - 1) * 8 + bit);
  }
  return out;
}
