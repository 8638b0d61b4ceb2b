// Which payloads each exchange may carry (RFC 7296 §1.2-§1.5, RFC 7383,
// RFC 9242, RFC 9370), how often, and whether inside SK. The tables are
// data; checkExchangeRules() is separate from decoding so the IKE layer can
// check the outer chain before decryption and the inner one after.
//
// Counts: `[min, max]`. Notify (N) and Vendor ID (V) may appear any number
// of times in every message; unknown non-critical payloads are ignored.
// Co-occurrence rules cover what counts cannot: `together` sets are all
// present or all absent (SA with TSi/TSr in IKE_AUTH), `oneOf` needs at
// least one present (an error response carries only N), `requires` makes
// one payload depend on others.

import { ExchangeType, exchangeTypeName } from './iana/exchange-types.js';
import { NotifyType } from './iana/notify-types.js';
import { PayloadType, payloadTypeName } from './iana/payload-types.js';
import type { Payload } from './payload.js';
import { NONCE_MAX_LENGTH, NONCE_MIN_LENGTH } from './payloads/nonce.js';

const MANY = Number.POSITIVE_INFINITY;
const { SA, KE, IDi, IDr, CERT, CERTREQ, AUTH, NONCE, N, D, V, TSi, TSr, SK, CP, EAP, SKF } = PayloadType;

export interface MessageRules {
  /** True when everything but SK/SKF must be inside the encrypted payload. */
  encrypted: boolean;
  counts: ReadonlyMap<number, readonly [min: number, max: number]>;
  together?: readonly (readonly number[])[];
  oneOf?: readonly (readonly number[])[];
  requires?: readonly (readonly [payload: number, needs: readonly number[]])[];
}

const counts = (entries: Record<number, readonly [number, number]>): ReadonlyMap<number, readonly [number, number]> =>
  new Map([...Object.entries(entries).map(([t, c]) => [Number(t), c] as const), [N, [0, MANY]], [V, [0, MANY]]]);

const rules = (r: MessageRules): MessageRules => r;

