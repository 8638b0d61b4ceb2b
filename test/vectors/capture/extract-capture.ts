// Turns one strongSwan capture (pcap + the two charon filelogs written by
// make-capture.sh) into the JSON vector file stored next to this script:
//   node --import tsx extract-capture.ts <name> <proposal> <psk> <pcap> <left.log> <right.log>
// Datagrams are the UDP payloads in capture order (the non-ESP marker of
// port 4500 removed). Keys are the hex dumps charon logs at `ike 4`.

import { existsSync, readFileSync } from 'node:fs';

const [name, proposal, psk, pcapPath, leftLog, rightLog] = process.argv.slice(2) as [string, string, string, string, string, string];

interface Datagram {
  from: string;
  to: string;
  fromPort: number;
  toPort: number;
  hex: string;
}

const esp: Datagram[] = [];

/** IKE datagrams in capture order; UDP-encapsulated ESP goes to `esp`. */
function readPcap(path: string): Datagram[] {
  const pcap = readFileSync(path);
  const magic = pcap.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const u32 = (o: number) => (le ? pcap.readUInt32LE(o) : pcap.readUInt32BE(o));
  const linkType = u32(20);
  const linkHeader = linkType === 1 ? 14 : linkType === 113 ? 16 : linkType === 276 ? 20 : -1;
  if (linkHeader < 0) throw new Error(`unsupported pcap link type ${linkType}`);
  const out: Datagram[] = [];
  for (let offset = 24; offset + 16 <= pcap.length; ) {
    const captured = u32(offset + 8);
    const frame = pcap.subarray(offset + 16, offset + 16 + captured);
    offset += 16 + captured;
    const ip = frame.subarray(linkHeader);
    if (ip[0]! >> 4 !== 4 || ip[9] !== 17) continue; // IPv4 UDP only
    const udp = ip.subarray((ip[0]! & 0x0f) * 4);
    const fromPort = udp.readUInt16BE(0);
    const toPort = udp.readUInt16BE(2);
    let payload = udp.subarray(8, udp.readUInt16BE(4));
    if (payload.length < 4) continue; // NAT-T keepalive
    let kind: 'ike' | 'esp' = 'ike';
    if (fromPort === 4500 || toPort === 4500) {
      if (payload.readUInt32BE(0) === 0) payload = payload.subarray(4); // non-ESP marker (RFC 3948)
      else kind = 'esp';
    }
    (kind === 'esp' ? esp : out).push({ from: [...ip.subarray(12, 16)].join('.'), to: [...ip.subarray(16, 20)].join('.'), fromPort, toPort, hex: payload.toString('hex') });
  }
  return out;
}

/**
 * Every `LABEL => N bytes @ addr` hex dump in a charon log, in order. charon
 * logs from several threads at once, so the dump rows are the following lines
 * of the SAME thread (the `NN[` prefix); other threads' lines in between are skipped.
 */
function readDumps(path: string): Array<{ label: string; hex: string }> {
  const lines = readFileSync(path, 'utf8').split('\n');
  const dumps: Array<{ label: string; hex: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const head = /^(\d+)\[\w+\] (.*?) => (\d+) bytes @/.exec(lines[i]!);
    if (!head) continue;
    const thread = `${head[1]}[`;
    const size = Number(head[3]);
    let hex = '';
    for (let j = i + 1; j < lines.length && hex.length < size * 2; j++) {
      if (!lines[j]!.startsWith(thread)) continue;
      const row = /^\d+\[\w+\]\s+\d+: (.{1,48})/.exec(lines[j]!);
      if (!row) break;
      hex += row[1]!.split(' ').filter((t) => /^[0-9A-F]{2}$/.test(t)).join('');
    }
    if (hex.length !== size * 2) throw new Error(`${path}: dump "${head[2]}" at line ${i + 1} has ${hex.length / 2} of ${size} bytes`);
    dumps.push({ label: head[2]!, hex: hex.toLowerCase() });
  }
  return dumps;
}

