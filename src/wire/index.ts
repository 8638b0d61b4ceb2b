// Public API of the IKEv2 wire codec (pure: no I/O, no crypto, no SA state).
// See docs/architecture.md "Wire codec (src/wire)".

export * from './iana/index.js';
export {
  DecodeErrorCode,
  type DecodeError,
  type DecodeResult,
} from './errors.js';
export {
  IKE_HEADER_LENGTH,
  IKE_MAJOR_VERSION,
  type IkeHeader,
  type IkeHeaderFlags,
} from './header.js';
export {
  decodeMessage,
  decodeHeader,
  encodeMessage,
  encodeMessageWithLayout,
  type IkeMessage,
  type EncodedMessage,
} from './message.js';
export {
  decodePayloadChain,
  encodePayloadChain,
  GENERIC_PAYLOAD_HEADER_LENGTH,
} from './payload-chain.js';
export {
  isKnownPayloadType,
  isPayload,
  findPayload,
  filterPayloads,
  findNotify,
  type Payload,
  type KnownPayload,
  type KnownPayloadType,
  type PayloadByType,
} from './payload.js';
export {
  checkExchangeRules,
  exchangeRules,
  RuleViolationCode,
  type RuleViolation,
  type MessageRules,
} from './exchange-rules.js';
export type { PayloadCommon } from './payloads/payload-codec.js';
export * from './payloads/sa.js';
export * from './payloads/ke.js';
export * from './payloads/id.js';
export * from './payloads/cert.js';
export * from './payloads/certreq.js';
export * from './payloads/auth.js';
export * from './payloads/nonce.js';
export * from './payloads/notify.js';
export * from './payloads/delete.js';
export * from './payloads/vendor-id.js';
export * from './payloads/traffic-selector.js';
export * from './payloads/encrypted.js';
export * from './payloads/fragment.js';
export * from './payloads/configuration.js';
export * from './payloads/eap.js';
export * from './payloads/unknown.js';
export { describeMessage, describePayload, describePayloads } from './describe.js';
