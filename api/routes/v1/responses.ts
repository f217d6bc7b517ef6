/**
 * The OpenAI Responses API over every provider (API.md §11): POST /api/v1/responses, and the stored
 * responses at GET|DELETE /api/v1/responses/:id (a member sees only their own).
 */
import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '../../errors.js';
import { sendJson } from '../../lib/json-response.js';
import { useErrorFormat } from '../../middlewares/error-handler.js';
import { estimateTokens } from '../../services/formats/chat-answer.js';
import { openAIResponsesAnswer, responsesErrorEvent } from '../../services/formats/openai-responses-answer.js';
import {
  continuedItems,
  fromOpenAIResponses,
  inputItems,
  responsesFileUrls,
  toResponsesRelayBody,
  type OpenAIResponsesRequest,
} from '../../services/formats/openai-responses.js';
import { answerChat } from '../../services/gateway/answer-chat.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import { openChat } from '../../services/gateway/open-chat.js';
import type { StoredResponses } from '../../services/stored-responses.js';

const callerOf = (req: Request) => ({ userDid: req.ctx.caller?.userDid ?? null, admin: req.ctx.caller?.role === 'admin' });
const notFound = (id: string) => new NotFoundError(`No response with id '${id.slice(0, 80)}'`, { code: 'response_not_found' });

export function responsesHandler(gateway: Gateway, stored: StoredResponses) {
  return async (req: Request, res: Response) => {
    const body = req.body as OpenAIResponsesRequest;
    const stream = Boolean(body.stream);
    const caller = callerOf(req);
    let history: unknown[] = [];
    if (body.previous_response_id) {
      const prior = await stored.get(body.previous_response_id, caller);
      if (!prior) throw notFound(body.previous_response_id);
      history = continuedItems([...prior.input, ...((prior.response.output as unknown[] | undefined) ?? [])]);
    }
    await gateway.checkImageUrls(responsesFileUrls(body));
    const inputEstimate = estimateTokens([body.instructions, history, body.input]);
    const call = await gateway.begin(req, res, { model: body.model, type: 'chatCompletion', stream, maxOutputTokens: body.max_output_tokens ?? undefined, estimatedInputTokens: inputEstimate });
    const id = `resp_${call.record.id.replace(/-/g, '')}`;
    const keep =
      body.store === false
        ? undefined
        : (response: string) => stored.keep(call.record.id, { id, userDid: caller.userDid, model: body.model, input: JSON.stringify(history.length ? [...history, ...inputItems(body.input)] : inputItems(body.input)), response });
    const answer = openAIResponsesAnswer({ id, model: body.model, request: body, onFinal: keep });
    useErrorFormat(res, { body: (err) => err.toBody(), event: (err) => responsesErrorEvent(err, answer.nextSequence()) });
    const opened = await call.open((attempt) =>
      openChat(attempt, {
        stream,
        chatRequest: (m) => fromOpenAIResponses(body, history, m),
        sameWire: { wire: 'openai-responses', body: (m) => toResponsesRelayBody(body, history, m), relay: answer.relay! },
      }),
    );
    await answerChat(call, res, opened, answer, inputEstimate);
  };
}

/** GET /:id, GET /:id/input_items, DELETE /:id. */
export function storedResponseRoutes(stored: StoredResponses): Router {
  const router = Router();
  router.get('/:id', async (req: Request, res: Response) => {
    const found = await stored.get(String(req.params.id), callerOf(req));
    if (!found) throw notFound(String(req.params.id));
    sendJson(res, found.response);
  });
  router.get('/:id/input_items', async (req: Request, res: Response) => {
    const found = await stored.get(String(req.params.id), callerOf(req));
    if (!found) throw notFound(String(req.params.id));
    const data = found.input.map((item, i) => ({ id: `item_${found.id.slice(5)}_${i}`, ...(item as object) }));
    sendJson(res, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
  });
  router.delete('/:id', async (req: Request, res: Response) => {
    if (!(await stored.remove(String(req.params.id), callerOf(req)))) throw notFound(String(req.params.id));
    sendJson(res, { id: req.params.id, object: 'response', deleted: true });
  });
  return router;
}
