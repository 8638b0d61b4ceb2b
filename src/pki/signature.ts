// Signing TBSCertificate / TBSCertList with node:crypto, and the matching
// AlgorithmIdentifier (RFC 4055 for RSA PKCS#1 v1.5 and RSASSA-PSS, RFC
// 5758 3.2 for ECDSA: no parameters, RFC 8410 3 for Ed25519: no parameters).
import { type KeyObject, constants, sign, verify } from 'node:crypto';
import { type Asn1, TYPE, children, der, integerHex, isContext, isUniversal, oidOf } from './asn1.js';
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
  /** RSASSA-PSS salt length (octets); absent for every other scheme. */
  pssSaltLength?: number;
}

export type RsaPadding = 'pkcs1' | 'pss';
export const RSA_PADDINGS: readonly RsaPadding[] = ['pkcs1', 'pss'];

const HASH_OIDS: Record<Digest, string> = { sha256: OID.sha256, sha384: OID.sha384, sha512: OID.sha512 };
const HASH_LENGTHS: Record<Digest, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** RSASSA-PSS-params (RFC 4055 3.1): the digest for the message and MGF1, salt as long as the digest. */
function pssIdentifier(digest: Digest): Asn1 {
  const hash = der.sequence([der.oid(HASH_OIDS[digest]), der.null()]);
  return der.sequence([
    der.oid(OID.rsassaPss),
    der.sequence([
      der.explicit(0, hash),
      der.explicit(1, der.sequence([der.oid(OID.mgf1), der.sequence([der.oid(HASH_OIDS[digest]), der.null()])])),
      der.explicit(2, der.integer(HASH_LENGTHS[digest])),
    ]),
  ]);
}

const RSA_OIDS: Record<Digest, string> = {
  sha256: OID.sha256WithRSAEncryption,
  sha384: OID.sha384WithRSAEncryption,
  sha512: OID.sha512WithRSAEncryption,
};
const ECDSA_OIDS: Record<Digest, string> = { sha256: OID.ecdsaWithSha256, sha384: OID.ecdsaWithSha384, sha512: OID.ecdsaWithSha512 };

/** The signature algorithm for a signing key; the digest defaults to the key's strength. */
export function signatureAlgorithm(signingKey: KeyObject, digest?: Digest, rsaPadding: RsaPadding = 'pkcs1'): SignatureAlgorithm {
  if (digest !== undefined && !DIGESTS.includes(digest)) {
    throw new PkiError('PKI_BAD_OPTION', `digest '${String(digest)}' is not supported; use one of ${DIGESTS.join(', ')}`);
  }
  const info = keyInfo(signingKey);
  if (rsaPadding !== 'pkcs1' && info.type !== 'rsa') throw new PkiError('PKI_BAD_OPTION', `RSA padding applies to RSA signing keys; this one is ${info.label}`);
  switch (info.type) {
    case 'rsa': {
      const d = digest ?? 'sha256';
      if (rsaPadding === 'pss') return { identifier: pssIdentifier(d), digest: d, name: `RSASSA-PSS with ${d}`, pssSaltLength: HASH_LENGTHS[d] };
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
  if (algorithm.pssSaltLength !== undefined) {
    return sign(algorithm.digest, tbs, { key: signingKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.pssSaltLength });
  }
  return sign(algorithm.digest, tbs, { key: signingKey, dsaEncoding: 'der' });
}

const DIGEST_BY_SIGNATURE_OID: Record<string, Digest | null> = {
  [OID.sha256WithRSAEncryption]: 'sha256',
  [OID.sha384WithRSAEncryption]: 'sha384',
  [OID.sha512WithRSAEncryption]: 'sha512',
  [OID.ecdsaWithSha256]: 'sha256',
  [OID.ecdsaWithSha384]: 'sha384',
  [OID.ecdsaWithSha512]: 'sha512',
  [OID.ed25519]: null,
};
const DIGEST_BY_HASH_OID: Record<string, Digest> = { [OID.sha256]: 'sha256', [OID.sha384]: 'sha384', [OID.sha512]: 'sha512' };

/** Verifies a signature made over `signed` with the algorithm `identifier`; false for anything not understood. */
export function verifySigned(signed: Buffer, identifier: Asn1, signature: Buffer, publicKey: KeyObject): boolean {
  try {
    const [oidNode, params] = children(identifier);
    const oid = oidOf(oidNode);
    if (oid === OID.rsassaPss) {
      const fields = children(params);
      const hashField = fields.find((f) => isContext(f, 0));
      const saltField = fields.find((f) => isContext(f, 2));
      const digest = hashField ? DIGEST_BY_HASH_OID[oidOf(children(children(hashField)[0])[0])] : undefined;
      const saltNode = saltField ? children(saltField)[0] : undefined;
      if (!digest || (saltNode && !isUniversal(saltNode, TYPE.INTEGER))) return false; // SHA-1 PSS is not accepted
      const saltLength = saltNode ? Number.parseInt(integerHex(saltNode) || '0', 16) : 20;
      return verify(digest, signed, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
    }
    const digest = DIGEST_BY_SIGNATURE_OID[oid];
    if (digest === undefined) return false;
    return digest === null ? verify(null, signed, publicKey, signature) : verify(digest, signed, { key: publicKey, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
