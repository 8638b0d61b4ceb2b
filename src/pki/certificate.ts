// Builds and signs an X.509 v3 certificate (RFC 5280 4.1): the
// TBSCertificate is written with the DER helpers and signed by node:crypto,
// so RSA, ECDSA and Ed25519 issuers all take the same path.
import { type KeyObject } from 'node:crypto';
import { type Asn1, der, encode } from './asn1.js';
import { type SignatureAlgorithm, signTbs } from './signature.js';

export interface TbsCertificate {
  serial: Buffer;
  issuer: Buffer; // DER Name
  notBefore: Date;
  notAfter: Date;
  subject: Buffer; // DER Name
  spki: Buffer; // DER SubjectPublicKeyInfo
  extensions: Asn1[];
}

export function signCertificate(tbs: TbsCertificate, signingKey: KeyObject, algorithm: SignatureAlgorithm): Buffer {
  const fields: Asn1[] = [
    der.explicit(0, der.integer(2)), // v3
    der.unsigned(tbs.serial),
    algorithm.identifier,
    der.raw(tbs.issuer),
    der.sequence([der.time(tbs.notBefore), der.time(tbs.notAfter)]),
    der.raw(tbs.subject),
    der.raw(tbs.spki),
  ];
  if (tbs.extensions.length > 0) fields.push(der.explicit(3, der.sequence(tbs.extensions)));
  const tbsDer = encode(der.sequence(fields));
  const signature = signTbs(tbsDer, signingKey, algorithm);
  return encode(der.sequence([der.raw(tbsDer), algorithm.identifier, der.bitString(signature)]));
}
