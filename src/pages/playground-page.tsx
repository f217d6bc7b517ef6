import { useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import {
  ApiError,
  findModelCall,
  listModels,
  qualifiedModelName,
  streamChat,
  type ChatMessage,
  type ChatUsage,
  type HubModel,
} from '../api/client';
import { PageHeader } from '../components/layout';
import { EmptyState, ErrorState, Loading, errorMessage } from '../components/states';
import { useAsync } from '../hooks/use-async';
import { t } from '../i18n/en';
import { formatCredits, formatInteger } from '../lib/format';
import { useUser } from '../session';

interface Turn {
  id: number;
  role: 'user' | 'assistant';
  content: string;
  streaming?: boolean;
  error?: Error;
  usage?: ChatUsage | null;
  callId?: string | null;
  credits?: string | null;
}

function groupByProvider(models: HubModel[]): Array<[string, HubModel[]]> {
  const groups = new Map<string, HubModel[]>();
  for (const model of models) {
    const label = model.providerDisplayName || model.provider;
    groups.set(label, [...(groups.get(label) ?? []), model]);
  }
  return [...groups.entries()];
}

export interface PlaygroundPageProps {
  /** Delay between credit look-ups while the call settles. */
  settleDelayMs?: number;
}

export function PlaygroundPage({ settleDelayMs = 400 }: PlaygroundPageProps = {}) {
  const user = useUser();
  const models = useAsync((signal) => listModels('chat', signal), []);
  const [model, setModel] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [input, setInput] = useState('');
  const [busy, setBusy] = useState(false);
  const controllerRef = useRef<AbortController | null>(null);
  const nextId = useRef(1);
  const logRef = useRef<HTMLDivElement | null>(null);

  const grouped = useMemo(() => groupByProvider(models.data ?? []), [models.data]);

  useEffect(() => {
    if (model || !models.data) return;
    const first = models.data.find((m) => m.status?.available !== false) ?? models.data[0];
    if (first) setModel(qualifiedModelName(first));
  }, [models.data, model]);

  useEffect(() => () => controllerRef.current?.abort(), []);

  useEffect(() => {
    const log = logRef.current;
    if (log && typeof log.scrollTo === 'function') log.scrollTo({ top: log.scrollHeight });
  }, [turns]);

  function patchTurn(id: number, patch: Partial<Turn> | ((turn: Turn) => Partial<Turn>)) {
    setTurns((list) => list.map((turn) => (turn.id === id ? { ...turn, ...(typeof patch === 'function' ? patch(turn) : patch) } : turn)));
  }

  async function send(event?: FormEvent) {
    event?.preventDefault();
    const text = input.trim();
    if (!text || !model || busy) return;
    const history: ChatMessage[] = turns
      .filter((turn) => !turn.error && turn.content)
      .map((turn) => ({ role: turn.role, content: turn.content }));
    const userTurn: Turn = { id: nextId.current++, role: 'user', content: text };
    const answerId = nextId.current++;
    setTurns((list) => [...list, userTurn, { id: answerId, role: 'assistant', content: '', streaming: true }]);
    setInput('');
    setBusy(true);
    const controller = new AbortController();
    controllerRef.current = controller;
    let callId: string | null = null;
    try {
      const result = await streamChat({
        model,
        messages: [...history, { role: 'user', content: text }],
        signal: controller.signal,
        onDelta: (delta) => patchTurn(answerId, (turn) => ({ content: turn.content + delta })),
        onCallId: (id) => {
          callId = id;
          patchTurn(answerId, { callId: id });
        },
      });
      callId = result.callId ?? callId;
      patchTurn(answerId, { streaming: false, usage: result.usage, callId });
    } catch (error) {
      const aborted = error instanceof DOMException && error.name === 'AbortError';
      patchTurn(answerId, aborted ? { streaming: false } : { streaming: false, error: error instanceof Error ? error : new Error(errorMessage(error)) });
    } finally {
      setBusy(false);
      controllerRef.current = null;
    }
    if (callId) {
      try {
        const call = await findModelCall(callId, { userDid: user.did, delayMs: settleDelayMs });
        if (call) {
          patchTurn(answerId, (turn) => ({
            credits: call.credits,
            // Fill in usage from the hub's record when the stream carried none.
            usage: turn.usage ?? {
              promptTokens: call.inputTokens,
              completionTokens: call.outputTokens,
              totalTokens: call.inputTokens + call.outputTokens,
            },
          }));
        }
      } catch {
        // Credits are a courtesy here; the answer itself is already shown.
      }
    }
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  return (
    <section className="playground">
      <PageHeader
        title={t('playground.title')}
        actions={
          turns.length > 0 ? (
            <button type="button" className="button" disabled={busy} onClick={() => setTurns([])} data-testid="playground-clear">
              {t('playground.clear')}
            </button>
          ) : null
        }
      />
      {models.loading && !models.data ? <Loading /> : null}
      {models.error ? <ErrorState error={models.error} onRetry={models.reload} /> : null}
      {models.data && models.data.length === 0 ? <EmptyState>{t('playground.noModels')}</EmptyState> : null}
      {models.data && models.data.length > 0 ? (
        <div className="card chat">
          <label className="field inline-field">
            <span>{t('playground.model')}</span>
            <select value={model} onChange={(e) => setModel(e.target.value)} disabled={busy} data-testid="playground-model">
              {grouped.map(([provider, list]) => (
                <optgroup key={provider} label={provider}>
                  {list.map((m) => {
                    const name = qualifiedModelName(m);
                    const unavailable = m.status?.available === false;
                    return (
                      <option key={name} value={name} disabled={unavailable}>
                        {m.model}
                        {unavailable ? ` (${t('playground.unavailable')})` : ''}
                      </option>
                    );
                  })}
                </optgroup>
              ))}
            </select>
          </label>
          <div className="chat-log" ref={logRef} aria-live="polite" data-testid="playground-log">
            {turns.length === 0 ? <p className="muted chat-empty">{t('playground.empty')}</p> : null}
            {turns.map((turn) => (
              <ChatTurn key={turn.id} turn={turn} />
            ))}
          </div>
          <form className="chat-input" onSubmit={send}>
            <textarea
              value={input}
              rows={3}
              placeholder={t('playground.placeholder')}
              onChange={(e) => setInput(e.target.value)}
              onKeyDown={onKeyDown}
              aria-label={t('playground.placeholder')}
              data-testid="playground-input"
            />
            <div className="chat-buttons">
              {busy ? (
                <button type="button" className="button" onClick={() => controllerRef.current?.abort()} data-testid="playground-stop">
                  {t('playground.stop')}
                </button>
              ) : null}
              <button type="submit" className="button button-primary" disabled={busy || !input.trim() || !model} data-testid="playground-send">
                {t('playground.send')}
              </button>
            </div>
          </form>
        </div>
      ) : null}
    </section>
  );
}

function ChatTurn({ turn }: { turn: Turn }) {
  if (turn.role === 'user') {
    return (
      <div className="turn turn-user" data-testid="playground-question">
        <div className="turn-role">{t('playground.you')}</div>
        <div className="turn-text">{turn.content}</div>
      </div>
    );
  }
  const link = turn.error instanceof ApiError ? turn.error.link : undefined;
  return (
    <div className="turn turn-assistant" data-testid="playground-answer" data-streaming={turn.streaming ? 'true' : 'false'} data-call-id={turn.callId ?? undefined}>
      <div className="turn-role">{t('playground.assistant')}</div>
      <div className="turn-text" data-testid="playground-answer-text">
        {turn.content}
        {turn.streaming ? <span className="caret" aria-hidden="true" /> : null}
      </div>
      {turn.error ? (
        <div className="turn-error" role="alert" data-testid="playground-error">
          {turn.error.message}
          {link ? (
            <>
              {' '}
              <a href={link} target="_blank" rel="noreferrer">
                {t('credits.topUp')}
              </a>
            </>
          ) : null}
        </div>
      ) : null}
      {!turn.streaming && !turn.error && (turn.usage || turn.credits) ? (
        <div className="turn-meta" data-testid="playground-usage">
          {turn.usage ? (
            <span data-testid="playground-tokens">
              {t('playground.tokens', { input: formatInteger(turn.usage.promptTokens), output: formatInteger(turn.usage.completionTokens) })}
            </span>
          ) : null}
          {turn.credits != null ? (
            <span data-testid="playground-credits">{t('playground.credits', { credits: formatCredits(turn.credits) })}</span>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
