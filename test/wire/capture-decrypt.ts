// Test-only SK decryption for the strongSwan captures, straight on
// node:crypto with the keys strongSwan logged, so the wire tests can decode
// real inner chains without depending on src/crypto (which has its own
// capture tests). RFC 7296 §3.14 (CBC + HMAC), RFC 5282 (GCM), RFC 7634
// (ChaCha20-Poly1305): AEAD nonce = 4-octet salt from the key material | IV.

import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

export interface SkKeys {
  proposal: string;
  /** SK_e for the sender's direction (key | salt for AEAD). */
  skE: Buffer;
  /** SK_a for the sender's direction (CBC only). */
  skA?: Buffer;
}

/** Returns the inner payload chain (padding and Pad Length removed). */
export function decryptSk(message: Uint8Array, skBodyOffset: number, keys: SkKeys): Buffer {
  const aad = Buffer.from(message.subarray(0, skBodyOffset));
  const body = Buffer.from(message.subarray(skBodyOffset));
  let plain: Buffer;
  if (/gcm16|chacha20poly1305/.test(keys.proposal)) {
    const key = keys.skE.subarray(0, keys.skE.length - 4);
    const nonce = Buffer.concat([keys.skE.subarray(keys.skE.length - 4), body.subarray(0, 8)]);
    const algo = keys.proposal.includes('chacha') ? 'chacha20-poly1305' : `aes-${key.length * 8}-gcm`;
    const d = createDecipheriv(algo as 'aes-256-gcm', key, nonce, { authTagLength: 16 });
    d.setAAD(aad);
    d.setAuthTag(body.subarray(body.length - 16));
    plain = Buffer.concat([d.update(body.subarray(8, body.length - 16)), d.final()]);
  } else {
    // e.g. aes256-sha384: AES-CBC, HMAC-SHA2-n truncated to n/2 bits (RFC 4868)
    // over everything before the ICV.
    if (!keys.skA) throw new Error('CBC needs SK_a');
    const hash = /sha(1|256|384|512)/.exec(keys.proposal)?.[1] ?? '256';
    const icvLength = { '1': 12, '256': 16, '384': 24, '512': 32 }[hash]!;
    const icv = body.subarray(body.length - icvLength);
    const mac = createHmac(hash === '1' ? 'sha1' : `sha${hash}`, keys.skA)
      .update(message.subarray(0, message.length - icvLength))
      .digest()
      .subarray(0, icvLength);
    if (!timingSafeEqual(icv, mac)) throw new Error('ICV mismatch');
    const d = createDecipheriv(`aes-${keys.skE.length * 8}-cbc`, keys.skE, body.subarray(0, 16));
    d.setAutoPadding(false);
    plain = Buffer.concat([d.update(body.subarray(16, body.length - icvLength)), d.final()]);
  }
  const padLength = plain[plain.length - 1]!;
  return plain.subarray(0, plain.length - 1 - padLength);
}
