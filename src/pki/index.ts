// Public API of src/pki: certificates, CRLs, DNs and ipsec.d files for the
// `ipsec pki` command, the tests of other areas and the demo.
export { createCa, issueCertificate, credentialFiles, EKU_FLAGS } from './issue.js';
export type { CaOptions, CertificateOptions, Credential, EkuFlag, IssueOptions } from './issue.js';
export { createChain } from './chain.js';
export type { Chain, ChainOptions } from './chain.js';
export { makeCrl, readCrl, verifyCrl } from './crl.js';
export type { Crl, CrlEntry, CrlOptions, Revocation } from './crl.js';
export { REVOCATION_REASONS } from './extensions.js';
export type { RevocationReason } from './extensions.js';
export { DN_KEYWORDS, formatDn, parseDn, readDn } from './dn.js';
export type { ParsedDn, Rdn } from './dn.js';
export { parseGeneralName } from './general-names.js';
export type { GeneralName } from './general-names.js';
export { exportPrivateKey, generateKey, keyInfo, loadPrivateKey, samePublicKey, spkiDer } from './keys.js';
export type { Curve, KeyInfo, KeySpec, KeyType, Outform } from './keys.js';
export { readCertificate } from './certificate-parts.js';
export type { CertificateParts } from './certificate-parts.js';
export { describeCertificate, describeCrl, describeFile, describeKey, formatDescription } from './describe.js';
export type { CertificateDescription, CrlDescription, Description, KeyDescription } from './describe.js';
export { verifyChain } from './verify-chain.js';
export type { ChainInput, ChainResult } from './verify-chain.js';
export { installIpsecd } from './output-files.js';
export type { IpsecdContent } from './output-files.js';
export { toPem } from './pem.js';
export { PkiError } from './errors.js';
export type { PkiErrorCode } from './errors.js';
