// ENCR transforms (RFC 7296 §3.3.2), keyed by IANA ID. Only ciphers node:crypto
// implements and Linux xfrm can install are listed; anything else is reported
// as unknown by the lookup, which the IKE layer turns into NO_PROPOSAL_CHOSEN.
//
// Sizes are in octets except key lengths, which are in bits because that is
// how the Key Length attribute (RFC 7296 §3.3.5) carries them.

import { ENCR } from '../../wire/iana/transforms.js';

/** How the Linux kernel names the algorithm (`ip xfrm state ... aead|enc`). */
export interface XfrmEncrName {
  /** `aead` takes key||salt and an ICV length; `enc` is a plain cipher paired with an `auth-trunc`. */
  readonly kind: 'aead' | 'enc';
  readonly name: string;
  /** AEAD only: ICV length in bits (xfrm `alg_icv_len`). */
  readonly icvBits?: number;
}

interface EncrCommon {
  readonly id: number;
  /** IANA name in RFC spelling, without key length (`AES_GCM_16`). */
  readonly name: string;
  /** Key sizes in bits this implementation accepts. */
  readonly keyLengths: readonly number[];
  /**
   * True when the proposal MUST carry a Key Length attribute (AES, RFC 7296
   * §3.3.5 / RFC 4106); false when the attribute MUST NOT appear (RFC 7634).
   */
  readonly keyLengthAttribute: boolean;
  /** IV sent in each SK payload / ESP packet. */
  readonly ivSize: number;
  /** Plaintext alignment the cipher needs (1 for counter-based AEAD modes). */
  readonly blockSize: number;
}

export interface AeadEncr extends EncrCommon {
  readonly kind: 'aead';
  readonly icvSize: number;
  /** Salt octets taken from keying material after the key (RFC 4106 §8.1, RFC 7634 §2). */
  readonly saltSize: number;
  /** node:crypto cipher name for a key length in bits. */
  readonly nodeCipher: (keyBits: number) => string;
  readonly xfrm: XfrmEncrName;
}

export interface CbcEncr extends EncrCommon {
  readonly kind: 'cbc';
  readonly nodeCipher: (keyBits: number) => string;
  readonly xfrm: XfrmEncrName;
}

export type EncrAlgorithm = AeadEncr | CbcEncr;

const AES_KEYS = [128, 192, 256] as const;

const aesGcm = (id: number, name: string, icvSize: number): AeadEncr => ({
  kind: 'aead',
  id,
  name,
  keyLengths: AES_KEYS,
  keyLengthAttribute: true,
  ivSize: 8,
  // GCM is a counter mode: no alignment beyond one octet (RFC 5282 §3).
  blockSize: 1,
  icvSize,
  saltSize: 4,
  nodeCipher: (bits) => `aes-${bits}-gcm`,
  xfrm: { kind: 'aead', name: 'rfc4106(gcm(aes))', icvBits: icvSize * 8 },
});

export const encrAlgorithms: readonly EncrAlgorithm[] = [
  {
    kind: 'cbc',
    id: ENCR.AES_CBC,
    name: 'AES_CBC',
    keyLengths: AES_KEYS,
    keyLengthAttribute: true,
    ivSize: 16,
    blockSize: 16,
    nodeCipher: (bits) => `aes-${bits}-cbc`,
    xfrm: { kind: 'enc', name: 'cbc(aes)' },
  },
  aesGcm(ENCR.AES_GCM_8, 'AES_GCM_8', 8),
  aesGcm(ENCR.AES_GCM_12, 'AES_GCM_12', 12),
  aesGcm(ENCR.AES_GCM_16, 'AES_GCM_16', 16),
  {
    kind: 'aead',
    id: ENCR.CHACHA20_POLY1305,
    name: 'CHACHA20_POLY1305',
    keyLengths: [256],
    keyLengthAttribute: false,
    ivSize: 8,
    blockSize: 1,
    icvSize: 16,
    saltSize: 4,
    nodeCipher: () => 'chacha20-poly1305',
    xfrm: { kind: 'aead', name: 'rfc7539esp(chacha20,poly1305)', icvBits: 128 },
  },
];
