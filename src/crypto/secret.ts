// Handling of secret bytes: comparison in constant time and best-effort
// zeroing. Node cannot zero what OpenSSL keeps inside KeyObjects or
// DiffieHellman objects; it can zero every Buffer we own, so we do.

import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality for MACs, ICVs, AUTH data and cookies. A length
 * mismatch returns false at once: lengths are public (they come from the
 * negotiated algorithm or from the packet), only the contents are secret.
 */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** Overwrites each buffer with zeros. Accepts undefined for convenience in dispose paths. */
export function zeroize(...buffers: Array<Uint8Array | undefined>): void {
  for (const buffer of buffers) buffer?.fill(0);
}
