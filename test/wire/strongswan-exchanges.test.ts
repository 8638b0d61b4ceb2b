// One strongSwan IKE SA life with every exchange type (IKE_SA_INIT,
// IKE_AUTH fragmented into SKF with a CP request, CREATE_CHILD_SA rekeying
// the IKE SA, INFORMATIONAL deletes), recorded by
// test/vectors/wire/make-exchanges-capture.sh. strongSwan's own one-line
// summary of each message is the oracle: our decode of the same bytes
// (inner chains decrypted with the logged keys, fragments reassembled) must
// list the same payloads in the same order.

import { createDecipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CpAttribute,
  NotifyType,
  PayloadType,
  checkExchangeRules,
  decodeMessage,
  decodePayloadChain,
  encodeMessage,
  encodePayloadChain,
  isPayload,
  type IkeMessage,
  type Payload,
} from '../../src/wire/index.js';
import { ok } from './helpers.js';

interface Recording {
  datagrams: { hex: string; fromPort: number }[];
  keySets: { skEi: string; skEr: string }[];
  initiatorSummaries: string[];
}
const rec = JSON.parse(readFileSync(join(import.meta.dirname, '../vectors/wire/strongswan-exchanges.json'), 'utf8')) as Recording;

// strongSwan's abbreviations, only to compare with its log lines.
const NOTIFY_ABBR: Record<number, string> = {
  [NotifyType.NAT_DETECTION_SOURCE_IP]: 'NATD_S_IP',
  [NotifyType.NAT_DETECTION_DESTINATION_IP]: 'NATD_D_IP',
  [NotifyType.IKEV2_FRAGMENTATION_SUPPORTED]: 'FRAG_SUP',
  [NotifyType.SIGNATURE_HASH_ALGORITHMS]: 'HASH_ALG',
  [NotifyType.REDIRECT_SUPPORTED]: 'REDIR_SUP',
  [NotifyType.CHILDLESS_IKEV2_SUPPORTED]: 'CHDLESS_SUP',
  [NotifyType.MULTIPLE_AUTH_SUPPORTED]: 'MULT_AUTH',
  [NotifyType.INITIAL_CONTACT]: 'INIT_CONTACT',
  [NotifyType.EAP_ONLY_AUTHENTICATION]: 'EAP_ONLY',
  [NotifyType.IKEV2_MESSAGE_ID_SYNC_SUPPORTED]: 'MSG_ID_SYN_SUP',
  [NotifyType.NO_PROPOSAL_CHOSEN]: 'NO_PROP',
};
const CP_ABBR: Record<number, string> = {
  [CpAttribute.INTERNAL_IP4_ADDRESS]: 'ADDR',
  [CpAttribute.INTERNAL_IP4_DNS]: 'DNS',
  [CpAttribute.INTERNAL_IP6_ADDRESS]: 'ADDR6',
  [CpAttribute.INTERNAL_IP6_DNS]: 'DNS6',
};
const TYPE_ABBR: Record<number, string> = { 33: 'SA', 34: 'KE', 35: 'IDi', 36: 'IDr', 37: 'CERT', 38: 'CERTREQ', 39: 'AUTH', 40: 'No', 42: 'D', 43: 'V', 44: 'TSi', 45: 'TSr', 48: 'EAP' };

function abbreviate(p: Payload): string {
  if (isPayload(p, PayloadType.N)) return `N(${NOTIFY_ABBR[p.notifyType] ?? p.notifyType})`;
  if (isPayload(p, PayloadType.CP)) return `${p.cfgType === 1 ? 'CPRQ' : 'CPRP'}(${p.attributes.map((a) => CP_ABBR[a.type] ?? a.type).join(' ')})`;
  if (isPayload(p, PayloadType.SKF)) return `EF(${p.fragmentNumber}/${p.totalFragments})`;
  return TYPE_ABBR[p.type] ?? String(p.type);
}
const listOf = (summary: string): string => /\[ ?(.*?) ?\]$/.exec(summary)![1]!;

