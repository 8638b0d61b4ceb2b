// Proposal selection (RFC 7296 §2.7, §3.3.6). The responder picks ONE of
// the offered proposals and, inside it, one transform of each type. Our
// configured order decides (the admin's `ike=`/`esp=` list is a preference
// order); the peer's order breaks ties within one configured proposal.
//
// Transform types required per protocol: IKE needs ENCR, PRF, KE and INTEG
// unless the cipher is AEAD; ESP needs ENCR, INTEG unless AEAD, and ESN
// (a missing ESN transform is read as NO_ESN, which peers commonly omit);
// AH needs INTEG and ESN. A KE transform in the first CHILD SA's proposal
// (IKE_AUTH) is ignored: no key exchange happens there (§1.2).

import { ESN, TransformType } from '../wire/iana/transforms.js';
import { isAead, sameTransform, type Proposal, type Transform } from './proposal.js';

export interface SelectOptions {
  /** Drop KE transforms from both sides (CHILD SA created within IKE_AUTH). */
  ignoreKe?: boolean;
}

export type Selection =
  | { ok: true; proposal: Proposal }
  | { ok: false; missing: TransformType[] };

function requiredTypes(p: Proposal, encr: Transform | undefined, ignoreKe: boolean): TransformType[] {
  const aead = encr !== undefined && isAead(encr.id);
  switch (p.protocol) {
    case 'ike':
      return aead
        ? [TransformType.ENCR, TransformType.PRF, TransformType.KE]
        : [TransformType.ENCR, TransformType.PRF, TransformType.INTEG, TransformType.KE];
    case 'esp': {
      const types: TransformType[] = aead ? [TransformType.ENCR] : [TransformType.ENCR, TransformType.INTEG];
      types.push(TransformType.ESN);
      if (!ignoreKe) types.push(TransformType.KE);
      return types;
    }
    case 'ah':
      return ignoreKe ? [TransformType.INTEG, TransformType.ESN] : [TransformType.INTEG, TransformType.ESN, TransformType.KE];
  }
}

function withImplicitDefaults(p: Proposal, ignoreKe: boolean): Transform[] {
  let ts = p.transforms;
  if (ignoreKe) ts = ts.filter((t) => t.type !== TransformType.KE);
  if (p.protocol !== 'ike' && !ts.some((t) => t.type === TransformType.ESN)) {
    ts = [...ts, { type: TransformType.ESN, id: ESN.NO_ESN }];
  }
  // KE NONE is how a CHILD SA proposal says "no PFS"; treat absence the same.
  if (p.protocol !== 'ike' && !ts.some((t) => t.type === TransformType.KE)) {
    ts = [...ts, { type: TransformType.KE, id: 0 }];
  }
  // INTEG NONE next to an AEAD cipher is the same as no INTEG transform.
  return ts.filter((t) => !(t.type === TransformType.INTEG && t.id === 0));
}

/** Try one configured proposal against one offered proposal. */
export function matchProposal(configured: Proposal, offered: Proposal, opts: SelectOptions = {}): Selection {
  if (configured.protocol !== offered.protocol) return { ok: false, missing: [] };
  const ignoreKe = opts.ignoreKe ?? false;
  const ours = withImplicitDefaults(configured, ignoreKe);
  const theirs = withImplicitDefaults(offered, ignoreKe);
  const pick = (type: TransformType): Transform | undefined =>
    ours.filter((t) => t.type === type).find((o) => theirs.some((t) => sameTransform(o, t)));

  const encr = pick(TransformType.ENCR);
  const types = requiredTypes(configured, encr ?? ours.find((t) => t.type === TransformType.ENCR), ignoreKe);
  const chosen: Transform[] = [];
  const missing: TransformType[] = [];
  for (const type of types) {
    const t = pick(type);
    if (t) chosen.push(t);
    else missing.push(type);
  }
  if (missing.length > 0) return { ok: false, missing };
  return {
    ok: true,
    proposal: {
      number: offered.number,
      protocol: offered.protocol,
      spi: offered.spi,
      transforms: chosen.filter((t) => !(t.type === TransformType.KE && t.id === 0 && configured.protocol !== 'ike')),
    },
  };
}

export interface SelectResult {
  selected?: Proposal;
  /** For the explanation: the transform types no configured proposal had in common. */
  closestMissing: TransformType[];
}

/** Responder side: our configured list against the peer's offer. */
export function selectProposal(configured: readonly Proposal[], offered: readonly Proposal[], opts: SelectOptions = {}): SelectResult {
  let closestMissing: TransformType[] | undefined;
  for (const ours of configured) {
    for (const theirs of offered) {
      const m = matchProposal(ours, theirs, opts);
      if (m.ok) return { selected: m.proposal, closestMissing: [] };
      if (m.missing.length > 0 && (closestMissing === undefined || m.missing.length < closestMissing.length)) {
        closestMissing = m.missing;
      }
    }
  }
  return { closestMissing: closestMissing ?? [] };
}

/**
 * Initiator side: the responder's choice must be one transform of each type
 * taken from one of the proposals we sent (RFC 7296 §2.7).
 */
export function acceptChosen(sent: readonly Proposal[], chosen: Proposal, opts: SelectOptions = {}): Proposal | undefined {
  const ours = sent.find((p) => p.number === chosen.number && p.protocol === chosen.protocol);
  if (!ours) return undefined;
  const byType = new Map<number, number>();
  for (const t of chosen.transforms) byType.set(t.type, (byType.get(t.type) ?? 0) + 1);
  if ([...byType.values()].some((n) => n > 1)) return undefined;
  const m = matchProposal(ours, chosen, opts);
  return m.ok ? m.proposal : undefined;
}
