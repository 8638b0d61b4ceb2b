// Option parsing for `ipsec pki`: `--name value` or `--name=value`,
// repeatable options collected in order, and one clear error per mistake
// naming the option and what it takes.
import { PkiError } from '../errors.js';

export interface OptionSpec {
  /** Takes a value (else a switch). */
  value?: boolean;
  /** May be given more than once (values collected). */
  repeat?: boolean;
  /** Another spelling of the option named here. */
  aliasOf?: string;
}

export type OptionTable = Record<string, OptionSpec>;

export interface ParsedOptions {
  values: Map<string, string[]>;
  switches: Set<string>;
}

export function parseOptions(args: readonly string[], table: OptionTable, operation: string): ParsedOptions {
  const values = new Map<string, string[]>();
  const switches = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw usageError(`unexpected argument '${arg}' for ${operation}`);
    const eq = arg.indexOf('=');
    const given = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    const name = table[given]?.aliasOf ?? given;
    const spec = table[name];
    if (!spec) {
      const names = Object.keys(table).filter((n) => !table[n]!.aliasOf);
      throw usageError(`option --${given} does not apply to ${operation}; options: ${names.map((n) => `--${n}`).join(' ')}`);
    }
    if (!spec.value) {
      if (eq > 0) throw usageError(`--${name} takes no value`);
      switches.add(name);
      continue;
    }
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw usageError(`--${name} needs a value`);
    const list = values.get(name) ?? [];
    if (list.length > 0 && !spec.repeat) throw usageError(`--${name} is given twice`);
    list.push(value);
    values.set(name, list);
  }
  return { values, switches };
}

export function usageError(message: string): PkiError {
  return new PkiError('PKI_BAD_OPTION', message);
}

export const one = (o: ParsedOptions, name: string): string | undefined => o.values.get(name)?.[0];
export const all = (o: ParsedOptions, name: string): string[] => o.values.get(name) ?? [];

export function required(o: ParsedOptions, name: string, operation: string, example: string): string {
  const v = one(o, name);
  if (v === undefined) throw usageError(`${operation} needs --${name} ${example}`);
  return v;
}

export function oneOf<T extends string>(o: ParsedOptions, name: string, allowed: readonly T[]): T | undefined {
  const v = one(o, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw usageError(`--${name} '${v}' is not valid; use one of ${allowed.join(', ')}`);
  return v as T;
}

export function integer(o: ParsedOptions, name: string, min: number, max: number): number | undefined {
  const v = one(o, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw usageError(`--${name} '${v}' is not a whole number between ${min} and ${max}`);
  return Number(v);
}
