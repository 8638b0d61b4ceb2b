// Certificate serial numbers: 16 random octets, positive and at most 20
// octets long (RFC 5280 4.1.2.2), with a non-zero first octet so the DER
// INTEGER is exactly 16 octets.
import { randomBytes } from 'node:crypto';
import { PkiError } from './errors.js';

export function randomSerial(): Buffer {
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f || 0x01;
  return serial;
}

/** A serial given as hex ("0a:1b:...", "0x0a1b", "0a1b"). */
export function parseSerial(text: string): Buffer {
  const hex = text.trim().replace(/^0x/i, '').replace(/:/g, '');
  if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length > 40) {
    throw new PkiError('PKI_BAD_OPTION', `serial '${text}' is not a hexadecimal number of at most 20 octets`);
  }
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

export const formatSerial = (hex: string): string => (hex.length % 2 ? `0${hex}` : hex).match(/../g)?.join(':') ?? '00';
