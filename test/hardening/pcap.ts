// The UDP payloads of a classic pcap file (Ethernet link type, IPv4), in
// capture order: enough to take a daemon's own IKE datagrams off the wire.
export interface UdpPacket {
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  payload: Buffer;
}

export function udpPayloads(file: Buffer): UdpPacket[] {
  const magic = file.readUInt32LE(0);
  if (magic !== 0xa1b2c3d4) throw new Error(`not a little-endian microsecond pcap (magic ${magic.toString(16)})`);
  const linkType = file.readUInt32LE(20);
  if (linkType !== 1) throw new Error(`pcap link type ${linkType}, expected Ethernet (1)`);
  const out: UdpPacket[] = [];
  for (let at = 24; at + 16 <= file.length; ) {
    const caplen = file.readUInt32LE(at + 8);
    const frame = file.subarray(at + 16, at + 16 + caplen);
    at += 16 + caplen;
    if (frame.length < 14 + 20 || frame.readUInt16BE(12) !== 0x0800) continue;
    const ip = frame.subarray(14);
    const ihl = (ip[0]! & 0x0f) * 4;
    if (ip[9] !== 17) continue;
    const udp = ip.subarray(ihl);
    const ipv4 = (o: number) => [...ip.subarray(o, o + 4)].join('.');
    out.push({
      src: ipv4(12),
      dst: ipv4(16),
      srcPort: udp.readUInt16BE(0),
      dstPort: udp.readUInt16BE(2),
      payload: Buffer.from(udp.subarray(8, udp.readUInt16BE(4))),
    });
  }
  return out;
}