/** RFC 7296 §1.2, §1.3, §1.4, §1.5, §2.6, §2.16, §3.15; RFC 9242; RFC 9370. */
export const exchangeRules: Readonly<Record<number, { request: MessageRules; response: MessageRules }>> = {
  // HDR, SA, KE, Ni, [N+], [V+]   /   HDR, SA, KE, Nr, [CERTREQ+], [N+], [V+]
  // or an error/COOKIE/INVALID_KE_PAYLOAD response carrying only N.
  [ExchangeType.IKE_SA_INIT]: {
    request: rules({ encrypted: false, counts: counts({ [SA]: [1, 1], [KE]: [1, 1], [NONCE]: [1, 1] }) }),
    response: rules({
      encrypted: false,
      counts: counts({ [SA]: [0, 1], [KE]: [0, 1], [NONCE]: [0, 1], [CERTREQ]: [0, MANY] }),
      together: [[SA, KE, NONCE]],
      oneOf: [[SA, N]],
      requires: [[CERTREQ, [SA]]],
    }),
  },
  // SK {IDi, [CERT+], [CERTREQ+], [IDr], [AUTH], [EAP], [CP], [SA, TSi, TSr], [N+], [V+]}
  // AUTH is absent in the first request of EAP; later EAP rounds carry only EAP or AUTH.
  [ExchangeType.IKE_AUTH]: {
    request: rules({
      encrypted: true,
      counts: counts({
        [IDi]: [0, 1], [CERT]: [0, MANY], [CERTREQ]: [0, MANY], [IDr]: [0, 1], [AUTH]: [0, 1],
        [EAP]: [0, 1], [CP]: [0, 1], [SA]: [0, 1], [TSi]: [0, 1], [TSr]: [0, 1],
      }),
      together: [[SA, TSi, TSr]],
      oneOf: [[IDi, AUTH, EAP]],
      requires: [[IDr, [IDi]], [CERT, [IDi]]],
    }),
    // SK {IDr, [CERT+], AUTH, [CP], [SA, TSi, TSr], [N+], [V+]}, EAP rounds, or N only on error.
    response: rules({
      encrypted: true,
      counts: counts({
        [IDr]: [0, 1], [CERT]: [0, MANY], [AUTH]: [0, 1], [EAP]: [0, 1], [CP]: [0, 1],
        [SA]: [0, 1], [TSi]: [0, 1], [TSr]: [0, 1],
      }),
      together: [[SA, TSi, TSr]],
      oneOf: [[IDr, AUTH, EAP, N]],
      requires: [[CERT, [IDr]], [SA, [AUTH]]],
    }),
  },
  // SK {[N(REKEY_SA)], [N+], SA, Ni, [KEi], [TSi, TSr]}   /   SK {SA, Nr, [KEr], [TSi, TSr]} or SK {N}
  [ExchangeType.CREATE_CHILD_SA]: {
    request: rules({
      encrypted: true,
      counts: counts({ [SA]: [1, 1], [NONCE]: [1, 1], [KE]: [0, 1], [TSi]: [0, 1], [TSr]: [0, 1] }),
      together: [[TSi, TSr]],
    }),
    response: rules({
      encrypted: true,
      counts: counts({ [SA]: [0, 1], [NONCE]: [0, 1], [KE]: [0, 1], [TSi]: [0, 1], [TSr]: [0, 1] }),
      together: [[SA, NONCE], [TSi, TSr]],
      oneOf: [[SA, N]],
      requires: [[KE, [SA]], [TSi, [SA]]],
    }),
  },
  // SK {[N+], [D+], [CP]} both ways; an empty SK is a liveness check.
  [ExchangeType.INFORMATIONAL]: {
    request: rules({ encrypted: true, counts: counts({ [D]: [0, MANY], [CP]: [0, 1] }) }),
    response: rules({ encrypted: true, counts: counts({ [D]: [0, MANY], [CP]: [0, 1] }) }),
  },
  // RFC 9242 §3 / RFC 9370 §2.2.1: SK {[KEi(n)], [N+]} / SK {[KEr(n)], [N+]}
  [ExchangeType.IKE_INTERMEDIATE]: {
    request: rules({ encrypted: true, counts: counts({ [KE]: [0, 1] }) }),
    response: rules({ encrypted: true, counts: counts({ [KE]: [0, 1] }) }),
  },
  // RFC 9370 §2.2.4: SK {KEi(n), N(ADDITIONAL_KEY_EXCHANGE)} / SK {KEr(n), [N]}
  [ExchangeType.IKE_FOLLOWUP_KE]: {
    request: rules({ encrypted: true, counts: counts({ [KE]: [1, 1] }) }),
    response: rules({ encrypted: true, counts: counts({ [KE]: [0, 1] }), oneOf: [[KE, N]] }),
  },
};

export const RuleViolationCode = {
  UNKNOWN_EXCHANGE_TYPE: 'UNKNOWN_EXCHANGE_TYPE',
  MISSING_PAYLOAD: 'MISSING_PAYLOAD',
  TOO_MANY_PAYLOADS: 'TOO_MANY_PAYLOADS',
  UNEXPECTED_PAYLOAD: 'UNEXPECTED_PAYLOAD',
  NOT_ENCRYPTED: 'NOT_ENCRYPTED',
  MISSING_ENCRYPTED_PAYLOAD: 'MISSING_ENCRYPTED_PAYLOAD',
  INCOMPLETE_SET: 'INCOMPLETE_SET',
  MISSING_ONE_OF: 'MISSING_ONE_OF',
  MISSING_DEPENDENCY: 'MISSING_DEPENDENCY',
  INVALID_NONCE_LENGTH: 'INVALID_NONCE_LENGTH',
} as const;
export type RuleViolationCode = (typeof RuleViolationCode)[keyof typeof RuleViolationCode];

export interface RuleViolation {
  code: RuleViolationCode;
  message: string;
  payloadType?: number;
  /** INVALID_SYNTAX for malformed messages; absent where the message is just dropped. */
  notify?: number;
}

/**
 * Checks one message against its exchange's rules. `outerPayloads` is the
 * decoded chain; `innerPayloads` the decrypted SK content (omit it to check
 * only the outer chain before decryption). For SKF, pass the reassembled
 * inner chain. Returns [] when the message is well formed.
 */
