// Signing TBSCertificate / TBSCertList with node:crypto, and the matching
// AlgorithmIdentifier (RFC 4055 for RSA, RFC 5758 3.2 for ECDSA: no
// parameters, RFC 8410 3 for Ed25519: no parameters).
import { type KeyObject, sign } from 'node:crypto';
import { type Asn1, der } from './asn1.js';
import { PkiError } from './errors.js';
import { keyInfo } from './keys.js';
import { OID } from './oids.js';

export type Digest = 'sha256' | 'sha384' | 'sha512';
export const DIGESTS: readonly Digest[] = ['sha256', 'sha384', 'sha512'];

export interface SignatureAlgorithm {
  /** AlgorithmIdentifier, as it appears in the TBS and around the signature. */
  identifier: Asn1;
  /** digest for node:crypto sign(); null for EdDSA. */
  digest: Digest | null;
  name: string;
}

const RSA_OIDS: Record<Digest, string> = {
  sha256: OID.sha256WithRSAEncryption,
  sha384: OID.sha384WithRSAEncryption,
  sha512: OID.sha512WithRSAEncryption,
};
const ECDSA_OIDS: Record<Digest, string> = { sha256: OID.ecdsaWithSha256, sha384: OID.ecdsaWithSha384, sha512: OID.ecdsaWithSha512 };

/** The signature algorithm for a signing key; the digest defaults to the key's strength. */
export function signatureAlgorithm(signingKey: KeyObject, digest?: Digest): SignatureAlgorithm {
  if (digest !== undefined && !DIGESTS.includes(digest)) {
    throw new PkiError('PKI_BAD_OPTION', `digest '${String(digest)}' is not supported; use one of ${DIGESTS.join(', ')}`);
  }
  const info = keyInfo(signingKey);
  switch (info.type) {
    case 'rsa': {
      const d = digest ?? 'sha256';
      return { identifier: der.sequence([der.oid(RSA_OIDS[d]), der.null()]), digest: d, name: `${d}WithRSAEncryption` };
    }
    case 'ecdsa': {
      const d = digest ?? (info.curve === 'p256' ? 'sha256' : info.curve === 'p384' ? 'sha384' : 'sha512');
      return { identifier: der.sequence([der.oid(ECDSA_OIDS[d])]), digest: d, name: `ecdsa-with-${d.toUpperCase()}` };
    }
    case 'ed25519':
      if (digest !== undefined) throw new PkiError('PKI_BAD_OPTION', 'Ed25519 signatures hash internally; leave out --digest');
      return { identifier: der.sequence([der.oid(OID.ed25519)]), digest: null, name: 'Ed25519' };
  }
}

/** Signs the DER-encoded TBS structure; ECDSA signatures come out as DER Ecdsa-Sig-Value. */
export function signTbs(tbs: Buffer, signingKey: KeyObject, algorithm: SignatureAlgorithm): Buffer {
  if (algorithm.digest === null) return sign(null, tbs, signingKey);
  return sign(algorithm.digest, tbs, { key: signingKey, dsaEncoding: 'der' });
}
