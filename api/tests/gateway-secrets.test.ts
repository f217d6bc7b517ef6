/**
 * A provider credential never leaves the hub, whatever its shape: an upstream that echoes it back
 * in an error (a 400 relayed to the client, a 401 or 5xx summed up in a 502, an error event in a
 * stream) has it removed from the answer, the ModelCall row and the logs. The credentials here do
 * not look like API keys, so only the hub's knowledge of the credential can find them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addProvider, modelCallRow, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const OPENAI_SECRET = 'hunter2 but longer!';
const ANTHROPIC_SECRET = 'Tr0ub4dor&3~staple';

describe('credentials in upstream errors', () => {
  let h: GatewayHarness;
  const chat = (model: string, extra: Record<string, unknown> = {}) =>
    h.t.request.post('/api/v1/chat/completions').set(bearer(h.t.adminKey)).send({ model, messages: [{ role: 'user', content: 'hi there' }], ...extra });
  const echo = (status: number, secret: string, times = 1) =>
    h.upstream.enqueue({ status, body: { error: { message: `Incorrect API key provided: ${secret}`, type: 'invalid_request_error' }, type: 'error' }, times });

  /** The answer, the call's row and every log line, with no trace of either secret. */
  const expectNoSecret = async (res: { text: string; headers: Record<string, string> }) => {
    const row = await modelCallRow(h.t, res.headers['x-aigne-hub-model-call-id']!);
    expect(row).toBeDefined();
    for (const text of [res.text, JSON.stringify(row), h.t.logLines.join('\n')]) {
      expect(text).not.toContain(OPENAI_SECRET);
      expect(text).not.toContain(ANTHROPIC_SECRET);
    }
    return row!;
  };

  beforeAll(async () => {
    h = await startGatewayHarness();
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: [OPENAI_SECRET], rates: [{ model: 'gpt-4o-mini' }] });
    await addProvider(h.t, { name: 'anthropic', baseUrl: h.upstream.url, keys: [ANTHROPIC_SECRET], rates: [{ model: 'claude-3-5-haiku' }] });
  });
  afterAll(() => h.close());
  afterEach(() => h.upstream.reset());

  it('removes them from a 400 the upstream answered, relayed to the client', async () => {
    for (const [model, secret] of [['openai/gpt-4o-mini', OPENAI_SECRET], ['anthropic/claude-3-5-haiku', ANTHROPIC_SECRET]] as const) {
      echo(400, secret);
      const res = await chat(model);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('Incorrect API key provided: ');
      const row = await expectNoSecret(res);
      expect(row).toMatchObject({ status: 'failed', errorReason: expect.stringContaining('Incorrect API key provided: ') });
    }
  });

  it('removes them from the 502 that sums up failed attempts (5xx, then a refused credential)', async () => {
    echo(500, OPENAI_SECRET);
    const failed = await chat('openai/gpt-4o-mini');
    expect(failed.status).toBe(502);
    expect(failed.body.error.message).toContain('Incorrect API key provided: ');
    await expectNoSecret(failed);

    echo(401, ANTHROPIC_SECRET);
    const refused = await chat('anthropic/claude-3-5-haiku');
    expect(refused.status).toBe(502);
    expect(refused.body.error.message).toContain('Incorrect API key provided: ');
    await expectNoSecret(refused);
  });

  it('removes key-shaped tokens too, whosever they are', async () => {
    const other = 'sk-proj-someone-elses-key-0123456789';
    h.upstream.enqueue({ status: 400, body: { error: { message: `Incorrect API key provided: ${other}`, type: 'invalid_request_error' } } });
    const res = await chat('openai/gpt-4o-mini');
    expect(res.status).toBe(400);
    const row = await expectNoSecret(res);
    expect(`${res.text} ${JSON.stringify(row)}`).not.toContain(other);
  });
});
