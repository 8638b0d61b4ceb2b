// RFC 7296 §3.3.2 and the IANA "IKEv2 Transform Attribute Types" /
// "Transform Type N" registries. Pure data: the crypto registry
// (src/crypto/) maps these IDs to node:crypto and Linux xfrm names, the
// config layer maps proposal keywords to them, the codec only carries them.

export const TransformType = {
  ENCR: 1,
  PRF: 2,
  INTEG: 3,
  KE: 4, // "D-H" in RFC 7296, renamed "Key Exchange Method" by RFC 9370
  ESN: 5,
} as const;
export type TransformType = (typeof TransformType)[keyof typeof TransformType];

export const ENCR = {
  DES_IV64: 1,
  DES: 2,
  '3DES': 3,
  RC5: 4,
  IDEA: 5,
  CAST: 6,
  BLOWFISH: 7,
  '3IDEA': 8,
  DES_IV32: 9,
  NULL: 11,
  AES_CBC: 12,
  AES_CTR: 13,
  AES_CCM_8: 14,
  AES_CCM_12: 15,
  AES_CCM_16: 16,
  AES_GCM_8: 18,
  AES_GCM_12: 19,
  AES_GCM_16: 20,
  NULL_AUTH_AES_GMAC: 21,
  CAMELLIA_CBC: 23,
  CAMELLIA_CTR: 24,
  CAMELLIA_CCM_8: 25,
  CAMELLIA_CCM_12: 26,
  CAMELLIA_CCM_16: 27,
  CHACHA20_POLY1305: 28,
} as const;

export const PRF = {
  HMAC_MD5: 1,
  HMAC_SHA1: 2,
  HMAC_TIGER: 3,
  AES128_XCBC: 4,
  HMAC_SHA2_256: 5,
  HMAC_SHA2_384: 6,
  HMAC_SHA2_512: 7,
  AES128_CMAC: 8,
} as const;

export const INTEG = {
  NONE: 0,
  HMAC_MD5_96: 1,
  HMAC_SHA1_96: 2,
  DES_MAC: 3,
  KPDK_MD5: 4,
  AES_XCBC_96: 5,
  HMAC_MD5_128: 6,
  HMAC_SHA1_160: 7,
  AES_CMAC_96: 8,
  AES_128_GMAC: 9,
  AES_192_GMAC: 10,
  AES_256_GMAC: 11,
  HMAC_SHA2_256_128: 12,
  HMAC_SHA2_384_192: 13,
  HMAC_SHA2_512_256: 14,
} as const;

export const KE = {
  NONE: 0,
  MODP_768: 1,
  MODP_1024: 2,
  MODP_1536: 5,
  MODP_2048: 14,
  MODP_3072: 15,
  MODP_4096: 16,
  MODP_6144: 17,
  MODP_8192: 18,
  ECP_256: 19,
  ECP_384: 20,
  ECP_521: 21,
  MODP_1024_160: 22,
  MODP_2048_224: 23,
  MODP_2048_256: 24,
  ECP_192: 25,
  ECP_224: 26,
  BRAINPOOL_P224R1: 27,
  BRAINPOOL_P256R1: 28,
  BRAINPOOL_P384R1: 29,
  BRAINPOOL_P512R1: 30,
  CURVE25519: 31,
  CURVE448: 32,
} as const;

export const ESN = {
  NO_ESN: 0,
  ESN: 1,
} as const;

/** Transform attribute type 14: key length in bits (TV format, RFC 7296 §3.3.5). */
export const ATTR_KEY_LENGTH = 14;

const byId = (table: Record<string, number>): ReadonlyMap<number, string> =>
  new Map(Object.entries(table).map(([name, id]) => [id, name]));

const names: Record<TransformType, ReadonlyMap<number, string>> = {
  [TransformType.ENCR]: byId(ENCR),
  [TransformType.PRF]: byId(PRF),
  [TransformType.INTEG]: byId(INTEG),
  [TransformType.KE]: byId(KE),
  [TransformType.ESN]: byId(ESN),
};

/**
 * The name used in logs and errors, e.g. `AES_GCM_16_256`, `PRF_HMAC_SHA2_256`,
 * `HMAC_SHA1_96`, `CURVE25519`. Unknown IDs print as `ENCR#99` so a peer's
 * private-use transform still shows up readably.
 */
export function transformName(type: TransformType, id: number, keyLength?: number): string {
  const base = names[type]?.get(id);
  const prefix = ['', 'ENCR', 'PRF', 'INTEG', 'KE', 'ESN'][type] ?? `TYPE${type}`;
  if (base === undefined) return `${prefix}#${id}`;
  const suffix = keyLength ? `_${keyLength}` : '';
  if (type === TransformType.PRF) return `PRF_${base}`;
  return `${base}${suffix}`;
}
