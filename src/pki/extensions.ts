// The X.509v3 extensions `ipsec pki` writes (RFC 5280 4.2; RFC 4945 5.1.3.12
// for the IKE extended key usage). Each builder returns one Extension.
import { type Asn1, der } from './asn1.js';
import { type GeneralName, encodeGeneralName } from './general-names.js';
import { OID } from './oids.js';

export function extension(oid: string, critical: boolean, value: Asn1): Asn1 {
  const fields = [der.oid(oid)];
  if (critical) fields.push(der.boolean(true)); // DEFAULT FALSE is omitted (X.690 11.5)
  fields.push(der.octetString(value));
  return der.sequence(fields);
}

/** RFC 5280 4.2.1.9; critical, as a CA certificate requires. */
export function basicConstraints(ca: boolean, pathLen?: number): Asn1 {
  const fields: Asn1[] = [];
  if (ca) {
    fields.push(der.boolean(true));
    if (pathLen !== undefined) fields.push(der.integer(pathLen));
  }
  return extension(OID.basicConstraints, true, der.sequence(fields));
}

export const KEY_USAGE_BITS = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;
export type KeyUsage = keyof typeof KEY_USAGE_BITS;

export function keyUsage(usages: KeyUsage[]): Asn1 {
  return extension(OID.keyUsage, true, der.namedBits(usages.map((u) => KEY_USAGE_BITS[u])));
}

export function extKeyUsage(oids: string[]): Asn1 {
  return extension(OID.extKeyUsage, false, der.sequence(oids.map((oid) => der.oid(oid))));
}

/** Critical when the subject DN is empty (RFC 5280 4.2.1.6). */
export function subjectAltName(names: GeneralName[], critical: boolean): Asn1 {
  return extension(OID.subjectAltName, critical, der.sequence(names.map(encodeGeneralName)));
}

export function subjectKeyIdentifier(keyId: Buffer): Asn1 {
  return extension(OID.subjectKeyIdentifier, false, der.octetString(keyId));
}

/** keyIdentifier only ([0] IMPLICIT OCTET STRING), the form RFC 5280 4.2.1.1 asks CAs to use. */
export function authorityKeyIdentifier(keyId: Buffer): Asn1 {
  return extension(OID.authorityKeyIdentifier, false, der.sequence([der.implicit(0, keyId)]));
}

/** One DistributionPoint per URI, each with fullName = [uniformResourceIdentifier]. */
export function crlDistributionPoints(uris: string[]): Asn1 {
  const points = uris.map((uri) =>
    der.sequence([der.explicit(0, der.implicitConstructed(0, [encodeGeneralName({ kind: 'uri', value: uri })]))]),
  );
  return extension(OID.cRLDistributionPoints, false, der.sequence(points));
}

export function crlNumber(n: bigint): Asn1 {
  return extension(OID.cRLNumber, false, der.integer(n));
}

export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  certificateHold: 6,
  removeFromCRL: 8,
  privilegeWithdrawn: 9,
  aACompromise: 10,
} as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function reasonCode(reason: RevocationReason): Asn1 {
  return extension(OID.reasonCode, false, der.enumerated(REVOCATION_REASONS[reason]));
}
