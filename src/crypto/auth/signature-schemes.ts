// Signature schemes for RFC 7427 "Digital Signature" authentication (AUTH
// method 14) and their ASN.1 AlgorithmIdentifiers (RFC 7427 Appendix A;
// RFC 4055 for RSASSA-PSS parameters, RFC 5758 for ECDSA, RFC 8410 / RFC
// 8420 for EdDSA), plus the hash each one announces in
// SIGNATURE_HASH_ALGORITHMS (RFC 7427 §4, Identity = 5 for EdDSA per RFC 8420).

import { HashAlgorithm } from '../../wire/iana/auth-methods.js';
import { type DerNode, derChildren, derContext, derInteger, derNull, derOid, derRead, derSequence, derSmallInteger, contextTag, TAG } from './der.js';

export type SignatureHash = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export interface SignatureScheme {
  /** Stable name used in config and logs, e.g. `rsa-pss-sha256`, `ecdsa-sha384`, `ed25519`. */
  readonly name: string;
  readonly keyType: 'rsa' | 'ec' | 'ed25519' | 'ed448';
  /** Digest for node:crypto `sign`; null for EdDSA (it hashes internally). */
  readonly hash: SignatureHash | null;
  /** SIGNATURE_HASH_ALGORITHMS value covering this scheme. */
  readonly hashAlgorithm: number;
  readonly padding?: 'pkcs1' | 'pss';
  /** RSASSA-PSS salt length in octets (= hash length, RFC 4055 §3.1 recommendation). */
  readonly saltLength?: number;
  /** DER AlgorithmIdentifier as sent in the AUTH payload. */
  readonly algorithmIdentifier: Buffer;
}

// OID content octets (hex).
const OID = {
  sha1WithRSAEncryption: '2a864886f70d010105',
  sha256WithRSAEncryption: '2a864886f70d01010b',
  sha384WithRSAEncryption: '2a864886f70d01010c',
  sha512WithRSAEncryption: '2a864886f70d01010d',
  rsassaPss: '2a864886f70d01010a',
  mgf1: '2a864886f70d010108',
  sha256: '608648016503040201',
  sha384: '608648016503040202',
  sha512: '608648016503040203',
  ecdsaWithSha256: '2a8648ce3d040302',
  ecdsaWithSha384: '2a8648ce3d040303',
  ecdsaWithSha512: '2a8648ce3d040304',
  ed25519: '2b6570',
  ed448: '2b6571',
} as const;

const HASH_SIZE: Record<SignatureHash, number> = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };
const HASH_ALGORITHM: Record<SignatureHash, number> = {
  sha1: HashAlgorithm.SHA1,
  sha256: HashAlgorithm.SHA2_256,
  sha384: HashAlgorithm.SHA2_384,
  sha512: HashAlgorithm.SHA2_512,
};

const rsaPkcs1 = (hash: SignatureHash, oid: string): SignatureScheme => ({
  name: `rsa-pkcs1-${hash}`,
  keyType: 'rsa',
  hash,
  hashAlgorithm: HASH_ALGORITHM[hash],
  padding: 'pkcs1',
  // RFC 4055 §5: these AlgorithmIdentifiers carry an explicit NULL parameter.
  algorithmIdentifier: derSequence(derOid(oid), derNull()),
});

/** RSASSA-PSS-params (RFC 4055 §3.1) with hash = MGF1 hash and salt = hash length; trailerField left at its default. */
function pssParams(hash: 'sha256' | 'sha384' | 'sha512'): Buffer {
  const hashId = derSequence(derOid(OID[hash]), derNull());
  return derSequence(
    derContext(0, hashId),
    derContext(1, derSequence(derOid(OID.mgf1), hashId)),
    derContext(2, derSmallInteger(HASH_SIZE[hash])),
  );
}

const rsaPss = (hash: 'sha256' | 'sha384' | 'sha512'): SignatureScheme => ({
  name: `rsa-pss-${hash}`,
  keyType: 'rsa',
  hash,
  hashAlgorithm: HASH_ALGORITHM[hash],
  padding: 'pss',
  saltLength: HASH_SIZE[hash],
  algorithmIdentifier: derSequence(derOid(OID.rsassaPss), pssParams(hash)),
});

const ecdsa = (hash: 'sha256' | 'sha384' | 'sha512', oid: string): SignatureScheme => ({
  name: `ecdsa-${hash}`,
  keyType: 'ec',
  hash,
  hashAlgorithm: HASH_ALGORITHM[hash],
  // RFC 5758 §3.2: ecdsa-with-SHA* take no parameters at all.
  algorithmIdentifier: derSequence(derOid(oid)),
});

