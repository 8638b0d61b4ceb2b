// What to do when an IKE SA is established while another one of the same
// conn between the same two identities exists (config setup uniqueids=,
// and both ends initiating the same conn at once). Pure: the engine
// applies the decision.
//
//  - Opposite roles (we initiated one, the peer the other): both ends ran
//    `ipsec up` (or auto=start) at about the same time. Both ends hold the
//    same two SAs, so both apply one rule and reach the same answer: the
//    SA holding the lowest of the four IKE SPIs (compared as unsigned
//    64-bit numbers) is redundant and is deleted by the end that initiated
//    it; the other end waits for that Delete. This holds for every
//    uniqueids value: the duplicate is an accident of timing, not a second
//    client.
//  - Same role (the peer, or we, started a second IKE SA while the first
//    was up): uniqueids=yes|replace deletes the older one (with a Delete
//    to the peer), keep deletes the new one, no|never keep both. When the
//    new SA comes from the old one's address it may be a make-before-break
//    reauthentication, whose initiator deletes the old SA once its new
//    CHILD SA is in: yes|replace then wait a grace period before deleting
//    the old SA, keep lets it be.
//
// A reauthentication's successor is not a duplicate of the SA it replaces
// (`related` says which pairs to skip).

import { formatIdentity } from './identity.js';
import type { IkeSaData } from './ike-sa-data.js';

export type UniqueIds = 'yes' | 'no' | 'never' | 'replace' | 'keep';

export interface UniquenessDecision {
  /** IKE SAs we delete (with a Delete to the peer). */
  delete: IkeSaData[];
  /**
   * IKE SAs we delete only if they are still there after a grace period:
   * the new SA came from the old one's address, most likely a
   * make-before-break reauthentication whose initiator deletes the old SA
   * itself once the new CHILD SA is in on its side too.
   */
  deleteLater: IkeSaData[];
  /** Why, one line each, for the log. */
  reasons: string[];
}

/** Same conn, same two identities, both established. */
export function duplicatesOf(sa: IkeSaData, others: readonly IkeSaData[]): IkeSaData[] {
  const name = sa.conn?.name;
  if (!name || !sa.peerId || !sa.localId) return [];
  const peer = formatIdentity(sa.peerId);
  const local = formatIdentity(sa.localId);
  return others.filter(
    (o) =>
      o !== sa &&
      o.conn?.name === name &&
      o.state.is('ESTABLISHED') &&
      o.peerId !== undefined &&
      o.localId !== undefined &&
      formatIdentity(o.peerId) === peer &&
      formatIdentity(o.localId) === local,
  );
}

/** The SA of the two that holds the lowest IKE SPI (the redundant one of a simultaneous initiation). */
export function redundantOfPair(a: IkeSaData, b: IkeSaData): IkeSaData {
  const lowest = (sa: IkeSaData) => (Buffer.compare(sa.spiI, sa.spiR) <= 0 ? sa.spiI : sa.spiR);
  return Buffer.compare(lowest(a), lowest(b)) <= 0 ? a : b;
}

/** `fresh` was just established: which SAs go. */
export function decideUniqueness(fresh: IkeSaData, others: readonly IkeSaData[], policy: UniqueIds): UniquenessDecision {
  const decision: UniquenessDecision = { delete: [], deleteLater: [], reasons: [] };
  const peer = fresh.peerId ? formatIdentity(fresh.peerId) : '?';
  for (const old of duplicatesOf(fresh, others)) {
    if (old.initiator !== fresh.initiator) {
      const redundant = redundantOfPair(old, fresh);
      const spi = (sa: IkeSaData) => `${sa.spiI.toString('hex')}_i ${sa.spiR.toString('hex')}_r`;
      if (redundant.initiator) {
        decision.delete.push(redundant);
        decision.reasons.push(`both ends initiated conn '${fresh.conn?.name}': deleting our IKE SA ${spi(redundant)} (it holds the lowest SPI), keeping ${spi(redundant === old ? fresh : old)}`);
      } else {
        decision.reasons.push(`both ends initiated conn '${fresh.conn?.name}': the peer deletes its IKE SA ${spi(redundant)} (it holds the lowest SPI)`);
      }
      continue;
    }
    if (policy === 'no' || policy === 'never') continue;
    const sameHost = old.remote.address === fresh.remote.address;
    if (policy === 'keep') {
      if (sameHost) continue; // a reauthentication: its initiator deletes the old SA
      decision.delete.push(fresh);
      decision.reasons.push(`uniqueids=keep: conn '${fresh.conn?.name}' already has an IKE SA with '${peer}'; deleting the new one`);
      return decision;
    }
    if (sameHost) {
      decision.deleteLater.push(old);
      decision.reasons.push(`uniqueids=${policy}: a new IKE SA of conn '${fresh.conn?.name}' with '${peer}' from the same address (a reauthentication?): the older one goes if the peer does not delete it`);
      continue;
    }
    decision.delete.push(old);
    decision.reasons.push(`uniqueids=${policy}: a new IKE SA of conn '${fresh.conn?.name}' with '${peer}' replaces the older one`);
  }
  return decision;
}
