// AUTH payloads made with a private key (RFC 7296 §2.15, RFC 7427, RFC 4754):
//   method 14 Digital Signature: AUTH data = length octet | AlgorithmIdentifier
//     (DER) | signature; the scheme is named by the AlgorithmIdentifier and
//     ECDSA signatures are DER Ecdsa-Sig-Value (RFC 7427 §3).
//   method 1 RSA Digital Signature: RSASSA-PKCS1-v1_5 with SHA-1 (the hash
//     RFC 7427 §1 records as the one method 1 always used).
//   methods 9/10/11 ECDSA with SHA-256/P-256, SHA-384/P-384, SHA-512/P-521:
//     r | s, each padded to the curve size (RFC 4754 §7).
// Signing and verification take node:crypto KeyObjects; every failure is a
// Result (a peer's bad signature or unknown algorithm must not throw).

import { constants, sign, verify, type KeyObject } from 'node:crypto';
import { AuthMethod } from '../../wire/iana/auth-methods.js';
import { fail, ok, type Result } from '../errors.js';
import { schemeForAlgorithmIdentifier, signatureSchemeByName, type SignatureScheme } from './signature-schemes.js';
import { supportedSignatureHashes } from './hash-algorithms.js';

type ClassicMethod = 1 | 9 | 10 | 11;

interface ClassicScheme {
  readonly keyType: 'rsa' | 'ec';
  readonly hash: 'sha1' | 'sha256' | 'sha384' | 'sha512';
  readonly curve?: string;
}

const classicSchemes: Record<ClassicMethod, ClassicScheme> = {
  [AuthMethod.RSA_DIGITAL_SIGNATURE]: { keyType: 'rsa', hash: 'sha1' },
  [AuthMethod.ECDSA_SHA256_P256]: { keyType: 'ec', hash: 'sha256', curve: 'prime256v1' },
  [AuthMethod.ECDSA_SHA384_P384]: { keyType: 'ec', hash: 'sha384', curve: 'secp384r1' },
  [AuthMethod.ECDSA_SHA512_P521]: { keyType: 'ec', hash: 'sha512', curve: 'secp521r1' },
};

const isClassic = (method: number): method is ClassicMethod => method in classicSchemes;

export interface SignAuthInput {
  readonly method: number;
  readonly privateKey: KeyObject;
  readonly signedOctets: Uint8Array;
  /** Method 14 only: which scheme (`rsa-pss-sha256`, `ecdsa-sha384`, `ed25519`, ...). */
  readonly scheme?: string;
}

export interface VerifyAuthInput {
  readonly method: number;
  readonly publicKey: KeyObject;
  readonly signedOctets: Uint8Array;
  /** AUTH payload data after the method and reserved octets. */
  readonly authData: Uint8Array;
  /**
   * Method 14: the hash algorithm IDs we announced in SIGNATURE_HASH_ALGORITHMS;
   * a signature made with another hash is refused. Defaults to what we announce.
   */
  readonly allowedHashes?: readonly number[];
}

function keyMatches(key: KeyObject, keyType: string, curve?: string): boolean {
  const type = key.asymmetricKeyType;
  if (keyType === 'rsa' ? type !== 'rsa' && type !== 'rsa-pss' : type !== keyType) return false;
  return curve === undefined || key.asymmetricKeyDetails?.namedCurve === curve;
}

function schemeSignOptions(scheme: SignatureScheme, key: KeyObject) {
  if (scheme.padding === 'pss') return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength! };
  if (scheme.padding === 'pkcs1') return { key, padding: constants.RSA_PKCS1_PADDING };
  if (scheme.keyType === 'ec') return { key, dsaEncoding: 'der' as const };
  return key;
}

