// Turns make-exchanges-capture.sh output into strongswan-exchanges.json:
//   node --import tsx extract-exchanges.ts <pcap> <initiator charon.log>
// Datagrams: UDP payloads in capture order, non-ESP marker removed.
// Summaries: the initiator's "generating ..." / "parsed ..." lines, which
// name every payload (inner ones for encrypted messages) in strongSwan's
// abbreviations.

import { readFileSync } from 'node:fs';

const [pcapPath, logPath] = process.argv.slice(2) as [string, string];

function readPcap(path: string): { from: string; fromPort: number; hex: string }[] {
  const pcap = readFileSync(path);
  const magic = pcap.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (o: number): number => (le ? pcap.readUInt32LE(o) : pcap.readUInt32BE(o));
  const linkType = u32(20);
  const linkHeader = ({ 1: 14, 113: 16, 276: 20 } as Record<number, number>)[linkType];
  if (linkHeader === undefined) throw new Error(`unsupported pcap link type ${linkType}`);
  const out: { from: string; fromPort: number; hex: string }[] = [];
  for (let offset = 24; offset + 16 <= pcap.length; ) {
    const captured = u32(offset + 8);
    const ip = pcap.subarray(offset + 16 + linkHeader, offset + 16 + captured);
    offset += 16 + captured;
    if (ip[0]! >> 4 !== 4 || ip[9] !== 17) continue;
    const udp = ip.subarray((ip[0]! & 0x0f) * 4);
    const fromPort = udp.readUInt16BE(0);
    const toPort = udp.readUInt16BE(2);
    let payload = udp.subarray(8, udp.readUInt16BE(4));
    if ((fromPort === 4500 || toPort === 4500) && payload.readUInt32BE(0) === 0) payload = payload.subarray(4);
    out.push({ from: [...ip.subarray(12, 16)].join('.'), fromPort, hex: payload.toString('hex') });
  }
  return out;
}

/**
 * The SK_ei/SK_er hex dumps ("Sk_ei secret => 36 bytes @ ...", rows
 * "NN[IKE]    0: AB CD ..." from the same thread), in log order: one pair
 * per IKE SA (the first and the rekeyed one).
 */
function keySets(path: string): { skEi: string; skEr: string }[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const dumps: Record<string, string[]> = { 'Sk_ei secret': [], 'Sk_er secret': [] };
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\d+)\[\w+\] (Sk_e[ir] secret) => (\d+) bytes @/.exec(lines[i]!);
    if (!head) continue;
    const size = Number(head[3]);
    let hex = '';
    for (let j = i + 1; j < lines.length && hex.length < size * 2; j++) {
      if (!lines[j]!.startsWith(`${head[1]}[`)) continue;
      const row = /^\d+\[\w+\]\s+\d+: (.{1,48})/.exec(lines[j]!);
      if (!row) break;
      hex += row[1]!.split(' ').filter((t) => /^[0-9A-F]{2}$/.test(t)).join('');
    }
    dumps[head[2]!]!.push(hex.toLowerCase());
  }
  return dumps['Sk_ei secret']!.map((skEi, k) => ({ skEi, skEr: dumps['Sk_er secret']![k] ?? '' }));
}

const summaries = readFileSync(logPath, 'utf8')
  .split('\n')
  .map((l) => /(generating|parsed) (\S+ (?:request|response) \d+ \[.*\])/.exec(l))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => `${m[1]} ${m[2]}`);

process.stdout.write(
  `${JSON.stringify(
    {
      source: 'strongSwan 5.9.8 charon pair in two network namespaces, see make-exchanges-capture.sh',
      proposal: 'aes256gcm16-prfsha256-x25519',
      datagrams: readPcap(pcapPath),
      keySets: keySets(logPath),
      initiatorSummaries: summaries,
    },
    null,
    2,
  )}\n`,
);
