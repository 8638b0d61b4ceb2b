// Maximum-size datagrams built to make the decoder do the most work per
// byte: the mutation fuzzer starts from small messages and rarely gets
// there. A flood of empty payloads once took ~0.6 s to decode (payload
// numbering for error paths was counted eagerly, quadratic in the chain).

const MAX = 65535;

function header(firstPayload: number, exchangeType: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  b.fill(0x11, 0, 16);
  b[16] = firstPayload;
  b[17] = 0x20;
  b[18] = exchangeType;
  b[19] = 0x08;
  b.writeUInt32BE(length, 24);
  return b;
}

/** 16,376 empty V payloads in one INFORMATIONAL message. */
export function emptyPayloadFlood(): Buffer {
  const n = Math.floor((MAX - 28) / 4);
  const b = header(43, 37, 28 + n * 4);
  for (let i = 0; i < n; i++) {
    const o = 28 + i * 4;
    b[o] = i === n - 1 ? 0 : 43;
    b.writeUInt16BE(4, o + 2);
  }
  return b;
}

/** One SA payload with 8,187 empty proposals. */
export function proposalFlood(): Buffer {
  const n = Math.floor((MAX - 32) / 8);
  const b = header(33, 34, 32 + n * 8);
  b.writeUInt16BE(4 + n * 8, 30);
  for (let i = 0; i < n; i++) {
    const o = 32 + i * 8;
    b[o] = i === n - 1 ? 0 : 2;
    b.writeUInt16BE(8, o + 2);
    b[o + 4] = 1 + Math.min(i, 254);
    b[o + 5] = 1;
  }
  return b;
}

/** One SA payload, one proposal, 255 transforms each with as many TV attributes as fit. */
export function attributeFlood(): Buffer {
  const transforms = 255;
  const perTransform = Math.floor((MAX - 28 - 4 - 8) / transforms);
  const attrs = Math.floor((perTransform - 8) / 4);
  const tLen = 8 + attrs * 4;
  const pLen = 8 + transforms * tLen;
  const b = header(33, 34, 28 + 4 + pLen);
  b.writeUInt16BE(4 + pLen, 30);
  b.writeUInt16BE(pLen, 34);
  b[36] = 1;
  b[37] = 1;
  b[39] = transforms;
  for (let t = 0; t < transforms; t++) {
    const o = 40 + t * tLen;
    b[o] = t === transforms - 1 ? 0 : 3;
    b.writeUInt16BE(tLen, o + 2);
    b[o + 4] = 1;
    b.writeUInt16BE(12, o + 6);
    for (let a = 0; a < attrs; a++) {
      b.writeUInt16BE(0x800e, o + 8 + a * 4);
      b.writeUInt16BE(128, o + 10 + a * 4);
    }
  }
  return b;
}

/** One TS payload with 255 IPv4 selectors, repeated as many times as fit. */
export function selectorFlood(): Buffer {
  const tsLen = 8 + 255 * 16;
  const n = Math.floor((MAX - 28) / tsLen);
  const b = header(44, 37, 28 + n * tsLen);
  for (let k = 0; k < n; k++) {
    const o = 28 + k * tsLen;
    b[o] = k === n - 1 ? 0 : 44;
    b.writeUInt16BE(tsLen, o + 2);
    b[o + 4] = 255;
    for (let s = 0; s < 255; s++) {
      const q = o + 8 + s * 16;
      b[q] = 7;
      b.writeUInt16BE(16, q + 2);
      b.writeUInt16BE(0xffff, q + 6);
    }
  }
  return b;
}

export function adversarialInputs(): { name: string; bytes: Buffer }[] {
  return [
    { name: '64 KiB of empty payloads (16,376)', bytes: emptyPayloadFlood() },
    { name: '64 KiB SA with 8,187 proposals', bytes: proposalFlood() },
    { name: '64 KiB SA with 255 transforms x 62 attributes', bytes: attributeFlood() },
    { name: '64 KiB of TS payloads, 255 selectors each', bytes: selectorFlood() },
  ];
}
