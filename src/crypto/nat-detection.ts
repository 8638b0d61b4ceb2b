// NAT_DETECTION_SOURCE_IP / NAT_DETECTION_DESTINATION_IP data (RFC 7296 §2.23):
//   SHA-1(SPIi | SPIr | IP | Port)
// with SPIr all zeros in the IKE_SA_INIT request, IP as 4 or 16 octets in
// network order and the port as 2 octets. SHA-1 is fixed by the RFC.

import { createHash } from 'node:crypto';
import { fail, ok, type Result } from './errors.js';
import { ipToBytes } from './ip-bytes.js';
import { constantTimeEqual } from './secret.js';

export interface NatEndpoint {
  /** Textual address (`192.0.2.1`, `2001:db8::1`) or its 4/16 octets. */
  readonly address: string | Uint8Array;
  readonly port: number;
}

export function natDetectionHash(spiI: Uint8Array, spiR: Uint8Array, endpoint: NatEndpoint): Result<Buffer> {
  const ip = typeof endpoint.address === 'string' ? ipToBytes(endpoint.address) : Buffer.from(endpoint.address);
  if (!ip || (ip.length !== 4 && ip.length !== 16))
    return fail('CRYPTO_BAD_KEY', `NAT detection needs an IPv4 or IPv6 address, got ${String(endpoint.address)}`);
  if (!Number.isInteger(endpoint.port) || endpoint.port < 0 || endpoint.port > 0xffff)
    return fail('CRYPTO_BAD_KEY', `NAT detection needs a port 0-65535, got ${endpoint.port}`);
  const port = Buffer.alloc(2);
  port.writeUInt16BE(endpoint.port);
  return ok(createHash('sha1').update(spiI).update(spiR).update(ip).update(port).digest());
}

/** True when one of the received hashes matches the endpoint as we see it (no NAT on that side). */
export function natDetectionMatches(received: readonly Uint8Array[], expected: Uint8Array): boolean {
  let match = false;
  // Compare against every entry so timing does not reveal which one matched.
  for (const hash of received) match = constantTimeEqual(hash, expected) || match;
  return match;
}
