// DER AlgorithmIdentifiers carried in RFC 7427 "Digital Signature" AUTH data.
//  - RFC 7427 Appendix A.1 (sha*WithRSAEncryption, explicit NULL parameters)
//    and A.3 (ecdsa-with-SHA*, no parameters).
//  - RFC 8420 §2 (id-Ed25519 / id-Ed448 AlgorithmIdentifiers, no parameters).
//  - RSASSA-PSS: RSASSA-PSS-params of RFC 4055 §3.1 with SHA-256 for both
//    hash and MGF1 and a 32-octet salt, in the two spellings peers send:
//    trailerField absent (DER default) and present.
export const algorithmIdentifiers = {
  'rsa-pkcs1-sha1': '300d06092a864886f70d0101050500',
  'rsa-pkcs1-sha256': '300d06092a864886f70d01010b0500',
  'rsa-pkcs1-sha384': '300d06092a864886f70d01010c0500',
  'rsa-pkcs1-sha512': '300d06092a864886f70d01010d0500',
  'ecdsa-sha256': '300a06082a8648ce3d040302',
  'ecdsa-sha384': '300a06082a8648ce3d040303',
  'ecdsa-sha512': '300a06082a8648ce3d040304',
  ed25519: '300506032b6570',
  ed448: '300506032b6571',
  'rsa-pss-sha256':
    '304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120',
} as const;

/** The same PSS parameters with an explicit trailerField [3] INTEGER 1. */
export const pssSha256WithTrailer =
  '304606092a864886f70d01010a3039a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120a303020101';
/** RSASSA-PSS with empty parameters (SHA-1 defaults), which we do not implement. */
export const pssEmptyParameters = '300d06092a864886f70d01010a3000';
