// Make-before-break on the responder side of a CHILD SA rekey. The
// answering peer installs only the new inbound SA with its response: the
// initiator installs the new pair once that response arrives, and an
// outbound SA of ours used before then would carry packets the initiator
// cannot decrypt yet. Our new outbound SA goes into the kernel when the
// initiator deletes the old pair (its Delete proves it has the new one),
// right before the old pair leaves; the kernel then prefers it for the
// shared reqid.
//
// In a collision (RFC 7296 §2.8.1) the old pair also goes when we won and
// delete it ourselves: then the pair the peer made is the redundant one,
// the peer deletes it, and its outbound half never goes in.

import type { ChildSa } from '../child-sa.js';
import type { Effect } from '../effects.js';

/**
 * Effects to run before `going` leave the kernel: the outbound SA of each
 * CHILD SA that replaces one of them, where it is still held back.
 */
export function outboundHandover(children: readonly ChildSa[], going: readonly ChildSa[]): Effect[] {
  const effects: Effect[] = [];
  for (const old of going) {
    const theirs = old.rekey.theirs;
    if (!theirs) continue;
    const successor = children.find((c) => c.id === theirs.newChildId && c.outboundPending && c.state.is('INSTALLED'));
    if (!successor || going.includes(successor)) continue;
    // Our own rekey of the same SA completed and survives (collision won): the peer's pair is redundant.
    const ours = old.rekey.ours?.newChildId;
    if (ours !== undefined && children.some((c) => c.id === ours && c.state.is('INSTALLED'))) continue;
    effects.push({ kind: 'install-outbound', child: successor.params });
  }
  return effects;
}
