// The daemon's one door to configuration: a ConfigLoader reads ipsec.conf
// and ipsec.secrets (and whatever they include) and returns what the engine
// needs, or throws ConfigLoadError listing every problem as file:line:col.
// The daemon calls it at start and on every reload; a failed reload keeps
// the running configuration.

import type { DaemonPaths } from './paths.js';

export interface LoadedConfig {
  /** The config model handed to Engine.load(). */
  config: unknown;
  /** The secrets handed to Engine.load() (Secret values, never logged). */
  secrets: unknown;
  /** `config setup` charondebug=, raw text, if set. */
  charondebug?: string;
  /** `config setup` plutodebug=, raw text, if set. */
  plutodebug?: string;
  /** Addresses to listen on (empty: all). */
  listen?: string[];
  /** Non-fatal diagnostics, one line each. */
  warnings: string[];
}

export class ConfigLoadError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    message: string,
    /** Every diagnostic, one line each (`file:line:col: error: ...`). */
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'ConfigLoadError';
  }
}

export type ConfigLoader = (paths: DaemonPaths) => Promise<LoadedConfig>;

/** ipsec.secrets alone (`ipsec rereadsecrets`); throws ConfigLoadError like ConfigLoader. */
export type SecretsLoader = (paths: DaemonPaths) => Promise<{ secrets: unknown; count: number; warnings: string[] }>;
