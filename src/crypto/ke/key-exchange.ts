// One ephemeral key exchange (RFC 7296 §1.2, §2.14): our KE payload data and
// the shared secret g^ir computed from the peer's KE payload data, both in
// the IKE wire format of the group. Peer values are validated before use and
// every failure is a Result, because the peer's value comes off the network.

import { fail, type Result } from '../errors.js';
import { lookupKeGroup, type KeGroup, type KeLookupOptions } from '../registry/index.js';
import { createEcpKeyExchange } from './ecp.js';
import { createModpKeyExchange } from './modp.js';
import { createMontgomeryKeyExchange } from './montgomery.js';

export interface KeyExchange {
  readonly group: KeGroup;
  /** Our KE payload data (exactly `group.publicValueSize` octets). */
  readonly publicValue: Buffer;
  /**
   * g^ir from the peer's KE payload data. The caller owns the returned buffer
   * and should zero it (`.fill(0)`) once the keys are derived.
   */
  computeSharedSecret(peerPublicValue: Uint8Array): Result<Buffer>;
  /** Drops our private key (zeroing what Node lets us reach). */
  dispose(): void;
}

export interface KeyExchangeOptions extends KeLookupOptions {
  /**
   * A fixed private key, for test vectors only: MODP exponent (big-endian),
   * ECP scalar (big-endian, field size), or the raw X25519/X448 scalar.
   */
  readonly privateKey?: Uint8Array;
}

/** Starts a key exchange for a KE transform ID (or a resolved group). */
export function createKeyExchange(group: number | KeGroup, options: KeyExchangeOptions = {}): Result<KeyExchange> {
  let resolved: KeGroup;
  if (typeof group === 'number') {
    const lookup = lookupKeGroup(group, options);
    if (!lookup.ok) return lookup;
    resolved = lookup.value;
  } else {
    resolved = group;
  }
  try {
    switch (resolved.kind) {
      case 'modp':
        return createModpKeyExchange(resolved, options.privateKey);
      case 'ecp':
        return createEcpKeyExchange(resolved, options.privateKey);
      case 'montgomery':
        return createMontgomeryKeyExchange(resolved, options.privateKey);
    }
  } catch (cause) {
    // Only a bad fixed private key can land here; generation itself does not fail.
    return fail('CRYPTO_BAD_KEY', `cannot set up ${resolved.name} key exchange: ${(cause as Error).message}`, cause);
  }
}

/** Checks the peer's KE data length before any arithmetic (RFC 7296 §3.4). */
export function checkPublicValueLength(group: KeGroup, peer: Uint8Array): Result<void> | undefined {
  if (peer.length === group.publicValueSize) return undefined;
  return fail(
    'CRYPTO_BAD_PUBLIC_VALUE',
    `${group.name} KE data must be ${group.publicValueSize} octets, got ${peer.length}`,
  );
}
