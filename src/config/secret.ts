// A secret value (PSK, EAP/XAUTH password, key passphrase). It prints as
// `<hidden>` everywhere (String(), JSON, util.inspect, template strings) so
// it cannot leak into logs or `ipsec` output; only reveal() gives the bytes.
import { timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

const HIDDEN = '<hidden>';

export class Secret {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer | string) {
    this.#bytes = Buffer.from(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes);
  }

  /** A copy of the secret bytes, for the crypto layer only. */
  reveal(): Buffer {
    return Buffer.from(this.#bytes);
  }

  get length(): number {
    return this.#bytes.length;
  }

  /** Constant-time comparison (for equal lengths). */
  equals(other: Secret | Buffer): boolean {
    const b = other instanceof Secret ? other.#bytes : other;
    return b.length === this.#bytes.length && timingSafeEqual(b, this.#bytes);
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [inspect.custom](): string {
    return HIDDEN;
  }

  [Symbol.toPrimitive](): string {
    return HIDDEN;
  }
}
