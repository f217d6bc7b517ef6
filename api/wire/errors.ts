/** API.md §2: the error type each status stands for (the hub's error bodies carry it as `type`). */
export const ERROR_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'insufficient_credits',
  403: 'permission_denied',
  404: 'not_found',
  409: 'conflict',
  413: 'invalid_request_error',
  429: 'rate_limit_exceeded',
  499: 'client_closed_request',
  502: 'upstream_error',
  503: 'no_available_provider',
  504: 'upstream_timeout',
};
