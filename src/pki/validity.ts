// Validity periods. Certificates start a few minutes in the past so a peer
// whose clock lags a little (a freshly booted VM, a namespace test on
// another host) still accepts a certificate made a moment ago.
import { PkiError } from './errors.js';

export const BACKDATE_MS = 5 * 60 * 1000;
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_CERT_DAYS = 1095;
export const DEFAULT_CRL_DAYS = 15;
const DAY_MS = 86_400_000;

export interface ValidityOptions {
  lifetimeDays?: number;
  notBefore?: Date;
  notAfter?: Date;
}

export function validity(options: ValidityOptions, defaultDays: number, now = new Date()): { notBefore: Date; notAfter: Date } {
  const days = options.lifetimeDays ?? defaultDays;
  if (!Number.isFinite(days) || days <= 0) throw new PkiError('PKI_BAD_OPTION', `lifetime ${days} is not a positive number of days`);
  const notBefore = truncate(options.notBefore ?? new Date(now.getTime() - BACKDATE_MS));
  const notAfter = truncate(options.notAfter ?? new Date(now.getTime() + days * DAY_MS));
  if (notAfter.getTime() <= notBefore.getTime()) {
    throw new PkiError('PKI_BAD_OPTION', `not-after ${notAfter.toISOString()} is not later than not-before ${notBefore.toISOString()}`);
  }
  return { notBefore, notAfter };
}

/** DER times carry whole seconds. */
export const truncate = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

/** Parses a --not-before / --not-after value (ISO 8601, e.g. 2030-01-01 or 2030-01-01T12:00:00Z). */
export function parseDate(text: string, option: string): Date {
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime())) throw new PkiError('PKI_BAD_OPTION', `${option} '${text}' is not a date; use ISO 8601, e.g. 2030-01-01 or 2030-01-01T12:00:00Z`);
  return date;
}

/** 2026-11-22T05:17:41Z: certificate and CRL times have whole seconds. */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
