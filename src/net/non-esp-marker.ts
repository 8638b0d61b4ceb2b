// RFC 3948 §2.2 / RFC 7296 §2.23: on the NAT-T port, IKE messages carry a
// 4-octet non-ESP marker (zeros) in front; ESP packets start with their
// nonzero SPI; a single 0xFF octet is a NAT-keepalive (RFC 3948 §2.3).

export const NON_ESP_MARKER = Buffer.alloc(4);

export type NattClassification =
  | { kind: 'ike'; message: Buffer }
  | { kind: 'keepalive' }
  | { kind: 'esp' }
  | { kind: 'short' };

/** Classifies a datagram received on port 4500. Never copies the payload. */
export function classifyNattDatagram(bytes: Buffer): NattClassification {
  if (bytes.length === 1 && bytes[0] === 0xff) return { kind: 'keepalive' };
  if (bytes.length < 4) return { kind: 'short' };
  if (bytes.readUInt32BE(0) !== 0) return { kind: 'esp' };
  return { kind: 'ike', message: bytes.subarray(4) };
}

/** Prepends the marker for a message sent from port 4500. */
export function addNonEspMarker(message: Buffer): Buffer {
  return Buffer.concat([NON_ESP_MARKER, message]);
}
