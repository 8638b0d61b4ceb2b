// Sends a list of datagrams from inside a namespace to one address and port
// and reports every datagram that comes back (hex), as JSON on stdout. Run
// with `ip netns exec NS node --import tsx udp-blaster.ts JOB.json`. The
// datagrams go in batches, each followed by a sentinel whose answer is
// known (`sentinelAnswer`, e.g. a replayed request the daemon answers from
// its cache): the next batch leaves when that answer arrived, which paces
// the sender to the daemon's speed (no socket buffer overflow) and lets
// the caller wait on an event instead of a guessed delay.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';

interface Job {
  address: string;
  port: number;
  datagrams: string[];
  sentinel: string;
  sentinelAnswer: string;
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Job;
const socket = createSocket('udp4');
const answers: string[] = [];
const batch = 32;
let waiting: (() => void) | undefined;
const guard = setTimeout(() => {
  process.stdout.write(JSON.stringify({ sent: job.datagrams.length, answers, sentinelAnswered: false }));
  process.exit(2);
}, 120_000);

socket.on('message', (msg) => {
  const hex = msg.toString('hex');
  if (waiting && hex === job.sentinelAnswer) {
    const done = waiting;
    waiting = undefined;
    done();
    return;
  }
  answers.push(hex);
});

const send = (hex: string) =>
  new Promise<void>((resolve, reject) => socket.send(Buffer.from(hex, 'hex'), job.port, job.address, (err) => (err ? reject(err) : resolve())));

socket.bind(0, async () => {
  let sentinels = 0;
  for (let i = 0; i < job.datagrams.length; i += batch) {
    for (const d of job.datagrams.slice(i, i + batch)) await send(d);
    const answered = new Promise<void>((resolve) => (waiting = resolve));
    await send(job.sentinel);
    sentinels++;
    await answered;
  }
  clearTimeout(guard);
  process.stdout.write(JSON.stringify({ sent: job.datagrams.length, sentinels, answers, sentinelAnswered: true }));
  socket.close();
});
