import type { FakeProtocol } from './types.js';

const OPENAI_TYPES: Record<number, [type: string, code: string | null, message: string]> = {
  400: ['invalid_request_error', null, 'Invalid request.'],
  401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'],
  403: ['invalid_request_error', 'unsupported_country_region_territory', 'Permission denied.'],
  404: ['invalid_request_error', 'model_not_found', 'The model does not exist or you do not have access to it.'],
  408: ['timeout', null, 'Request timed out.'],
  409: ['conflict', null, 'Conflict.'],
  413: ['invalid_request_error', 'request_too_large', 'Request too large.'],
  429: ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests.'],
  500: ['server_error', null, 'The server had an error while processing your request.'],
  502: ['server_error', null, 'Bad gateway.'],
  503: ['server_error', 'overloaded', 'The engine is currently overloaded, please try again later.'],
  504: ['server_error', null, 'Gateway timeout.'],
};

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

const BEDROCK_TYPES: Record<number, string> = {
  400: 'ValidationException',
  403: 'UnrecognizedClientException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  424: 'ModelErrorException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
};

function messageFor(status: number): string {
  return OPENAI_TYPES[status]?.[2] ?? `Upstream error ${status}.`;
}

/** The error object a provider would put in its body (or in-stream error event) for `status`. */
export function providerErrorObject(protocol: FakeProtocol, status: number): Record<string, unknown> {
  const message = messageFor(status);
  switch (protocol) {
    case 'anthropic':
      return {
        type: 'error',
        error: { type: ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message },
      };
    case 'gemini':
      return {
        error: { code: status, message, status: GOOGLE_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') },
      };
    case 'bedrock':
      return { message };
    case 'ideogram':
      return { detail: message };
    default: {
      const [type, code] = OPENAI_TYPES[status] ?? [status >= 500 ? 'server_error' : 'invalid_request_error', null];
      return { error: { message, type, param: null, code } };
    }
  }
}

/** Extra headers a provider sends with an error. */
export function providerErrorHeaders(protocol: FakeProtocol, status: number): Record<string, string> {
  if (protocol === 'bedrock') {
    return { 'x-amzn-errortype': `${BEDROCK_TYPES[status] ?? (status >= 500 ? 'InternalServerException' : 'ValidationException')}:http://internal.amazon.com/coral/com.amazon.bedrock/` };
  }
  return {};
}

export function bedrockExceptionType(status: number): string {
  const t = BEDROCK_TYPES[status] ?? 'InternalServerException';
  return t.charAt(0).toLowerCase() + t.slice(1);
}
