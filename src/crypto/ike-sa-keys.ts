// IKE SA key material (RFC 7296 §2.14, rekey §2.18):
//   SKEYSEED = prf(Ni | Nr, g^ir)                          initial exchange
//   SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)       IKE SA rekey, OLD prf
//   {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
//            = prf+ (SKEYSEED, Ni | Nr | SPIi | SPIr)     new SA's prf
// SK_d, SK_pi, SK_pr have the PRF's preferred key length; SK_a* the INTEG
// key length (none for AEAD); SK_e* the cipher key plus salt for AEAD
// (RFC 5282 §7.1, RFC 7634 §2: the salt is the last 4 octets of SK_e*).

import { fail, ok, type Result } from './errors.js';
import { prf, prfPlus } from './prf.js';
import type { CipherSuite, PrfAlgorithm } from './registry/index.js';
import { zeroize } from './secret.js';

export interface IkeSaKeys {
  readonly prf: PrfAlgorithm;
  readonly suite: CipherSuite;
  readonly skD: Buffer;
  readonly skAi: Buffer;
  readonly skAr: Buffer;
  readonly skEi: Buffer;
  readonly skEr: Buffer;
  readonly skPi: Buffer;
  readonly skPr: Buffer;
  /** Zeroes every key. The object must not be used afterwards. */
  dispose(): void;
}

export interface IkeSaKeyInput {
  readonly prf: PrfAlgorithm;
  readonly suite: CipherSuite;
  /** Nonce data of Ni and Nr, without payload headers. */
  readonly nonceI: Uint8Array;
  readonly nonceR: Uint8Array;
  /** 8-octet IKE SPIs of the SA being keyed (the new SPIs on rekey). */
  readonly spiI: Uint8Array;
  readonly spiR: Uint8Array;
}

/** SKEYSEED of the IKE_SA_INIT exchange. */
export function initialSkeyseed(algorithm: PrfAlgorithm, nonceI: Uint8Array, nonceR: Uint8Array, sharedSecret: Uint8Array): Buffer {
  // The key is Ni | Nr (HMAC accepts any key length; XCBC/CMAC truncation does not apply).
  const key = Buffer.concat([nonceI, nonceR]);
  const skeyseed = prf(algorithm, key, sharedSecret);
  key.fill(0);
  return skeyseed;
}

/** SKEYSEED of an IKE SA rekeyed by CREATE_CHILD_SA; `oldPrf` is the rekeyed SA's PRF. */
export function rekeySkeyseed(oldPrf: PrfAlgorithm, oldSkD: Uint8Array, sharedSecret: Uint8Array, nonceI: Uint8Array, nonceR: Uint8Array): Buffer {
  return prf(oldPrf, oldSkD, sharedSecret, nonceI, nonceR);
}

/** Expands SKEYSEED into the seven SK_* keys. */
export function expandIkeSaKeys(skeyseed: Uint8Array, input: IkeSaKeyInput): Result<IkeSaKeys> {
  if (input.spiI.length !== 8 || input.spiR.length !== 8)
    return fail('CRYPTO_BAD_KEY', `IKE SPIs must be 8 octets (got ${input.spiI.length} and ${input.spiR.length})`);
  const prfSize = input.prf.keySize;
  const integSize = input.suite.integ?.keySize ?? 0;
  const encrSize = input.suite.encr.keymatSize;
  const total = 3 * prfSize + 2 * integSize + 2 * encrSize;
  const seed = Buffer.concat([input.nonceI, input.nonceR, input.spiI, input.spiR]);
  const expanded = prfPlus(input.prf, skeyseed, seed, total);
  if (!expanded.ok) return expanded;
  return ok(new KeyStream(input.prf, input.suite, expanded.value, prfSize, integSize, encrSize));
}

/**
 * The seven keys as views into the one prf+ output, made on access: an IKE
 * SA lives for hours and each Buffer view costs about 100 octets of heap,
 * more than the key it shows. dispose() zeroes the whole output.
 */
class KeyStream implements IkeSaKeys {
  constructor(
    readonly prf: PrfAlgorithm,
    readonly suite: CipherSuite,
    private readonly stream: Buffer,
    private readonly prfSize: number,
    private readonly integSize: number,
    private readonly encrSize: number,
  ) {}
  private at(offset: number, size: number): Buffer {
    return this.stream.subarray(offset, offset + size);
  }
  get skD(): Buffer {
    return this.at(0, this.prfSize);
  }
  get skAi(): Buffer {
    return this.at(this.prfSize, this.integSize);
  }
  get skAr(): Buffer {
    return this.at(this.prfSize + this.integSize, this.integSize);
  }
  get skEi(): Buffer {
    return this.at(this.prfSize + 2 * this.integSize, this.encrSize);
  }
  get skEr(): Buffer {
    return this.at(this.prfSize + 2 * this.integSize + this.encrSize, this.encrSize);
  }
  get skPi(): Buffer {
    return this.at(this.prfSize + 2 * this.integSize + 2 * this.encrSize, this.prfSize);
  }
  get skPr(): Buffer {
    return this.at(2 * this.prfSize + 2 * this.integSize + 2 * this.encrSize, this.prfSize);
  }
  dispose(): void {
    zeroize(this.stream);
  }
}

/** The whole IKE_SA_INIT derivation: SKEYSEED from g^ir, then the SK_* keys. */
export function deriveIkeSaKeys(input: IkeSaKeyInput & { readonly sharedSecret: Uint8Array }): Result<IkeSaKeys> {
  const skeyseed = initialSkeyseed(input.prf, input.nonceI, input.nonceR, input.sharedSecret);
  const keys = expandIkeSaKeys(skeyseed, input);
  skeyseed.fill(0);
  return keys;
}

/** The whole IKE SA rekey derivation (§2.18): old SA's SK_d and PRF, new SPIs, nonces, g^ir and PRF. */
export function deriveRekeyedIkeSaKeys(
  input: IkeSaKeyInput & { readonly sharedSecret: Uint8Array; readonly oldPrf: PrfAlgorithm; readonly oldSkD: Uint8Array },
): Result<IkeSaKeys> {
  const skeyseed = rekeySkeyseed(input.oldPrf, input.oldSkD, input.sharedSecret, input.nonceI, input.nonceR);
  const keys = expandIkeSaKeys(skeyseed, input);
  skeyseed.fill(0);
  return keys;
}