export function checkExchangeRules(
  exchangeType: number,
  isResponse: boolean,
  outerPayloads: readonly Payload[],
  innerPayloads?: readonly Payload[],
): RuleViolation[] {
  const table = exchangeRules[exchangeType];
  if (table === undefined) {
    return [{ code: RuleViolationCode.UNKNOWN_EXCHANGE_TYPE, message: `no rules for ${exchangeTypeName(exchangeType)}` }];
  }
  const r = isResponse ? table.response : table.request;
  const where = `${exchangeTypeName(exchangeType)} ${isResponse ? 'response' : 'request'}`;
  const out: RuleViolation[] = [];
  const bad = (code: RuleViolationCode, message: string, payloadType?: number): void => {
    const v: RuleViolation = { code, message: `${where}: ${message}`, notify: NotifyType.INVALID_SYNTAX };
    if (payloadType !== undefined) v.payloadType = payloadType;
    out.push(v);
  };
  const known = (ps: readonly Payload[]): Payload[] => ps.filter((p) => !('raw' in p));

  let checked: Payload[];
  if (r.encrypted) {
    const outer = known(outerPayloads);
    const sk = outer.filter((p) => p.type === SK || p.type === SKF);
    if (sk.length === 0) bad(RuleViolationCode.MISSING_ENCRYPTED_PAYLOAD, 'no SK or SKF payload');
    if (sk.length > 1) bad(RuleViolationCode.TOO_MANY_PAYLOADS, 'more than one SK/SKF payload', sk[1]!.type);
    for (const p of outer) {
      if (p.type !== SK && p.type !== SKF) bad(RuleViolationCode.NOT_ENCRYPTED, `${payloadTypeName(p.type)} outside SK`, p.type);
    }
    if (innerPayloads === undefined) return out;
    checked = known(innerPayloads);
  } else {
    checked = known(outerPayloads);
  }

  const n = new Map<number, number>();
  for (const p of checked) n.set(p.type, (n.get(p.type) ?? 0) + 1);
  const has = (t: number): boolean => (n.get(t) ?? 0) > 0;
  const names = (ts: readonly number[]): string => ts.map(payloadTypeName).join(', ');

  for (const [type, count] of n) {
    const allowed = r.counts.get(type);
    if (allowed === undefined) bad(RuleViolationCode.UNEXPECTED_PAYLOAD, `${payloadTypeName(type)} not allowed`, type);
    else if (count > allowed[1]) bad(RuleViolationCode.TOO_MANY_PAYLOADS, `${count} x ${payloadTypeName(type)}, at most ${allowed[1]}`, type);
  }
  for (const [type, [min]] of r.counts) {
    if ((n.get(type) ?? 0) < min) bad(RuleViolationCode.MISSING_PAYLOAD, `${payloadTypeName(type)} missing`, type);
  }
  for (const set of r.together ?? []) {
    const present = set.filter(has);
    if (present.length > 0 && present.length < set.length) {
      bad(RuleViolationCode.INCOMPLETE_SET, `${names(present)} without ${names(set.filter((t) => !has(t)))}`, set.find((t) => !has(t)));
    }
  }
  for (const set of r.oneOf ?? []) {
    if (!set.some(has)) bad(RuleViolationCode.MISSING_ONE_OF, `needs one of ${names(set)}`);
  }
  for (const [payload, needs] of r.requires ?? []) {
    const missing = needs.filter((t) => !has(t));
    if (has(payload) && missing.length > 0) {
      bad(RuleViolationCode.MISSING_DEPENDENCY, `${payloadTypeName(payload)} without ${names(missing)}`, payload);
    }
  }
  for (const p of checked) {
    if (p.type === NONCE && 'data' in p && (p.data.length < NONCE_MIN_LENGTH || p.data.length > NONCE_MAX_LENGTH)) {
      bad(RuleViolationCode.INVALID_NONCE_LENGTH, `nonce of ${p.data.length} octets, must be 16..256`, NONCE);
    }
  }
  return out;
}
