// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with
// the most self time, as "share  ms  function  file:line".
//   node --import tsx bench/handshakes/profile-summary.ts FILE.cpuprofile [TOP]

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  ms: number;
  share: number;
}

export function selfTimes(profile: CpuProfile): SelfTime[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, SelfTime>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    all += dt;
    const f = node.callFrame;
    const file = f.url.replace(/^file:\/\//, '').replace(/^.*\/(src|bench|node_modules)\//, '$1/');
    const where = file ? `${file}:${f.lineNumber + 1}` : '';
    const name = f.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const entry = totals.get(key) ?? { name, where, ms: 0, share: 0 };
    entry.ms += dt;
    totals.set(key, entry);
  });
  const list = [...totals.values()].sort((a, b) => b.ms - a.ms);
  for (const e of list) e.share = all > 0 ? e.ms / all : 0;
  return list;
}

export function formatSelfTimes(list: SelfTime[], top: number, skipIdle = true): string {
  const shown = list.filter((e) => !skipIdle || (e.name !== '(idle)' && e.name !== '(program)')).slice(0, top);
  return shown.map((e) => `${(e.share * 100).toFixed(1).padStart(5)}%  ${e.ms.toFixed(0).padStart(6)} ms  ${e.name}  ${e.where}`).join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [TOP]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  process.stdout.write(`${formatSelfTimes(selfTimes(profile), Number(process.argv[3] ?? 25), false)}\n`);
}
