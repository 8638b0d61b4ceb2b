// SIGNATURE_HASH_ALGORITHMS notification data (RFC 7427 §4): a list of
// 2-octet hash algorithm IDs. We announce the ones our signature schemes use;
// Identity (5) is announced for EdDSA (RFC 8420 §2).

import { HashAlgorithm } from '../../wire/iana/auth-methods.js';

export const supportedSignatureHashes: readonly number[] = [
  HashAlgorithm.SHA2_256,
  HashAlgorithm.SHA2_384,
  HashAlgorithm.SHA2_512,
  HashAlgorithm.IDENTITY,
];

export function encodeSignatureHashes(hashes: readonly number[] = supportedSignatureHashes): Buffer {
  const out = Buffer.alloc(hashes.length * 2);
  hashes.forEach((id, index) => out.writeUInt16BE(id, index * 2));
  return out;
}

/** Decodes the notify data; an odd trailing octet is ignored (the list is advisory). */
export function decodeSignatureHashes(data: Uint8Array): number[] {
  const view = Buffer.from(data.buffer, data.byteOffset, data.length);
  const hashes: number[] = [];
  for (let offset = 0; offset + 2 <= view.length; offset += 2) hashes.push(view.readUInt16BE(offset));
  return hashes;
}
