// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with
// the most self time, and self time per area (src/ike, src/crypto,
// node:crypto, GC, ...). Functions in the esbuild bundle of the `ipsec`
// command are named by their source file: esbuild marks each module's code
// with a `// src/...ts` line, so the last marker above a line names it.
//   node --import tsx bench/handshakes/profile-summary.ts FILE.cpuprofile [TOP]
//
// The profiler samples wall time: while the process waits for a CPU (a
// busy machine) the time goes to whatever function was running. Shares
// stay meaningful; absolute milliseconds are only as good as the machine
// was quiet.

import { existsSync, readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  /** Source file (and line when known), or '' for V8's own entries. */
  where: string;
  area: string;
  ms: number;
  share: number;
}

/** Maps a line of a bundled chunk to the source file esbuild took it from. */
function bundleSourceMapper(): (path: string, line: number) => string | undefined {
  const markers = new Map<string, Array<{ line: number; file: string }>>();
  return (path, line) => {
    let list = markers.get(path);
    if (!list) {
      list = [];
      if (existsSync(path)) {
        readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
          const m = /^\/\/ ((?:src|node_modules)\/\S+\.[cm]?[jt]s)$/.exec(text);
          if (m) list!.push({ line: i, file: m[1]! });
        });
      }
      markers.set(path, list);
    }
    let found: string | undefined;
    for (const m of list) {
      if (m.line > line) break;
      found = m.file;
    }
    return found;
  };
}

function areaOf(name: string, file: string): string {
  if (name === '(garbage collector)') return 'garbage collector';
  if (name === '(idle)' || name === '(program)') return name;
  if (file.startsWith('node:internal/crypto') || /^(Hmac|Hash|Cipheriv|Decipheriv|diffieHellman|generateKeyPairSync|randomFillSync|createCipherBase)$/.test(name)) return 'node:crypto';
  if (file.startsWith('node:dgram') || file.startsWith('node:net') || name === 'doSend' || name === 'send') return file.startsWith('src/') ? file.split('/').slice(0, 2).join('/') : 'node:dgram (sendto)';
  if (file.startsWith('node:')) return 'node: other';
  const m = /^(src\/kernel\/memory|src\/kernel\/xfrm|src\/[^/]+)/.exec(file);
  if (m) return m[1]!;
  if (file === '') return 'native (no JS frame)';
  return 'other';
}

export function selfTimes(profile: CpuProfile): SelfTime[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
  const mapBundle = bundleSourceMapper();
  const totals = new Map<string, SelfTime>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const node = byNode.get(id);
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    if (!node) return;
    all += dt;
    const f = node.callFrame;
    let file = f.url.replace(/^file:\/\//, '');
    if (file.endsWith('.mjs') && file.includes('/nodeswan-cli-')) file = mapBundle(file, f.lineNumber) ?? file;
    else file = file.replace(/^.*?\/(src|bench|node_modules)\//, '$1/');
    const name = (f.functionName || '(anonymous)').replace(/^(.{60}).+$/, '$1...');
    const key = `${name}@${file}`;
    const entry = totals.get(key) ?? { name, where: file, area: areaOf(name, file), ms: 0, share: 0 };
    entry.ms += dt;
    totals.set(key, entry);
  });
  const list = [...totals.values()].sort((a, b) => b.ms - a.ms);
  for (const e of list) e.share = all > 0 ? e.ms / all : 0;
  return list;
}

/** Shares of busy time (idle left out). */
function busyShare(list: SelfTime[]): (ms: number) => string {
  const busy = list.filter((e) => e.name !== '(idle)').reduce((s, e) => s + e.ms, 0);
  return (ms) => `${((ms / busy) * 100).toFixed(1).padStart(5)}%`;
}

export function formatSelfTimes(list: SelfTime[], top: number): string {
  const share = busyShare(list);
  return list
    .filter((e) => e.name !== '(idle)')
    .slice(0, top)
    .map((e) => `${share(e.ms)}  ${e.name}  ${e.where}`)
    .join('\n');
}

export function formatAreas(list: SelfTime[]): string {
  const share = busyShare(list);
  const areas = new Map<string, number>();
  for (const e of list) if (e.name !== '(idle)') areas.set(e.area, (areas.get(e.area) ?? 0) + e.ms);
  return [...areas.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([area, ms]) => `${share(ms)}  ${area}`)
    .join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile [TOP]');
  const list = selfTimes(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile);
  process.stdout.write(`share of busy time by area:\n${formatAreas(list)}\n\ntop functions by self time:\n${formatSelfTimes(list, Number(process.argv[3] ?? 30))}\n`);
}
