import type { CredentialField } from '../types.js';

/** The usual single secret: `credentialValue: {"api_key": "..."}`. */
export const API_KEY_FIELD: CredentialField = { key: 'api_key', label: 'API key', secret: true, required: true };

/** Same, for servers that may run without a key. */
export const OPTIONAL_API_KEY_FIELD: CredentialField = { ...API_KEY_FIELD, required: false };
