// Seed corpus: valid messages of every exchange (object-built samples and
// the hand-built byte vectors), encrypted and with their inner payloads in
// the clear so mutations reach every payload decoder.

import { encodeMessage } from '../../src/wire/index.js';
import * as m from '../vectors/wire/messages.js';
import { sampleMessages } from '../vectors/wire/samples.js';

export function seedCorpus(): Uint8Array[] {
  return [
    ...sampleMessages().map((s) => encodeMessage(s.message)),
    m.ikeSaInitRequest(),
    m.ikeSaInitInvalidKe(),
    m.ikeAuthRequestSk(),
    m.ikeAuthResponseSkf(),
    m.sloppyReservedBits(),
  ];
}
