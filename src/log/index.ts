export * from './levels.js';
export * from './logger.js';
export { SECRET_TAG, formatFields, formatValue, oneLine } from './redact.js';
