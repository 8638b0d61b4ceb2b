// No secret reaches a log or the command output (issue 8, item 5). Two
// daemons in namespaces on this host, at the most verbose log levels, with a
// PSK conn and a certificate conn (ECDSA and RSA keys from the PKI library);
// after up, status, statusall, reload and down in both, every log file and
// every command's output is searched for the PSK (text and hex) and for the
// private keys (PEM body, DER in hex and base64, and a 16-octet window of
// the DER from its middle).
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeswanDaemon } from '../lab/nodeswan.js';
import { createLabPki, type LabPki } from '../interop/support/pki.js';
import { createHostPair, type HostPair } from './host-pair.js';

const psk = 'log hygiene pre-shared key 9vQmT2';

function needles(pki: LabPki): Map<string, string> {
  const out = new Map<string, string>([
    ['psk', psk],
    ['psk hex', Buffer.from(psk).toString('hex')],
    ['psk base64', Buffer.from(psk).toString('base64')],
  ]);
  for (const [who, pem] of [['left', pki.left.key], ['right', pki.right.key]] as const) {
    const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
    const body = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    out.set(`${who} key PEM line`, body[1] ?? body[0]!);
    out.set(`${who} key DER hex window`, der.subarray(der.length >> 1, (der.length >> 1) + 16).toString('hex'));
    out.set(`${who} key DER base64`, der.toString('base64').slice(8, 40));
  }
  return out;
}

describe('secrets never reach logs or output', () => {
  let pair: HostPair;
  let left: NodeswanDaemon;
  let right: NodeswanDaemon;
  let pki: LabPki;

  beforeAll(async () => {
    pair = await createHostPair();
    pki = await createLabPki({ left: 'left.example.org', right: 'right.example.org', leftAddress: pair.left.outer4, rightAddress: pair.right.outer4 });
    const conf = (me: 'left' | 'right') => {
      const [l, r] = me === 'left' ? [pair.left, pair.right] : [pair.right, pair.left];
      return `config setup
    charondebug="dmn 4, mgr 4, ike 4, chd 4, cfg 4, knl 4, net 4, enc 4, lib 4"

conn psk
    type=transport
    authby=secret
    left=${l.outer4}
    right=${r.outer4}
    auto=add

conn certs
    type=transport
    left=${l.outer4}
    leftcert=${me}.pem
    leftsendcert=always
    leftid=@${me}.example.org
    right=${r.outer4}
    rightid=@${me === 'left' ? 'right' : 'left'}.example.org
    auto=add
`;
    };
    const secrets = (me: 'left' | 'right') =>
      `${pair.left.outer4} ${pair.right.outer4} : PSK "${psk}"\n: ${me === 'left' ? 'ECDSA' : 'RSA'} ${me}.pem\n`;
    const files = (me: 'left' | 'right') => ({
      'cacerts/lab-ca.pem': pki.ca.cert,
      [`certs/${me}.pem`]: pki[me].cert,
      [`private/${me}.pem`]: pki[me].key,
    });
    const start = (me: 'left' | 'right') =>
      NodeswanDaemon.start(pair[me].ns, { conf: conf(me), secrets: secrets(me), files: files(me) }, { name: `logs-${me}` });
    [left, right] = await Promise.all([start('left'), start('right')]);
    pair.onDestroy(() => left.destroy());
    pair.onDestroy(() => right.destroy());
  }, 120_000);
  afterAll(async () => {
    await pair?.destroy();
  });

  it('PSK and private keys appear in no log line and no command output', async () => {
    const outputs: string[] = [];
    for (const conn of ['psk', 'certs']) {
      const up = await left.ipsec(['up', conn]);
      outputs.push(up.stdout, up.stderr);
      // Each IKE SA came up (the CHILD SA needs ESP, which this host's kernel lacks).
      expect(left.log(), up.stdout + up.stderr + right.log()).toMatch(new RegExp(`IKE SA '${conn}' established`));
    }
    for (const daemon of [left, right]) {
      for (const args of [['status'], ['statusall'], ['status', '--json'], ['reload'], ['listall'], ['show-config'], ['check']]) {
        const r = await daemon.ipsec(args);
        outputs.push(r.stdout, r.stderr);
      }
    }
    for (const conn of ['psk', 'certs']) {
      const down = await left.ipsec(['down', conn]);
      outputs.push(down.stdout, down.stderr);
    }
    const logs = [left.log(), right.log()];
    expect(logs.join('').length).toBeGreaterThan(2000);
    const leaks: string[] = [];
    for (const [name, needle] of needles(pki)) {
      logs.forEach((text, i) => text.includes(needle) && leaks.push(`${name} in ${i ? 'right' : 'left'} log`));
      if (outputs.some((o) => o.includes(needle))) leaks.push(`${name} in command output`);
    }
    expect(leaks).toEqual([]);
    // Control: the same search finds the needles where they do belong.
    const secretsText = readFileSync(left.paths.secrets, 'utf8') + readFileSync(join(left.paths.ipsecdir, 'private', 'left.pem'), 'utf8');
    expect(secretsText).toContain(psk);
    expect(secretsText).toContain(needles(pki).get('left key PEM line'));
  }, 180_000);
});
