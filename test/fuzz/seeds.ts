// Seed corpus: valid messages of every exchange (object-built samples and
// the hand-built byte vectors), the real strongSwan datagrams from
// test/vectors/capture/, and the decrypted inner chains of those captures
// re-sent in the clear so mutations reach every payload decoder with the
// bytes a real peer produces.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage, encodeMessage, isPayload, PayloadType } from '../../src/wire/index.js';
import * as m from '../vectors/wire/messages.js';
import { sampleMessages } from '../vectors/wire/samples.js';
import { decryptSk } from '../wire/capture-decrypt.js';

const captureDir = join(import.meta.dirname, '../vectors/capture');

function captureSeeds(): Uint8Array[] {
  if (!existsSync(captureDir)) return [];
  const out: Uint8Array[] = [];
  for (const f of readdirSync(captureDir).filter((x) => x.endsWith('.json'))) {
    try {
      const cap = JSON.parse(readFileSync(join(captureDir, f), 'utf8')) as {
        proposal: string;
        datagrams: { hex: string; fromPort: number }[];
        initiatorLog: Record<string, string>;
      };
      for (const d of cap.datagrams) {
        const raw = Buffer.from(d.hex, 'hex');
        // Non-ESP marker (four zero octets) if the extractor left it in.
        const bytes = d.fromPort === 4500 && raw.length >= 4 && raw.readUInt32BE(0) === 0 ? raw.subarray(4) : raw;
        out.push(bytes);
        const msg = decodeMessage(bytes);
        const sk = msg.ok ? msg.value.payloads[0] : undefined;
        if (!msg.ok || !sk || !isPayload(sk, PayloadType.SK)) continue;
        const response = msg.value.header.flags.response;
        const log = cap.initiatorLog;
        const skE = log[response ? 'skEr' : 'skEi'];
        const skA = log[response ? 'skAr' : 'skAi'];
        if (!skE) continue;
        const inner = decryptSk(bytes, msg.value.skBodyOffset!, { proposal: cap.proposal, skE: Buffer.from(skE, 'hex'), skA: skA ? Buffer.from(skA, 'hex') : undefined });
        const clear = Buffer.concat([bytes.subarray(0, 28), inner]);
        clear[16] = sk.nextPayload;
        clear.writeUInt32BE(clear.length, 24);
        out.push(clear);
      }
    } catch {
      // A capture being regenerated or in another format: seeds are a bonus.
    }
  }
  return out;
}

/** Every exchange type from one strongSwan IKE SA life (make-exchanges-capture.sh). */
function exchangeSeeds(): Uint8Array[] {
  const file = join(import.meta.dirname, '../vectors/wire/strongswan-exchanges.json');
  if (!existsSync(file)) return [];
  const rec = JSON.parse(readFileSync(file, 'utf8')) as { datagrams: { hex: string }[] };
  return rec.datagrams.map((d) => Buffer.from(d.hex, 'hex'));
}

export function seedCorpus(): Uint8Array[] {
  return [
    ...sampleMessages().map((s) => encodeMessage(s.message)),
    m.ikeSaInitRequest(),
    m.ikeSaInitInvalidKe(),
    m.ikeAuthRequestSk(),
    m.ikeAuthResponseSkf(),
    m.sloppyReservedBits(),
    ...captureSeeds(),
    ...exchangeSeeds(),
  ];
}
