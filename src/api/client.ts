/** The dashboard's client of the hub's API, one module per area; pages import it from here. */
export * from './request.js';
export * from './session.js';
export * from './providers.js';
export * from './keys.js';
export * from './credits.js';
export * from './calls.js';
export * from './usage.js';
export * from './playground.js';
export * from './pricing.js';
export * from './notifications.js';
export * from './member.js';
export * from './limits.js';
export type * from './types.js';
