/**
 * How the hub reads Payment Kit's failures as payment-js throws them (an HTTP error with the answer's
 * status and body, or a plain error): an event it already has, and something that is not there.
 */
import { expect, it } from 'vitest';
import { isDuplicateEventError, isNotFoundError } from './client.js';

const httpError = (status: number, data: unknown) => Object.assign(new Error(`Request failed with status code ${status}`), { response: { status, data } });

it('knows an event Payment Kit already has by its identifier, in the message or the body', () => {
  expect(isDuplicateEventError(httpError(400, { error: 'meter event with identifier tx-1 already exists' }))).toBe(true);
  expect(isDuplicateEventError(httpError(409, 'Duplicate identifier tx-1'))).toBe(true);
  expect(isDuplicateEventError(new Error('meter event with identifier tx-1 already exists'))).toBe(true);
  // Either word alone is another failure.
  expect(isDuplicateEventError(httpError(400, { error: 'identifier is required' }))).toBe(false);
  expect(isDuplicateEventError(httpError(409, { error: 'duplicate request' }))).toBe(false);
  expect(isDuplicateEventError(httpError(500, undefined))).toBe(false);
  expect(isDuplicateEventError(null)).toBe(false);
});

it('knows what is not there by a 404, on the answer or the error, or by its message', () => {
  expect(isNotFoundError(httpError(404, { error: 'Meter m not found' }))).toBe(true);
  expect(isNotFoundError({ status: 404 })).toBe(true);
  expect(isNotFoundError(new Error('Price DEFAULT_CREDIT_UNIT_PRICE not found'))).toBe(true);
  // The answer's status decides over the error's own.
  expect(isNotFoundError(Object.assign(httpError(404, {}), { status: 500 }))).toBe(true);
  expect(isNotFoundError(httpError(500, { error: 'boom' }))).toBe(false);
  expect(isNotFoundError(null)).toBe(false);
});
