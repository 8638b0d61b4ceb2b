// The Payload union and the table from payload type to its codec: the one
// place that lists every payload the codec understands.

import { PayloadType } from './iana/payload-types.js';
import { authCodec, type AuthPayload } from './payloads/auth.js';
import { certCodec, type CertPayload } from './payloads/cert.js';
import { certReqCodec, type CertReqPayload } from './payloads/certreq.js';
import { cpCodec, type CpPayload } from './payloads/configuration.js';
import { deleteCodec, type DeletePayload } from './payloads/delete.js';
import { eapCodec, type EapPayload } from './payloads/eap.js';
import { skCodec, type SkPayload } from './payloads/encrypted.js';
import { skfCodec, type SkfPayload } from './payloads/fragment.js';
import { idCodec, type IdPayload } from './payloads/id.js';
import { keCodec, type KePayload } from './payloads/ke.js';
import { nonceCodec, type NoncePayload } from './payloads/nonce.js';
import { notifyCodec, type NotifyPayload } from './payloads/notify.js';
import type { PayloadCodec } from './payloads/payload-codec.js';
import { saCodec, type SaPayload } from './payloads/sa.js';
import { tsCodec, type TsPayload } from './payloads/traffic-selector.js';
import type { UnknownPayload } from './payloads/unknown.js';
import { vendorIdCodec, type VendorIdPayload } from './payloads/vendor-id.js';

export type KnownPayload =
  | SaPayload
  | KePayload
  | IdPayload
  | CertPayload
  | CertReqPayload
  | AuthPayload
  | NoncePayload
  | NotifyPayload
  | DeletePayload
  | VendorIdPayload
  | TsPayload
  | SkPayload
  | CpPayload
  | EapPayload
  | SkfPayload;

/**
 * A decoded payload. `type` discriminates the known ones; an UnknownPayload
 * also has a numeric `type`, so narrow with isPayload()/findPayload() rather
 * than `p.type === ...` when unknown payloads may be present.
 */
export type Payload = KnownPayload | UnknownPayload;

/** Payload type -> payload interface, for the typed helpers below. */
export interface PayloadByType {
  [PayloadType.SA]: SaPayload;
  [PayloadType.KE]: KePayload;
  [PayloadType.IDi]: IdPayload & { type: typeof PayloadType.IDi };
  [PayloadType.IDr]: IdPayload & { type: typeof PayloadType.IDr };
  [PayloadType.CERT]: CertPayload;
  [PayloadType.CERTREQ]: CertReqPayload;
  [PayloadType.AUTH]: AuthPayload;
  [PayloadType.NONCE]: NoncePayload;
  [PayloadType.N]: NotifyPayload;
  [PayloadType.D]: DeletePayload;
  [PayloadType.V]: VendorIdPayload;
  [PayloadType.TSi]: TsPayload & { type: typeof PayloadType.TSi };
  [PayloadType.TSr]: TsPayload & { type: typeof PayloadType.TSr };
  [PayloadType.SK]: SkPayload;
  [PayloadType.CP]: CpPayload;
  [PayloadType.EAP]: EapPayload;
  [PayloadType.SKF]: SkfPayload;
}
export type KnownPayloadType = keyof PayloadByType;

// Codecs are stateless constant objects; this table is data, not a
// singleton. An array indexed by the one-octet payload type is the cheapest
// lookup on the per-payload path.
const codecList: readonly PayloadCodec<KnownPayload>[] = [
  saCodec,
  keCodec,
  idCodec,
  certCodec,
  certReqCodec,
  authCodec,
  nonceCodec,
  notifyCodec,
  deleteCodec,
  vendorIdCodec,
  tsCodec,
  skCodec,
  cpCodec,
  eapCodec,
  skfCodec,
] as PayloadCodec<KnownPayload>[];
const codecs: readonly (PayloadCodec<KnownPayload> | undefined)[] = Array.from({ length: 256 }, (_, type) =>
  codecList.find((c) => (c.types as readonly number[]).includes(type)),
);

export function codecFor(type: number): PayloadCodec<KnownPayload> | undefined {
  return codecs[type];
}

/** True when the codec decodes this payload type (others are kept raw). */
export function isKnownPayloadType(type: number): type is KnownPayloadType {
  return codecs[type] !== undefined;
}

export function isPayload<T extends KnownPayloadType>(p: Payload, type: T): p is PayloadByType[T] {
  return p.type === type && !('raw' in p);
}

export function findPayload<T extends KnownPayloadType>(payloads: readonly Payload[], type: T): PayloadByType[T] | undefined {
  for (const p of payloads) if (isPayload(p, type)) return p;
  return undefined;
}

export function filterPayloads<T extends KnownPayloadType>(payloads: readonly Payload[], type: T): PayloadByType[T][] {
  return payloads.filter((p): p is PayloadByType[T] => isPayload(p, type));
}

/** The first Notify of the given notify type, e.g. findNotify(ps, NotifyType.COOKIE). */
export function findNotify(payloads: readonly Payload[], notifyType: number): NotifyPayload | undefined {
  for (const p of payloads) if (isPayload(p, PayloadType.N) && p.notifyType === notifyType) return p;
  return undefined;
}
