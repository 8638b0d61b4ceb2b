// Sends a list of datagrams from inside a namespace to one address and port
// and reports every datagram that comes back (hex), as JSON on stdout. Run
// with `ip netns exec NS node --import tsx udp-blaster.ts JOB.json`. The
// datagrams go in batches, each followed by a sentinel: an IKE_SA_INIT
// request the daemon must answer statelessly (e.g. with INVALID_KE_PAYLOAD),
// sent each time with a fresh initiator SPI. The next batch leaves when the
// response carrying that SPI arrived, which paces
// the sender to the daemon's speed (no socket buffer overflow) and lets
// the caller wait on an event instead of a guessed delay.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

interface Job {
  address: string;
  port: number;
  datagrams: string[];
  sentinel: string;
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Job;
const socket = createSocket('udp4');
const answers: string[] = [];
const batch = 32;
const sentinelSpi = Buffer.alloc(8);
let waiting: (() => void) | undefined;
const guard = setTimeout(() => {
  // sentinels: how many batches the daemon acknowledged before it fell silent
  process.stdout.write(JSON.stringify({ sent: job.datagrams.length, sentinels, answers, sentinelAnswered: false }));
  process.exit(2);
}, 20_000);

socket.on('message', (msg) => {
  const hex = msg.toString('hex');
  if (waiting && msg.length >= 28 && msg.subarray(0, 8).equals(sentinelSpi) && (msg[19]! & 0x20) !== 0) {
    const done = waiting;
    waiting = undefined;
    done();
    return;
  }
  answers.push(hex);
});

const send = (hex: string) =>
  new Promise<void>((resolve, reject) => socket.send(Buffer.from(hex, 'hex'), job.port, job.address, (err) => (err ? reject(err) : resolve())));

let sentinels = 0;
socket.bind(0, async () => {
  for (let i = 0; i < job.datagrams.length; i += batch) {
    for (const d of job.datagrams.slice(i, i + batch)) await send(d);
    const answered = new Promise<void>((resolve) => (waiting = resolve));
    sentinelSpi.writeUInt32BE(0x5e471e1, 0);
    sentinelSpi.writeUInt32BE(sentinels + 1, 4);
    const sentinel = Buffer.from(job.sentinel, 'hex');
    sentinelSpi.copy(sentinel, 0);
    await send(sentinel.toString('hex'));
    sentinels++;
    await answered;
  }
  clearTimeout(guard);
  process.stdout.write(JSON.stringify({ sent: job.datagrams.length, sentinels, answers, sentinelAnswered: true }));
  socket.close();
});
