// Public API of the crypto layer (node:crypto only). See docs/architecture.md
// "Crypto (src/crypto)". Every operation on peer-supplied data returns a
// Result; exceptions are reserved for programming errors.

export { CryptoError, type CryptoErrorCode, type Result, ok, fail, unwrap } from './errors.js';
export { constantTimeEqual, zeroize } from './secret.js';

// Transform registry (IANA ID -> node:crypto / xfrm)
export {
  lookupEncr,
  lookupPrf,
  lookupInteg,
  lookupKeGroup,
  resolveCipherSuite,
  supportedTransforms,
  type CipherSuite,
  type EncrTransform,
  type EncrAlgorithm,
  type AeadEncr,
  type CbcEncr,
  type XfrmEncrName,
  type PrfAlgorithm,
  type IntegAlgorithm,
  type KeGroup,
  type ModpGroup,
  type EcpGroup,
  type MontgomeryGroup,
  type KeLookupOptions,
} from './registry/index.js';

// Key exchange
export { createKeyExchange, type KeyExchange, type KeyExchangeOptions } from './ke/key-exchange.js';

// Key schedule
export { prf, prfPlus } from './prf.js';
export {
  initialSkeyseed,
  rekeySkeyseed,
  expandIkeSaKeys,
  deriveIkeSaKeys,
  deriveRekeyedIkeSaKeys,
  type IkeSaKeys,
  type IkeSaKeyInput,
} from './ike-sa-keys.js';
export { deriveChildSaKeys, type ChildSaKeys, type ChildSaDirectionKeys, type ChildSaKeyInput } from './child-sa-keys.js';

// SK / SKF protection
export { SkCipher, type SkKeys, type SkCipherOptions } from './sk/sk-cipher.js';
export { aeadKey, aeadSeal, aeadOpen, type AeadKey } from './sk/aead.js';
export { sealMessage, openMessage, SkMessageError, type OpenedMessage } from './sk-message.js';

// NAT detection, cookies
export { natDetectionHash, natDetectionMatches, type NatEndpoint } from './nat-detection.js';
export { CookieGenerator, type CookieInput } from './cookie.js';
export { ipToBytes } from './ip-bytes.js';

// Authentication
export { signedOctets, type SignedOctetsInput } from './auth/signed-octets.js';
export { pskAuth, verifyPskAuth } from './auth/psk.js';
export { signAuth, verifyAuth, type SignAuthInput, type VerifyAuthInput } from './auth/signature-auth.js';
export { signatureSchemes, signatureSchemeByName, schemeForAlgorithmIdentifier, type SignatureScheme } from './auth/signature-schemes.js';
export { supportedSignatureHashes, encodeSignatureHashes, decodeSignatureHashes } from './auth/hash-algorithms.js';