export const signatureSchemes: readonly SignatureScheme[] = [
  rsaPkcs1('sha1', OID.sha1WithRSAEncryption),
  rsaPkcs1('sha256', OID.sha256WithRSAEncryption),
  rsaPkcs1('sha384', OID.sha384WithRSAEncryption),
  rsaPkcs1('sha512', OID.sha512WithRSAEncryption),
  rsaPss('sha256'),
  rsaPss('sha384'),
  rsaPss('sha512'),
  ecdsa('sha256', OID.ecdsaWithSha256),
  ecdsa('sha384', OID.ecdsaWithSha384),
  ecdsa('sha512', OID.ecdsaWithSha512),
  { name: 'ed25519', keyType: 'ed25519', hash: null, hashAlgorithm: HashAlgorithm.IDENTITY, algorithmIdentifier: derSequence(derOid(OID.ed25519)) },
  { name: 'ed448', keyType: 'ed448', hash: null, hashAlgorithm: HashAlgorithm.IDENTITY, algorithmIdentifier: derSequence(derOid(OID.ed448)) },
];

const byName = new Map(signatureSchemes.map((s) => [s.name, s]));
export const signatureSchemeByName = (name: string): SignatureScheme | undefined => byName.get(name);

/** Non-PSS schemes by the OID of their AlgorithmIdentifier. */
const schemeByOid = new Map(
  signatureSchemes
    .filter((s) => s.padding !== 'pss')
    .map((s) => [derChildren(derRead(s.algorithmIdentifier)!)![0]!.content.toString('hex'), s] as const),
);

const HASH_BY_OID: Record<string, 'sha256' | 'sha384' | 'sha512'> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

/**
 * Identifies the scheme of a received AlgorithmIdentifier. Exact matches
 * cover the fixed encodings; RSASSA-PSS parameters are parsed because peers
 * differ in optional parts (absent NULLs, explicit trailerField). Returns
 * undefined for anything we do not implement.
 */
export function schemeForAlgorithmIdentifier(der: Uint8Array): SignatureScheme | undefined {
  const exact = signatureSchemes.find((s) => s.algorithmIdentifier.equals(der));
  if (exact) return exact;
  const top = derRead(der);
  if (!top || top.tag !== TAG.SEQUENCE || top.size !== der.length) return undefined;
  const parts = derChildren(top);
  if (!parts || parts[0]?.tag !== TAG.OID) return undefined;
  const oid = parts[0].content.toString('hex');
  // Tolerate an explicit NULL where we send none, or none where we send NULL.
  const params = parts.slice(1);
  const paramsAreNull = params.length === 0 || (params.length === 1 && params[0]!.tag === TAG.NULL && params[0]!.content.length === 0);
  if (oid !== OID.rsassaPss) {
    return paramsAreNull ? schemeByOid.get(oid) : undefined;
  }
  if (params.length !== 1 || params[0]!.tag !== TAG.SEQUENCE) return undefined;
  return parsePssParams(params[0]!.content, der);
}

function hashOfAlgorithmIdentifier(node: DerNode | undefined): 'sha256' | 'sha384' | 'sha512' | undefined {
  if (!node || node.tag !== TAG.SEQUENCE) return undefined;
  const parts = derChildren(node);
  if (!parts || parts[0]?.tag !== TAG.OID) return undefined;
  return HASH_BY_OID[parts[0].content.toString('hex')];
}

function parsePssParams(content: Buffer, algorithmIdentifier: Uint8Array): SignatureScheme | undefined {
  const fields = derChildren({ tag: TAG.SEQUENCE, content, size: content.length });
  if (!fields) return undefined;
  let hash: string | undefined;
  let mgfHash: string | undefined;
  let salt: number | undefined;
  for (const field of fields) {
    if (field.tag === contextTag(0)) hash = hashOfAlgorithmIdentifier(derRead(field.content));
    else if (field.tag === contextTag(1)) {
      const mgf = derRead(field.content);
      const mgfParts = mgf && derChildren(mgf);
      if (!mgfParts || mgfParts[0]?.content.toString('hex') !== OID.mgf1 || !mgfParts[1]) return undefined;
      mgfHash = hashOfAlgorithmIdentifier(mgfParts[1]);
    } else if (field.tag === contextTag(2)) {
      const integer = derRead(field.content);
      salt = integer && derInteger(integer);
    } else if (field.tag === contextTag(3)) {
      const integer = derRead(field.content);
      if (!integer || derInteger(integer) !== 1) return undefined; // trailerField must be 1
    } else return undefined;
  }
  // Defaults (SHA-1, 20-octet salt) are not offered: we only implement SHA-2 PSS.
  if (!hash || hash !== mgfHash) return undefined;
  const scheme = byName.get(`rsa-pss-${hash}`)!;
  if (salt !== scheme.saltLength) {
    // A different salt length is still a valid RSASSA-PSS signature; describe it precisely.
    if (salt === undefined || salt > 512) return undefined;
    return { ...scheme, saltLength: salt, algorithmIdentifier: Buffer.from(algorithmIdentifier) };
  }
  return scheme;
}
