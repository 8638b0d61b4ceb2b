// Errors of `ipsec pki` and its library. Every failure an admin can cause
// (a bad DN, a key that does not match its CA certificate, a file that would
// be overwritten) is a PkiError with a stable `code` and a message that says
// what was wrong and what would be valid.

export type PkiErrorCode =
  | 'PKI_BAD_DN' // the distinguished name string cannot be parsed
  | 'PKI_BAD_SAN' // a subjectAltName is not an IP address, DNS name, email or URI
  | 'PKI_BAD_OPTION' // an option value out of range or options that do not fit together
  | 'PKI_BAD_KEY' // a private key cannot be read, is encrypted, or is of an unsupported type
  | 'PKI_BAD_CERT' // a certificate cannot be read
  | 'PKI_BAD_CRL' // a CRL cannot be read
  | 'PKI_NOT_A_CA' // the issuing certificate is not allowed to sign certificates or CRLs
  | 'PKI_KEY_MISMATCH' // the CA key does not belong to the CA certificate
  | 'PKI_FILE_EXISTS' // an output file exists and --force was not given
  | 'PKI_IO'; // reading or writing a file failed

export class PkiError extends Error {
  override readonly name = 'PkiError';
  constructor(
    readonly code: PkiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
