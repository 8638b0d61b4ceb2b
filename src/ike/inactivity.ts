// inactivity= (strongSwan): a CHILD SA that neither sent nor received a
// packet for that long is closed with a Delete to the peer, and an IKE SA
// left without CHILD SAs that way is closed too. Every `inactivity`
// seconds the kernel's packet counters of each installed CHILD SA (both
// directions) are compared with the last look; a rekeyed CHILD SA is a new
// one and starts a fresh count. Pure: the IKE SA reads the counters and acts.

import type { ChildSa } from './child-sa.js';

/** What each CHILD SA had counted at the last look, by CHILD SA id. */
export type InactivityMarks = Map<number, number>;

/**
 * The CHILD SAs idle since the last look (same total as then), given this
 * look's totals; `marks` becomes this look. A CHILD SA seen for the first
 * time, or whose counters could not be read, is not idle yet.
 */
export function idleChildren(children: readonly ChildSa[], totals: ReadonlyMap<number, number | undefined>, marks: InactivityMarks): ChildSa[] {
  const idle: ChildSa[] = [];
  const seen = new Set<number>();
  for (const child of children) {
    if (!child.state.is('INSTALLED')) continue;
    const total = totals.get(child.id);
    if (total === undefined) continue;
    seen.add(child.id);
    if (marks.get(child.id) === total && !child.rekey.ours && !child.rekey.theirs) idle.push(child);
    marks.set(child.id, total);
  }
  for (const id of [...marks.keys()]) if (!seen.has(id)) marks.delete(id);
  return idle;
}