/** AES-256-GCM SK/SKF body with each logged key set until one authenticates (RFC 5282). */
function decrypt(bytes: Buffer, msg: IkeMessage): Buffer {
  const body = bytes.subarray(msg.skBodyOffset!);
  for (const keys of rec.keySets) {
    const km = Buffer.from(msg.header.flags.initiator ? keys.skEi : keys.skEr, 'hex');
    try {
      const d = createDecipheriv('aes-256-gcm', km.subarray(0, 32), Buffer.concat([km.subarray(32), body.subarray(0, 8)]), { authTagLength: 16 });
      d.setAAD(bytes.subarray(0, msg.skBodyOffset!));
      d.setAuthTag(body.subarray(body.length - 16));
      const plain = Buffer.concat([d.update(body.subarray(8, body.length - 16)), d.final()]);
      return plain.subarray(0, plain.length - 1 - plain[plain.length - 1]!);
    } catch {
      // not this IKE SA's keys
    }
  }
  throw new Error('no logged key set authenticates this message');
}

describe('strongSwan: every exchange of one IKE SA life', () => {
  const messages = rec.datagrams.map((d) => Buffer.from(d.hex, 'hex'));

  it('covers IKE_SA_INIT, IKE_AUTH in SKF fragments, CREATE_CHILD_SA and INFORMATIONAL', () => {
    const kinds = new Set(messages.map((b) => `${b[18]}/${b[16]}`));
    for (const k of ['34/33', '35/53', '36/46', '37/46']) expect(kinds).toContain(k);
  });

  it('every datagram decodes, re-encodes byte for byte and passes the outer rules', () => {
    for (const bytes of messages) {
      const msg = ok(decodeMessage(bytes));
      expect(encodeMessage(msg).toString('hex')).toBe(bytes.toString('hex'));
      expect(checkExchangeRules(msg.header.exchangeType, msg.header.flags.response, msg.payloads)).toEqual([]);
    }
  });

  it("payload lists match strongSwan's own summaries, inner chains included", () => {
    // Summaries follow the datagrams, except that a fragmented message is
    // summarised once whole (then once per fragment).
    const summaries = rec.initiatorSummaries;
    let s = 0;
    let fragments: Buffer[] = [];
    let firstInner = 0;
    let wholeSummary = '';
    for (const bytes of messages) {
      let summary = summaries[s++]!;
      if (summaries[s]?.includes('[ EF(') && !summary.includes('[ EF(')) {
        wholeSummary = summary;
        summary = summaries[s++]!;
      }
      const msg = ok(decodeMessage(bytes));
      const last = msg.payloads[msg.payloads.length - 1];
      if (last && isPayload(last, PayloadType.SK)) {
        const inner = ok(decodePayloadChain(last.nextPayload, decrypt(bytes, msg), 'SK'));
        expect(inner.map(abbreviate).join(' '), summary).toBe(listOf(summary));
        expect(checkExchangeRules(msg.header.exchangeType, msg.header.flags.response, msg.payloads, inner), summary).toEqual([]);
      } else if (last && isPayload(last, PayloadType.SKF)) {
        expect(msg.payloads.map(abbreviate).join(' ')).toBe(listOf(summary));
        if (last.fragmentNumber === 1) [fragments, firstInner] = [[], last.nextPayload];
        fragments.push(decrypt(bytes, msg));
        if (last.fragmentNumber === last.totalFragments) {
          // RFC 7383 §2.6: the reassembled plaintext is the inner chain.
          const plain = Buffer.concat(fragments);
          const inner = ok(decodePayloadChain(firstInner, plain, 'SKF'));
          expect(inner.map(abbreviate).join(' ')).toBe(listOf(wholeSummary));
          expect(Buffer.from(encodePayloadChain(inner).bytes).equals(plain)).toBe(true);
          expect(checkExchangeRules(msg.header.exchangeType, msg.header.flags.response, msg.payloads, inner)).toEqual([]);
        }
      } else {
        expect(msg.payloads.map(abbreviate).join(' '), summary).toBe(listOf(summary));
      }
    }
    expect(s).toBe(summaries.length);
  });
});