const KEY_LABELS: Record<string, string> = {
  'shared Diffie Hellman secret': 'sharedSecret',
  SKEYSEED: 'skeyseed',
  'Sk_d secret': 'skD',
  'Sk_ai secret': 'skAi',
  'Sk_ar secret': 'skAr',
  'Sk_ei secret': 'skEi',
  'Sk_er secret': 'skEr',
  'Sk_pi secret': 'skPi',
  'Sk_pr secret': 'skPr',
};

/**
 * Key sets in the order charon derived them: a new set starts at each
 * "shared Diffie Hellman secret" (the IKE SA, then any rekeyed IKE SA).
 */
function keysFrom(path: string) {
  const sets: Array<Record<string, string>> = [];
  const authOctets: string[] = [];
  const auth: string[] = [];
  for (const dump of readDumps(path)) {
    const key = KEY_LABELS[dump.label];
    if (key === 'sharedSecret') sets.push({});
    if (key && sets.length > 0 && !(key in sets[sets.length - 1]!)) sets[sets.length - 1]![key] = dump.hex;
    if (dump.label.startsWith('octets = message + nonce')) authOctets.push(dump.hex);
    if (dump.label.startsWith('AUTH = prf(prf(secret, keypad), octets)')) auth.push(dump.hex);
  }
  return { log: { ...sets[0], authOctets, auth }, rekeyed: sets[1], childKeys: childKeysFrom(path) };
}

const CHILD_LABELS: Record<string, string> = {
  'DH secret': 'sharedSecret',
  seed: 'seed',
  'encryption initiator key': 'encryptionInitiatorKey',
  'encryption responder key': 'encryptionResponderKey',
  'integrity initiator key': 'integrityInitiatorKey',
  'integrity responder key': 'integrityResponderKey',
};

/** CHILD SA key sets (`chd 4`): [DH secret,] seed (g^ir | Ni | Nr or Ni | Nr), then the keys. */
function childKeysFrom(path: string): Array<Record<string, string>> {
  const sets: Array<Record<string, string>> = [];
  let pendingSecret: string | undefined;
  for (const dump of readDumps(path)) {
    const key = CHILD_LABELS[dump.label];
    if (!key) continue;
    if (key === 'sharedSecret') pendingSecret = dump.hex;
    else if (key === 'seed') {
      sets.push(pendingSecret ? { sharedSecret: pendingSecret, seed: dump.hex } : { seed: dump.hex });
      pendingSecret = undefined;
    } else if (sets.length > 0) sets[sets.length - 1]![key] = dump.hex;
  }
  return sets;
}

const left = keysFrom(leftLog);
const right = keysFrom(rightLog);

const authMode = process.env.NODESWAN_AUTH_MODE ?? 'psk';
const keyDir = process.env.NODESWAN_KEYS ?? '';
const publicKey = (side: string) => {
  const path = `${keyDir}/${side}.pub`;
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
};

const capture = {
  name,
  source: 'strongSwan 5.9.8 charon (Debian 12) pair in two network namespaces, see README.md and make-capture.sh',
  proposal,
  auth: authMode,
  ...(authMode === 'psk' ? { psk } : { publicKeys: { initiator: publicKey('left'), responder: publicKey('right') } }),
  initiator: { address: '192.0.2.1', id: 'left.example.org' },
  responder: { address: '192.0.2.2', id: 'right.example.org' },
  datagrams: readPcap(pcapPath),
  initiatorLog: left.log,
  responderLog: right.log,
  ...(esp.length > 0 ? { esp, childKeys: left.childKeys } : {}),
  ...(left.rekeyed ? { rekeyedInitiatorLog: left.rekeyed, rekeyedResponderLog: right.rekeyed } : {}),
};
process.stdout.write(`${JSON.stringify(capture, null, 2)}\n`);