/** Builds AUTH payload data for a signature method. */
export function signAuth(input: SignAuthInput): Result<Buffer> {
  const { method, privateKey, signedOctets } = input;
  if (privateKey.type !== 'private') return fail('CRYPTO_SIGN_FAILED', 'signing needs a private key');
  if (isClassic(method)) {
    const classic = classicSchemes[method];
    if (!keyMatches(privateKey, classic.keyType, classic.curve))
      return fail('CRYPTO_SIGN_FAILED', `AUTH method ${method} needs a ${classic.curve ?? classic.keyType} key, got ${privateKey.asymmetricKeyType} ${privateKey.asymmetricKeyDetails?.namedCurve ?? ''}`.trim());
    try {
      const options = classic.keyType === 'ec' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : { key: privateKey, padding: constants.RSA_PKCS1_PADDING };
      return ok(sign(classic.hash, signedOctets, options));
    } catch (cause) {
      return fail('CRYPTO_SIGN_FAILED', `AUTH method ${method} signing failed: ${(cause as Error).message}`, cause);
    }
  }
  if (method !== AuthMethod.DIGITAL_SIGNATURE) return fail('CRYPTO_AUTH_UNSUPPORTED', `AUTH method ${method} is not a signature method we implement`);
  const scheme = input.scheme ? signatureSchemeByName(input.scheme) : defaultScheme(privateKey);
  if (!scheme) return fail('CRYPTO_AUTH_UNSUPPORTED', `unknown signature scheme ${input.scheme ?? `for ${privateKey.asymmetricKeyType} keys`}`);
  if (!keyMatches(privateKey, scheme.keyType)) return fail('CRYPTO_SIGN_FAILED', `scheme ${scheme.name} needs a ${scheme.keyType} key, got ${privateKey.asymmetricKeyType}`);
  try {
    const signature = sign(scheme.hash, signedOctets, schemeSignOptions(scheme, privateKey));
    const id = scheme.algorithmIdentifier;
    return ok(Buffer.concat([Buffer.from([id.length]), id, signature]));
  } catch (cause) {
    return fail('CRYPTO_SIGN_FAILED', `${scheme.name} signing failed: ${(cause as Error).message}`, cause);
  }
}

/** The scheme used when the caller names none: the key's natural choice. */
function defaultScheme(key: KeyObject): SignatureScheme | undefined {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return signatureSchemeByName('rsa-pkcs1-sha256');
    case 'rsa-pss':
      return signatureSchemeByName('rsa-pss-sha256');
    case 'ed25519':
      return signatureSchemeByName('ed25519');
    case 'ed448':
      return signatureSchemeByName('ed448');
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return signatureSchemeByName(curve === 'secp384r1' ? 'ecdsa-sha384' : curve === 'secp521r1' ? 'ecdsa-sha512' : 'ecdsa-sha256');
    }
    default:
      return undefined;
  }
}

/** Checks AUTH payload data made with a signature method. */
export function verifyAuth(input: VerifyAuthInput): Result<{ scheme: string }> {
  const { method, publicKey, signedOctets, authData } = input;
  if (isClassic(method)) {
    const classic = classicSchemes[method];
    if (!keyMatches(publicKey, classic.keyType, classic.curve))
      return fail('CRYPTO_AUTH_FAILED', `AUTH method ${method} needs a ${classic.curve ?? classic.keyType} key from the peer, got ${publicKey.asymmetricKeyType}`);
    const options = classic.keyType === 'ec' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
    return checked(() => verify(classic.hash, signedOctets, options, authData), `method-${method}`);
  }
  if (method !== AuthMethod.DIGITAL_SIGNATURE) return fail('CRYPTO_AUTH_UNSUPPORTED', `AUTH method ${method} is not a signature method we implement`);
  if (authData.length < 1) return fail('CRYPTO_AUTH_MALFORMED', 'Digital Signature AUTH data is empty');
  const idLength = authData[0]!;
  if (authData.length < 1 + idLength + 1) return fail('CRYPTO_AUTH_MALFORMED', `Digital Signature AUTH data too short for a ${idLength}-octet AlgorithmIdentifier and a signature`);
  const algorithmIdentifier = authData.subarray(1, 1 + idLength);
  const signature = authData.subarray(1 + idLength);
  const scheme = schemeForAlgorithmIdentifier(algorithmIdentifier);
  if (!scheme) return fail('CRYPTO_AUTH_UNSUPPORTED', `unsupported signature AlgorithmIdentifier ${Buffer.from(algorithmIdentifier).toString('hex')}`);
  const allowed = input.allowedHashes ?? supportedSignatureHashes;
  if (!allowed.includes(scheme.hashAlgorithm)) return fail('CRYPTO_AUTH_UNSUPPORTED', `${scheme.name} uses a hash we did not announce in SIGNATURE_HASH_ALGORITHMS`);
  if (!keyMatches(publicKey, scheme.keyType)) return fail('CRYPTO_AUTH_FAILED', `${scheme.name} signature does not fit the peer's ${publicKey.asymmetricKeyType} key`);
  return checked(() => verify(scheme.hash, signedOctets, schemeSignOptions(scheme, publicKey), signature), scheme.name);
}

function checked(run: () => boolean, scheme: string): Result<{ scheme: string }> {
  try {
    return run() ? ok({ scheme }) : fail('CRYPTO_AUTH_FAILED', `${scheme} signature does not verify`);
  } catch (cause) {
    // Malformed DER signatures and the like end up here.
    return fail('CRYPTO_AUTH_FAILED', `${scheme} signature does not verify: ${(cause as Error).message}`, cause);
  }
}
