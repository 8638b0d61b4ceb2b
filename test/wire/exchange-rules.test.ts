// Per-exchange payload rules (RFC 7296 §1.2-§1.5): what must, may and must
// not appear, and where (inside SK or not).

import { describe, expect, it } from 'vitest';
import {
  ExchangeType,
  NotifyType,
  PayloadType,
  RuleViolationCode,
  checkExchangeRules,
  type Payload,
} from '../../src/wire/index.js';
import { createChildSaInner, ikeAuthInner, ikeAuthResponseInner, ikeSaInitRequest, informationalInner, withSk, header } from '../vectors/wire/samples.js';

const codes = (vs: { code: string }[]): string[] => vs.map((x) => x.code);
const n = (notifyType: number): Payload => ({ type: PayloadType.N, critical: false, protocolId: 0, spi: new Uint8Array(), notifyType, data: new Uint8Array() });
const without = (ps: Payload[], type: number): Payload[] => ps.filter((p) => p.type !== type);
const sk = (type: number, inner: Payload[]): Payload[] => withSk(header(type, false, 1), inner).payloads;

describe('IKE_SA_INIT', () => {
  const req = ikeSaInitRequest().payloads;
  it('a full request passes', () => expect(checkExchangeRules(ExchangeType.IKE_SA_INIT, false, req)).toEqual([]));
  it('a request without KE is INVALID_SYNTAX', () => {
    const v = checkExchangeRules(ExchangeType.IKE_SA_INIT, false, without(req, PayloadType.KE));
    expect(v).toEqual([expect.objectContaining({ code: RuleViolationCode.MISSING_PAYLOAD, payloadType: PayloadType.KE, notify: NotifyType.INVALID_SYNTAX })]);
  });
  it('two SA payloads are too many', () => {
    expect(codes(checkExchangeRules(ExchangeType.IKE_SA_INIT, false, [...req, req[0]!]))).toEqual([RuleViolationCode.TOO_MANY_PAYLOADS]);
  });
  it('SK is not allowed in IKE_SA_INIT', () => {
    expect(codes(checkExchangeRules(ExchangeType.IKE_SA_INIT, false, [...req, ...sk(34, [])]))).toEqual([RuleViolationCode.UNEXPECTED_PAYLOAD]);
  });
  it('a COOKIE-only or INVALID_KE_PAYLOAD-only response passes; SA without KE does not', () => {
    expect(checkExchangeRules(ExchangeType.IKE_SA_INIT, true, [n(NotifyType.COOKIE)])).toEqual([]);
    expect(codes(checkExchangeRules(ExchangeType.IKE_SA_INIT, true, [req[0]!, req[2]!]))).toEqual([RuleViolationCode.INCOMPLETE_SET]);
    expect(codes(checkExchangeRules(ExchangeType.IKE_SA_INIT, true, []))).toEqual([RuleViolationCode.MISSING_ONE_OF]);
  });
  it('nonce length outside 16..256 octets is flagged', () => {
    const short = req.map((p) => (p.type === PayloadType.NONCE ? { ...p, data: new Uint8Array(15) } : p));
    expect(codes(checkExchangeRules(ExchangeType.IKE_SA_INIT, false, short))).toEqual([RuleViolationCode.INVALID_NONCE_LENGTH]);
  });
  it('unknown non-critical payloads are ignored', () => {
    expect(checkExchangeRules(ExchangeType.IKE_SA_INIT, false, [...req, { type: 60, critical: false, raw: new Uint8Array(1) }])).toEqual([]);
  });
});

describe('IKE_AUTH', () => {
  it('request and response pass, outer and inner', () => {
    expect(checkExchangeRules(ExchangeType.IKE_AUTH, false, sk(35, ikeAuthInner()), ikeAuthInner())).toEqual([]);
    expect(checkExchangeRules(ExchangeType.IKE_AUTH, true, sk(35, ikeAuthResponseInner()), ikeAuthResponseInner())).toEqual([]);
  });
  it('outer payloads other than SK are NOT_ENCRYPTED; no SK at all is flagged', () => {
    expect(codes(checkExchangeRules(ExchangeType.IKE_AUTH, false, ikeAuthInner()))).toContain(RuleViolationCode.MISSING_ENCRYPTED_PAYLOAD);
    expect(codes(checkExchangeRules(ExchangeType.IKE_AUTH, false, [ikeAuthInner()[0]!, ...sk(35, [])]))).toEqual([RuleViolationCode.NOT_ENCRYPTED]);
  });
  it('SA without TSi/TSr is an incomplete set', () => {
    const v = checkExchangeRules(ExchangeType.IKE_AUTH, false, sk(35, []), without(ikeAuthInner(), PayloadType.TSr));
    expect(v).toEqual([expect.objectContaining({ code: RuleViolationCode.INCOMPLETE_SET, payloadType: PayloadType.TSr })]);
  });
  it('an error response with only N passes (AUTHENTICATION_FAILED)', () => {
    expect(checkExchangeRules(ExchangeType.IKE_AUTH, true, sk(35, []), [n(NotifyType.AUTHENTICATION_FAILED)])).toEqual([]);
  });
  it('KE is unexpected in IKE_AUTH', () => {
    const ke: Payload = { type: PayloadType.KE, critical: false, group: 31, data: new Uint8Array(32) };
    expect(codes(checkExchangeRules(ExchangeType.IKE_AUTH, false, sk(35, []), [...ikeAuthInner(), ke]))).toEqual([RuleViolationCode.UNEXPECTED_PAYLOAD]);
  });
});

describe('CREATE_CHILD_SA and INFORMATIONAL', () => {
  it('a rekey request passes; without Ni it does not', () => {
    expect(checkExchangeRules(ExchangeType.CREATE_CHILD_SA, false, sk(36, []), createChildSaInner())).toEqual([]);
    expect(codes(checkExchangeRules(ExchangeType.CREATE_CHILD_SA, false, sk(36, []), without(createChildSaInner(), PayloadType.NONCE)))).toEqual([
      RuleViolationCode.MISSING_PAYLOAD,
    ]);
  });
  it('a NO_ADDITIONAL_SAS response passes', () => {
    expect(checkExchangeRules(ExchangeType.CREATE_CHILD_SA, true, sk(36, []), [n(NotifyType.NO_ADDITIONAL_SAS)])).toEqual([]);
  });
  it('INFORMATIONAL with D, N, CERTREQ: CERTREQ is unexpected; an empty one passes', () => {
    expect(codes(checkExchangeRules(ExchangeType.INFORMATIONAL, false, sk(37, []), informationalInner()))).toEqual([RuleViolationCode.UNEXPECTED_PAYLOAD]);
    expect(checkExchangeRules(ExchangeType.INFORMATIONAL, false, sk(37, []), [])).toEqual([]);
  });
  it('outer-only check before decryption', () => {
    expect(checkExchangeRules(ExchangeType.INFORMATIONAL, true, sk(37, []))).toEqual([]);
  });
  it('unknown exchange types carry no notify', () => {
    const [v] = checkExchangeRules(99, false, []);
    expect(v?.code).toBe(RuleViolationCode.UNKNOWN_EXCHANGE_TYPE);
    expect(v?.notify).toBeUndefined();
  });
});
