// When to rekey (RFC 7296 §2.8): `lifetime - rekeymargin`, made earlier by
// a random part of `rekeymargin * rekeyfuzz%` so two peers with the same
// config rarely start at the same moment. The kernel SA gets the hard
// lifetime, and its soft lifetime at the unfuzzed rekey time: a backstop
// that reaches us as a soft EXPIRE if our own timer was lost.

import type { ChildLifetime } from '../child-params.js';
import type { IkeConn } from '../conn.js';

/** strongSwan-compatible defaults (rekeymargin=9m, rekeyfuzz=100%). */
export const DEFAULT_REKEY_MARGIN_SECONDS = 9 * 60;
export const DEFAULT_REKEY_FUZZ_PERCENT = 100;

export interface RekeyTiming {
  lifetimeSeconds?: number;
  rekeyMarginSeconds?: number;
  rekeyFuzzPercent?: number;
}

/** lifebytes / marginbytes and lifepackets / marginpackets (0 or absent: no limit). */
export interface VolumeLimits {
  lifeBytes?: number;
  marginBytes?: number;
  lifePackets?: number;
  marginPackets?: number;
}

/** A uniform fraction in [0, 1) from injected random bytes (tests seed it). */
export function fraction(random: (size: number) => Buffer): number {
  return random(4).readUInt32BE(0) / 0x1_0000_0000;
}

/** The margin actually used: never more than the lifetime allows. */
function marginOf(lifetime: number, timing: RekeyTiming): number {
  const margin = timing.rekeyMarginSeconds ?? DEFAULT_REKEY_MARGIN_SECONDS;
  // A margin that eats the whole lifetime would rekey at once, forever:
  // fall back to a tenth of the lifetime.
  return margin > 0 && margin < lifetime ? margin : lifetime / 10;
}

/**
 * Kernel lifetimes for a CHILD SA. Time: soft at the latest rekey time (our
 * own fuzzed timer comes first), hard at `lifetime`. Bytes and packets: the
 * kernel's soft EXPIRE is the only trigger, so the soft limit is `life -
 * margin`, made earlier by a random part of `margin * rekeyfuzz%` (as for
 * time) so that two peers counting the same traffic do not both rekey at
 * once; the hard limit is `life`. A margin of 0 or not below the life is a
 * tenth of the life.
 */
export function kernelLifetime(conn: RekeyTiming & VolumeLimits, random: (size: number) => Buffer): ChildLifetime | undefined {
  const out: ChildLifetime = {};
  const life = conn.lifetimeSeconds;
  if (life && life > 0) Object.assign(out, { softSeconds: Math.max(1, Math.floor(life - marginOf(life, conn))), hardSeconds: life });
  const fuzz = Math.max(0, conn.rekeyFuzzPercent ?? DEFAULT_REKEY_FUZZ_PERCENT) / 100;
  const volume = (limit: number | undefined, margin: number | undefined): [number, number] | undefined => {
    if (!limit || limit <= 0) return undefined;
    const m = margin && margin > 0 && margin < limit ? margin : Math.floor(limit / 10);
    return [Math.max(1, Math.floor(limit - m - m * fuzz * fraction(random))), limit];
  };
  const bytes = volume(conn.lifeBytes, conn.marginBytes);
  if (bytes) [out.softBytes, out.hardBytes] = bytes;
  const packets = volume(conn.lifePackets, conn.marginPackets);
  if (packets) [out.softPackets, out.hardPackets] = packets;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * Milliseconds from now until we start rekeying an SA with `lifetime`
 * seconds, or undefined when it is never rekeyed by us (rekey=no or no
 * lifetime).
 */
export function rekeyDelayMs(lifetimeSeconds: number | undefined, timing: RekeyTiming, rekey: boolean, random: (size: number) => Buffer): number | undefined {
  if (!rekey || !lifetimeSeconds || lifetimeSeconds <= 0) return undefined;
  const margin = marginOf(lifetimeSeconds, timing);
  const fuzz = Math.max(0, timing.rekeyFuzzPercent ?? DEFAULT_REKEY_FUZZ_PERCENT) / 100;
  const early = margin * fuzz * fraction(random);
  return Math.max(1000, Math.round((lifetimeSeconds - margin - early) * 1000));
}

export function childRekeyDelayMs(conn: IkeConn, random: (size: number) => Buffer): number | undefined {
  return rekeyDelayMs(conn.lifetimeSeconds, conn, conn.rekey !== false, random);
}

/**
 * Milliseconds before trying again after the peer refused a rekey
 * (TEMPORARY_FAILURE while it rekeys the IKE SA, and the like): `pauseMs`
 * at most, but never so long that the SA's hard lifetime runs out first
 * (a third of what is left, at least half a second), spread by ±50% so
 * two refused peers do not meet again.
 */
export function retryDelayMs(pauseMs: number, remainingMs: number | undefined, random: (size: number) => Buffer): number {
  const base = remainingMs === undefined ? pauseMs : Math.min(pauseMs, Math.max(500, remainingMs / 3));
  return Math.round(base * (0.5 + fraction(random)));
}
