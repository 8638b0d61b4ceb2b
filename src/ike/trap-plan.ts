// The trap policies of a conn (auto=route, `ipsec route`, dpdaction=hold,
// closeaction=hold): the same in/fwd/out policies a CHILD SA of the conn
// would get with the conn's own traffic selectors, but with no SA behind
// them. An outbound packet that matches the out policy finds no SA for the
// template's reqid, so the kernel holds it back and sends an ACQUIRE; inbound
// cleartext that matches the in policy is dropped. Pure.
//
// Because a CHILD SA negotiated with the conn's full selectors gets exactly
// these policies (same direction, selector, owner mark), the kernel has only
// one policy per selector: the CHILD SA's install replaces the trap and its
// removal puts the trap back (executor.ts asks the TrapTable). Narrowed
// CHILD SAs get more specific policies that sit in front of the trap.

import type { PolicySpec } from '../kernel/backend.js';
import type { IkeConn } from './conn.js';
import { localTsOf, remoteTsOf } from './conn-lookup.js';
import { policySpecs } from './kernel-plan.js';
import { childProtocolOf } from './rekey/child-exchange.js';

/** The conn's trap policies with `local` standing for left=%any. */
export function trapPolicies(conn: IkeConn, reqid: number, local: string): PolicySpec[] {
  return policySpecs({
    protocol: childProtocolOf(conn),
    mode: conn.mode,
    reqid,
    localAddress: local,
    remoteAddress: conn.remoteAddress,
    localTs: localTsOf(conn, local),
    remoteTs: remoteTsOf(conn, conn.remoteAddress),
    // As for the CHILD SA (child-create.ts): a gateway forwards for its subnets.
    forward: conn.mode === 'tunnel' && conn.localTs.length > 0,
    ...(conn.tags ? { tags: conn.tags } : {}),
  });
}
