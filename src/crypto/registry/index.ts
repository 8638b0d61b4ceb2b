// The transform registry: IANA (type, id [, key length]) -> what node:crypto
// and Linux xfrm need. Lookups return a Result so that a peer's unknown or
// malformed transform becomes a clear error value, never an exception.

import { INTEG, TransformType, transformName } from '../../wire/iana/transforms.js';
import { fail, ok, type Result } from '../errors.js';
import { encrAlgorithms, type EncrAlgorithm } from './encr.js';
import { integAlgorithms, type IntegAlgorithm } from './integ.js';
import { keGroups, type KeGroup } from './ke-groups.js';
import { prfAlgorithms, type PrfAlgorithm } from './prf.js';

export type { AeadEncr, CbcEncr, EncrAlgorithm, XfrmEncrName } from './encr.js';
export type { IntegAlgorithm } from './integ.js';
export type { EcpGroup, KeGroup, ModpGroup, MontgomeryGroup } from './ke-groups.js';
export type { PrfAlgorithm } from './prf.js';

/** An ENCR transform with its key length fixed. */
export interface EncrTransform {
  readonly algorithm: EncrAlgorithm;
  readonly keyBits: number;
  /** Cipher key octets. */
  readonly keySize: number;
  /** Octets of keying material consumed: key plus salt for AEAD (RFC 4106 §8.1, RFC 7634 §2). */
  readonly keymatSize: number;
  /** Display name such as `AES_GCM_16_256`. */
  readonly name: string;
}

const byId = <T extends { id: number }>(list: readonly T[]): ReadonlyMap<number, T> =>
  new Map(list.map((entry) => [entry.id, entry]));

const encrById = byId(encrAlgorithms);
const prfById = byId(prfAlgorithms);
const integById = byId(integAlgorithms);
const keById = byId(keGroups);

const unknown = (type: TransformType, id: number) =>
  fail('CRYPTO_UNKNOWN_TRANSFORM', `unsupported transform ${transformName(type, id)} (type ${type}, id ${id})`);

/**
 * ENCR lookup. `keyLength` is the Key Length attribute in bits, or undefined
 * when the transform carried none: required for AES, forbidden for
 * ChaCha20-Poly1305 (RFC 7634 §2: the attribute MUST NOT be sent).
 */
export function lookupEncr(id: number, keyLength?: number): Result<EncrTransform> {
  const algorithm = encrById.get(id);
  if (!algorithm) return unknown(TransformType.ENCR, id);
  let keyBits: number;
  if (algorithm.keyLengthAttribute) {
    if (keyLength === undefined)
      return fail('CRYPTO_BAD_KEY_LENGTH', `${algorithm.name} needs a Key Length attribute (one of ${algorithm.keyLengths.join(', ')})`);
    keyBits = keyLength;
  } else {
    if (keyLength !== undefined)
      return fail('CRYPTO_BAD_KEY_LENGTH', `${algorithm.name} must not carry a Key Length attribute (got ${keyLength})`);
    keyBits = algorithm.keyLengths[0]!;
  }
  if (!algorithm.keyLengths.includes(keyBits))
    return fail('CRYPTO_BAD_KEY_LENGTH', `${algorithm.name} does not support ${keyBits}-bit keys (valid: ${algorithm.keyLengths.join(', ')})`);
  const keySize = keyBits / 8;
  const keymatSize = keySize + (algorithm.kind === 'aead' ? algorithm.saltSize : 0);
  const name = algorithm.keyLengthAttribute ? `${algorithm.name}_${keyBits}` : algorithm.name;
  return ok({ algorithm, keyBits, keySize, keymatSize, name });
}

export function lookupPrf(id: number): Result<PrfAlgorithm> {
  const algorithm = prfById.get(id);
  return algorithm ? ok(algorithm) : unknown(TransformType.PRF, id);
}

export function lookupInteg(id: number): Result<IntegAlgorithm> {
  const algorithm = integById.get(id);
  return algorithm ? ok(algorithm) : unknown(TransformType.INTEG, id);
}

export interface KeLookupOptions {
  /** Accept MODP 768/1024/1536 (groups 1, 2, 5). Off by default. */
  readonly allowWeak?: boolean;
}

export function lookupKeGroup(id: number, options: KeLookupOptions = {}): Result<KeGroup> {
  const group = keById.get(id);
  if (!group) return unknown(TransformType.KE, id);
  if (group.weak && !options.allowWeak)
    return fail('CRYPTO_WEAK_GROUP', `${group.name} (KE ${id}) is too weak and not allowed by policy`);
  return ok(group);
}

/** Every supported entry, for listing (`ipsec listalgs`) and proposal parsing. */
export const supportedTransforms = {
  encr: encrAlgorithms,
  prf: prfAlgorithms,
  integ: integAlgorithms,
  ke: keGroups,
} as const;

/** The negotiated algorithms protecting an IKE SA (or a CHILD SA's ESP). */
export interface CipherSuite {
  readonly encr: EncrTransform;
  /** Absent for AEAD ciphers. */
  readonly integ?: IntegAlgorithm;
}

/**
 * Combines ENCR and INTEG as negotiated. AEAD ciphers take no INTEG transform
 * (or INTEG NONE, RFC 5282 §8); the others need one.
 */
export function resolveCipherSuite(encr: { id: number; keyLength?: number }, integId?: number): Result<CipherSuite> {
  const encrResult = lookupEncr(encr.id, encr.keyLength);
  if (!encrResult.ok) return encrResult;
  const aead = encrResult.value.algorithm.kind === 'aead';
  if (aead) {
    if (integId !== undefined && integId !== INTEG.NONE)
      return fail('CRYPTO_UNKNOWN_TRANSFORM', `${encrResult.value.name} is an AEAD cipher and takes no INTEG transform (got ${transformName(TransformType.INTEG, integId)})`);
    return ok({ encr: encrResult.value });
  }
  if (integId === undefined || integId === INTEG.NONE)
    return fail('CRYPTO_UNKNOWN_TRANSFORM', `${encrResult.value.name} needs an INTEG transform`);
  const integResult = lookupInteg(integId);
  if (!integResult.ok) return integResult;
  return ok({ encr: encrResult.value, integ: integResult.value });
}
