// A CA that signs: its certificate and private key, checked to belong
// together and to be allowed to sign certificates (or CRLs).
import { type KeyObject, createPublicKey } from 'node:crypto';
import { type CertificateParts, keyUsageBits, readCertificate, subjectKeyId } from './certificate-parts.js';
import { formatDn } from './dn.js';
import { PkiError } from './errors.js';
import { KEY_USAGE_BITS } from './extensions.js';
import { keyIdentifier, loadPrivateKey, spkiDer } from './keys.js';

/** Certificate (PEM/DER) and private key (PEM/DER/KeyObject) of a CA; a Credential fits. */
export interface IssuerSource {
  cert: string | Uint8Array;
  key: string | Uint8Array | KeyObject;
}

export interface Issuer {
  cert: CertificateParts;
  key: KeyObject;
  /** keyIdentifier for authorityKeyIdentifier: the CA's own subjectKeyIdentifier, else computed. */
  keyId: Buffer;
  name: string;
}

export function loadIssuer(source: IssuerSource, purpose: 'certificates' | 'CRLs'): Issuer {
  const cert = readCertificate(source.cert, 'CA certificate');
  const key = isKeyObject(source.key) ? source.key : loadPrivateKey(source.key, 'CA private key');
  const name = formatDn(cert.subject);
  if (!spkiDer(createPublicKey(key)).equals(cert.spki)) {
    throw new PkiError('PKI_KEY_MISMATCH', `the CA private key does not belong to the CA certificate "${name}"`);
  }
  if (!cert.x509.ca) {
    throw new PkiError('PKI_NOT_A_CA', `"${name}" is not a CA certificate (basicConstraints CA:TRUE missing); it cannot sign ${purpose}`);
  }
  const usage = keyUsageBits(cert);
  const needed = purpose === 'certificates' ? 'keyCertSign' : 'cRLSign';
  if (usage && !usage.includes(KEY_USAGE_BITS[needed])) {
    throw new PkiError('PKI_NOT_A_CA', `"${name}" has no ${needed} key usage; it cannot sign ${purpose}`);
  }
  return { cert, key, keyId: subjectKeyId(cert) ?? keyIdentifier(cert.spki), name };
}

function isKeyObject(value: unknown): value is KeyObject {
  return typeof value === 'object' && value !== null && 'asymmetricKeyType' in value && 'export' in value;
}
