import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionContext, type SessionValue } from '../session';
import { PlaygroundPage } from './playground-page';

function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

const session: SessionValue = {
  state: { status: 'authenticated', user: { did: 'z-user', name: 'Mia', role: 'member' } },
  signIn: async () => undefined,
  signOut: async () => undefined,
  refresh: async () => undefined,
};

const models = [
  {
    model: 'gpt-4o-mini',
    type: 'chat',
    provider: 'openai',
    providerDisplayName: 'OpenAI',
    input_credits_per_token: '0.00000015',
    output_credits_per_token: '0.0000006',
    modelMetadata: null,
    status: { available: true },
  },
  {
    model: 'claude-sonnet-4-5',
    type: 'chat',
    provider: 'anthropic',
    providerDisplayName: 'Anthropic',
    input_credits_per_token: '0.000003',
    output_credits_per_token: '0.000015',
    modelMetadata: null,
    status: { available: false },
  },
];

const chunk = (content: string) => `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;

/** A stream the test feeds by hand, one network chunk at a time. */
function controlledStream() {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return {
    stream,
    push: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
  };
}

function renderPage() {
  return render(
    <SessionContext.Provider value={session}>
      <PlaygroundPage settleDelayMs={1} />
    </SessionContext.Provider>,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('PlaygroundPage', () => {
  it('renders streamed text as it arrives, then tokens and credits', async () => {
    const feed = controlledStream();
    const requests: Array<{ url: string; body?: unknown }> = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string | URL | Request, init?: RequestInit) => {
        const path = String(url);
        requests.push({ url: path, body: init?.body ? JSON.parse(String(init.body)) : undefined });
        if (path === '/api/ai/models?type=chat') return jsonResponse(200, models);
        if (path === '/api/v1/chat/completions') {
          return new Response(feed.stream, {
            status: 200,
            headers: { 'Content-Type': 'text/event-stream', 'x-aigne-hub-model-call-id': 'call_42' },
          });
        }
        if (path.startsWith('/api/model-calls')) {
          return jsonResponse(200, {
            data: [{ id: 'call_42', model: 'openai/gpt-4o-mini', status: 'success', inputTokens: 12, outputTokens: 3, credits: '0.0000036', createdAt: '2025-01-01T00:00:00Z' }],
          });
        }
        return jsonResponse(404, { error: { message: 'nope', type: 'not_found' } });
      }),
    );

    renderPage();
    const picker = (await screen.findByTestId('playground-model')) as HTMLSelectElement;
    await waitFor(() => expect(picker.value).toBe('openai/gpt-4o-mini'));
    // The unavailable model is listed but cannot be picked.
    const claude = [...picker.options].find((o) => o.value === 'anthropic/claude-sonnet-4-5');
    expect(claude?.disabled).toBe(true);

    fireEvent.change(screen.getByTestId('playground-input'), { target: { value: 'Say hello' } });
    fireEvent.click(screen.getByTestId('playground-send'));

    const answer = await screen.findByTestId('playground-answer-text');
    feed.push(chunk('Hel'));
    await waitFor(() => expect(answer.textContent).toBe('Hel'));
    expect(screen.getByTestId('playground-answer').getAttribute('data-streaming')).toBe('true');
    expect(screen.getByTestId('playground-stop')).toBeTruthy();

    feed.push(chunk('lo, '));
    await waitFor(() => expect(answer.textContent).toBe('Hello, '));
    feed.push(chunk('world'));
    feed.push('data: {"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}\n\n');
    await waitFor(() => expect(answer.textContent).toBe('Hello, world'));
    feed.push('data: [DONE]\n\n');
    feed.close();

    expect((await screen.findByTestId('playground-tokens')).textContent).toBe('12 in · 3 out');
    expect((await screen.findByTestId('playground-credits')).textContent).toBe('0.0000036 credits');
    expect(screen.getByTestId('playground-answer').getAttribute('data-streaming')).toBe('false');
    expect(screen.getByTestId('playground-answer').getAttribute('data-call-id')).toBe('call_42');

    const chat = requests.find((r) => r.url === '/api/v1/chat/completions');
    expect(chat?.body).toEqual({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'Say hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(requests.some((r) => r.url === '/api/model-calls?userDid=z-user&limit=20')).toBe(true);
  });

  it('shows a 402 with its top-up link and keeps the question', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (url: string | URL | Request) => {
        if (String(url).startsWith('/api/ai/models')) return jsonResponse(200, models);
        return jsonResponse(402, { error: { message: 'Insufficient credits', type: 'insufficient_credits', link: 'https://pay.example/top-up' } });
      }),
    );
    renderPage();
    await waitFor(() => expect((screen.getByTestId('playground-model') as HTMLSelectElement).value).toBe('openai/gpt-4o-mini'));
    fireEvent.change(screen.getByTestId('playground-input'), { target: { value: 'Hi' } });
    fireEvent.keyDown(screen.getByTestId('playground-input'), { key: 'Enter' });
    const error = await screen.findByTestId('playground-error');
    expect(error.textContent).toContain('Insufficient credits');
    expect(error.querySelector('a')?.getAttribute('href')).toBe('https://pay.example/top-up');
    expect(screen.getByTestId('playground-question').textContent).toContain('Hi');
    expect(screen.queryByTestId('playground-usage')).toBeNull();
  });

  it('says so when no chat model is available', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => jsonResponse(200, [])));
    renderPage();
    expect((await screen.findByTestId('empty-state')).textContent).toContain('No chat model');
    expect(screen.queryByTestId('playground-send')).toBeNull();
  });
});
