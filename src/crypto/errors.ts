// Errors of the crypto layer. Every failure that can be caused by a peer or
// by configuration comes back as a value (`Result`), never as an exception
// thrown from inside node:crypto, so the IKE layer can answer with the right
// notify and keep running. `code` is stable and meant for tests and logs.

export type CryptoErrorCode =
  | 'CRYPTO_UNKNOWN_TRANSFORM' // no registry entry for this (type, id)
  | 'CRYPTO_BAD_KEY_LENGTH' // key length attribute missing, not allowed or not supported
  | 'CRYPTO_WEAK_GROUP' // KE group known but refused by policy
  | 'CRYPTO_BAD_PUBLIC_VALUE' // peer KE data of wrong length or invalid value
  | 'CRYPTO_KE_FAILED' // derivation refused (e.g. X25519 all-zero result)
  | 'CRYPTO_BAD_KEY' // key material of wrong size handed in
  | 'CRYPTO_SK_MALFORMED' // SK body too short, not block aligned, bad pad length
  | 'CRYPTO_INTEGRITY_FAILED' // ICV / AEAD tag mismatch
  | 'CRYPTO_AUTH_FAILED' // AUTH payload does not verify
  | 'CRYPTO_AUTH_UNSUPPORTED' // auth method / signature algorithm not supported or not allowed
  | 'CRYPTO_AUTH_MALFORMED' // AUTH data cannot be parsed (RFC 7427 blob, ...)
  | 'CRYPTO_SIGN_FAILED' // the local key cannot make the requested signature
  | 'CRYPTO_COOKIE_INVALID' // COOKIE does not match any live secret
  | 'CRYPTO_PRF_PLUS_EXHAUSTED' // more than 255 prf+ blocks requested
  | 'CRYPTO_WIRE_DECODE'; // the codec rejected the decrypted inner payloads

/**
 * Deliberately not an Error subclass: a bad ICV or AUTH from the network is
 * an expected outcome, and capturing a stack trace for each would cost more
 * than the HMAC that detected it (it was a third of the PSK AUTH check in
 * bench:codec). `unwrap` turns one into a real Error where a throw is meant.
 */
export class CryptoError {
  readonly name: string = 'CryptoError';
  readonly cause?: unknown;
  constructor(
    readonly code: CryptoErrorCode,
    readonly message: string,
    options?: { cause?: unknown },
  ) {
    if (options && 'cause' in options) this.cause = options.cause;
  }

  toString(): string {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

export type Result<T, E = CryptoError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = (code: CryptoErrorCode, message: string, cause?: unknown): { ok: false; error: CryptoError } => ({
  ok: false,
  error: new CryptoError(code, message, cause === undefined ? undefined : { cause }),
});

/** Unwraps a Result where a failure is a programming error (tests, fixed tables); throws an Error with `code`. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw Object.assign(new Error(result.error.toString(), { cause: result.error }), { code: result.error.code });
  return result.value;
}
