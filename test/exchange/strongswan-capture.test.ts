// Our IKE_AUTH tasks against strongSwan's own messages (captures in
// test/vectors/capture/, with the g^ir each charon logged): as responder we
// decrypt strongSwan's IKE_AUTH request, pick the conn and verify its PSK
// AUTH; as initiator we verify the AUTH in its IKE_AUTH response and read
// its CHILD SA refusal. Also our IKE_SA_INIT answer to its request.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CredentialStore } from '../../src/ike/credentials.js';
import { newIkeSaData, type IkeSaData } from '../../src/ike/ike-sa-data.js';
import { ikeSaStateMachine } from '../../src/ike/ike-sa-state.js';
import { keyIkeSa } from '../../src/ike/ike-keys.js';
import { parseIdentity } from '../../src/ike/identity.js';
import { openMessage } from '../../src/ike/protection.js';
import { defaultRetransmitPolicy } from '../../src/ike/retransmit-policy.js';
import { answerInit } from '../../src/ike/tasks/ike-init.js';
import { isPrepared, prepareAuth, processAuthResponse } from '../../src/ike/tasks/ike-auth.js';
import type { TaskEnv } from '../../src/ike/tasks/task.js';
import { proposalsFromWire } from '../../src/ike/wire-adapt.js';
import { decodeMessage, findPayload, PayloadType } from '../../src/wire/index.js';
import { conn, ESP_GCM } from '../ike/fixtures.js';

interface Capture {
  name: string;
  auth: string;
  psk?: string;
  initiator: { address: string; id: string };
  responder: { address: string; id: string };
  datagrams: { hex: string }[];
  responderLog: { sharedSecret: string; skD: string };
}

const dir = join(dirname(fileURLToPath(import.meta.url)), '../vectors/capture');
const captures: Capture[] = readdirSync(dir)
  .filter((f) => f.startsWith('psk-') && f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Capture);

function setup(c: Capture, initiator: boolean) {
  const [req, res, authReq, authRes] = c.datagrams.map((d) => Buffer.from(d.hex, 'hex')) as [Buffer, Buffer, Buffer, Buffer];
  const init = decodeMessage(req);
  const resp = decodeMessage(res);
  if (!init.ok || !resp.ok) throw new Error('capture does not decode');
  const proposal = proposalsFromWire(findPayload(resp.value.payloads, PayloadType.SA)!.proposals)[0]!;
  const me = initiator ? c.initiator : c.responder;
  const peer = initiator ? c.responder : c.initiator;
  const theConn = conn({
    name: 'interop',
    localAddress: me.address,
    remoteAddress: peer.address,
    localId: parseIdentity(`@${me.id}`),
    remoteId: parseIdentity(`@${peer.id}`),
    ikeProposals: [{ ...proposal, number: 1 }],
    childProposals: [ESP_GCM],
  });
  const sa: IkeSaData = newIkeSaData({
    id: 1,
    initiator,
    state: ikeSaStateMachine(),
    spiI: Buffer.from(init.value.header.spiI),
    spiR: Buffer.from(resp.value.header.spiR),
    local: { address: me.address, port: 500 },
    remote: { address: peer.address, port: 500 },
    retransmit: defaultRetransmitPolicy,
    conn: theConn,
  });
  sa.nonceI = Buffer.from(findPayload(init.value.payloads, PayloadType.NONCE)!.data);
  sa.nonceR = Buffer.from(findPayload(resp.value.payloads, PayloadType.NONCE)!.data);
  sa.initRequest = req;
  sa.initResponse = res;
  sa.ikeProposal = proposal;
  expect(keyIkeSa(sa, proposal, Buffer.from(c.responderLog.sharedSecret, 'hex'))).toBeUndefined();
  expect(sa.keys!.skD.toString('hex')).toBe(c.responderLog.skD);
  let child = 1;
  const env: TaskEnv = {
    random: (n) => Buffer.alloc(n, 7),
    conns: () => [theConn],
    psk: () => Buffer.from(c.psk!, 'utf8'),
    allowWeakGroups: false,
    credentials: () => CredentialStore.fromMaterial([], []),
    now: () => new Date(),
    nextChildId: () => child++,
    reqidFor: () => 0x4e530001,
  };
  return { sa, env, req, authReq, authRes, theConn };
}

describe.each(captures.map((c) => [c.name, c] as const))('strongSwan capture %s', (_name, c) => {
  it('responder: decrypts strongSwan IKE_AUTH, picks the conn by ID and verifies its PSK AUTH', () => {
    const { sa, env, authReq } = setup(c, false);
    sa.state.to('INIT_ANSWERED');
    const opened = openMessage(authReq, sa.skIn);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const prepared = prepareAuth(sa, env, 1, opened.payloads);
    expect(isPrepared(prepared) ? undefined : prepared.failed).toBeUndefined();
    expect(isPrepared(prepared) && prepared.conn.name).toBe('interop');
    expect(isPrepared(prepared) && prepared.wantsChild).toBe(true);
  });

  it('initiator: verifies strongSwan AUTH and reads its CHILD SA refusal', () => {
    const { sa, env, authRes } = setup(c, true);
    sa.state.to('INIT_SENT');
    sa.state.to('AUTH_SENT');
    sa.localId = parseIdentity(`@${c.initiator.id}`);
    sa.pendingChild = { childId: 1, spiIn: 0xc0000001, proposals: [ESP_GCM], localTs: [], remoteTs: [], mode: 'tunnel' };
    const opened = openMessage(authRes, sa.skIn);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    const result = processAuthResponse(sa, env, opened.payloads);
    expect(result.failed).toBeUndefined();
    expect(sa.state.state).toBe('ESTABLISHED');
    const refusal = result.effects.find((e) => e.kind === 'emit' && e.event.type === 'child-failed');
    expect(refusal && refusal.kind === 'emit' && refusal.event.type === 'child-failed' && refusal.event.code).toBe('NO_PROPOSAL_CHOSEN');
  });

  it('responder: answers strongSwan IKE_SA_INIT with its proposal and our own KE', () => {
    const { env, req, theConn } = setup(c, false);
    const decoded = decodeMessage(req);
    if (!decoded.ok) throw new Error('no decode');
    const fresh = newIkeSaData({
      id: 2,
      initiator: false,
      state: ikeSaStateMachine(),
      spiI: Buffer.from(decoded.value.header.spiI),
      spiR: Buffer.alloc(8, 9),
      local: { address: c.responder.address, port: 500 },
      remote: { address: c.initiator.address, port: 500 },
      retransmit: defaultRetransmitPolicy,
    });
    const result = answerInit(fresh, decoded.value, req, env);
    expect(result.failed).toBeUndefined();
    expect(fresh.conn).toBe(theConn);
    expect(fresh.natLocal || fresh.natRemote).toBe(false);
    expect(fresh.peerSignatureHashes?.length).toBeGreaterThan(0);
    const send = result.effects.find((e) => e.kind === 'send-response');
    expect(send && send.kind === 'send-response' && decodeMessage(send.datagrams[0]!).ok).toBe(true);
  });
});
