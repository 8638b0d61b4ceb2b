// Stateless COOKIE for IKE_SA_INIT under load (RFC 7296 §2.6):
//   Cookie = <VersionIDofSecret> | Hash(Ni | IPi | SPIi | <secret>)
// The secret rotates: every `lifetimeMs` of the injected clock (checked
// whenever the generator is used, so no timer runs while nobody asks) or
// when rotate() is called. A cookie made with the previous secret is still
// accepted, so a cookie lives for one to two periods and exchanges in flight
// survive one rotation. Hash is SHA-256; the version is 4 octets, so a
// cookie is 36 octets (the RFC allows 1-64).

import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto';
import { fail, ok, type Result } from './errors.js';
import { ipToBytes } from './ip-bytes.js';
import { constantTimeEqual, zeroize } from './secret.js';

const SECRET_SIZE = 32;
const VERSION_SIZE = 4;

export interface CookieInput {
  /** Nonce data of the initiator's Ni payload. */
  readonly nonceI: Uint8Array;
  /** Initiator's address as seen by us (text or 4/16 octets). */
  readonly initiatorAddress: string | Uint8Array;
  /** Initiator's IKE SPI (8 octets). */
  readonly spiI: Uint8Array;
}

interface Secret {
  readonly version: number;
  readonly bytes: Buffer;
}

export interface CookieGeneratorOptions {
  randomBytes?: (size: number) => Buffer;
  initialVersion?: number;
  /** Milliseconds, monotonic (the IKE clock's now()); needed for lifetimeMs. */
  now?: () => number;
  /** A secret is current for this long, then previous for as long again; absent = only rotate() rotates. */
  lifetimeMs?: number;
  /** Told the new version after every rotation (for the log). */
  onRotate?: (version: number) => void;
}

export class CookieGenerator {
  private current: Secret;
  private previous: Secret | undefined;
  private readonly randomBytes: (size: number) => Buffer;
  private readonly now: (() => number) | undefined;
  private lifetimeMs: number | undefined;
  private readonly onRotate: ((version: number) => void) | undefined;
  /** When the current secret became current (clock ms). */
  private currentSince: number;

  constructor(options: CookieGeneratorOptions = {}) {
    this.randomBytes = options.randomBytes ?? nodeRandomBytes;
    this.now = options.now;
    this.lifetimeMs = options.lifetimeMs;
    this.onRotate = options.onRotate;
    this.currentSince = this.now?.() ?? 0;
    this.current = { version: (options.initialVersion ?? 1) >>> 0, bytes: this.randomBytes(SECRET_SIZE) };
  }

  /** The version of the secret new cookies are made with. */
  get version(): number {
    this.refresh();
    return this.current.version;
  }

  /** A new period length; the current secret's age counts against it. */
  setLifetime(lifetimeMs: number | undefined): void {
    this.refresh();
    this.lifetimeMs = lifetimeMs;
  }

  /** Starts a new secret; the one before stays valid until the next rotation. */
  rotate(): void {
    this.replace(1);
    this.currentSince = this.now?.() ?? 0;
  }

  /** The COOKIE notification data to send back to the initiator. */
  generate(input: CookieInput): Result<Buffer> {
    this.refresh();
    return this.compute(this.current, input);
  }

  /** Checks a returned COOKIE against the current or the previous secret. */
  verify(cookie: Uint8Array, input: CookieInput): Result<void> {
    this.refresh();
    if (cookie.length !== VERSION_SIZE + 32) return fail('CRYPTO_COOKIE_INVALID', `COOKIE has ${cookie.length} octets, expected ${VERSION_SIZE + 32}`);
    const version = Buffer.from(cookie.buffer, cookie.byteOffset, cookie.length).readUInt32BE(0);
    const secret = [this.current, this.previous].find((s) => s?.version === version);
    if (!secret) return fail('CRYPTO_COOKIE_INVALID', 'COOKIE made with an expired secret');
    const expected = this.compute(secret, input);
    if (!expected.ok) return expected;
    return constantTimeEqual(expected.value, cookie) ? ok(undefined) : fail('CRYPTO_COOKIE_INVALID', 'COOKIE does not match');
  }

  /** Rotates once per whole period passed since the current secret began. */
  private refresh(): void {
    if (!this.now || !this.lifetimeMs || this.lifetimeMs <= 0) return;
    const periods = Math.floor((this.now() - this.currentSince) / this.lifetimeMs);
    if (periods < 1) return;
    this.currentSince += periods * this.lifetimeMs;
    this.replace(periods);
  }

  /**
   * The version moves on by `periods`; after two or more periods idle the
   * secret before is dead too, so neither old secret survives.
   */
  private replace(periods: number): void {
    if (this.previous) zeroize(this.previous.bytes);
    if (periods >= 2) {
      zeroize(this.current.bytes);
      this.previous = undefined;
    } else {
      this.previous = this.current;
    }
    this.current = { version: (this.current.version + periods) >>> 0, bytes: this.randomBytes(SECRET_SIZE) };
    this.onRotate?.(this.current.version);
  }

  dispose(): void {
    zeroize(this.current.bytes, this.previous?.bytes);
  }

  private compute(secret: Secret, input: CookieInput): Result<Buffer> {
    const ip = typeof input.initiatorAddress === 'string' ? ipToBytes(input.initiatorAddress) : Buffer.from(input.initiatorAddress);
    if (!ip) return fail('CRYPTO_BAD_KEY', `COOKIE needs an IP address, got ${String(input.initiatorAddress)}`);
    const out = Buffer.alloc(VERSION_SIZE + 32);
    out.writeUInt32BE(secret.version, 0);
    createHash('sha256').update(input.nonceI).update(ip).update(input.spiI).update(secret.bytes).digest().copy(out, VERSION_SIZE);
    return ok(out);
  }
}
