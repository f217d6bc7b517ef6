import { it } from 'vitest';
import { startFakeUpstream } from '../../scripts/fake-upstream/index.js';
import { openaiProvider } from './openai/index.js';
it('dbg', async () => {
  const up = await startFakeUpstream();
  up.enqueue({ reset: 'mid-stream', afterChunks: 3 });
  const t0 = Date.now();
  try {
    for await (const e of openaiProvider.adapter.chat!({ model: 'm', messages: [{ role: 'user', content: 'a b c d e f g' }] }, { baseUrl: up.url + '/v1', credential: { api_key: 'k' } }, { signal: new AbortController().signal })) console.log(Date.now() - t0, JSON.stringify(e));
    console.log('no error');
  } catch (e) { console.log('ERR', Date.now() - t0, e, (e as any).cause); }
  console.log(JSON.stringify(up.requests.map((r) => ({ s: r.status, reset: r.reset, aborted: r.aborted }))));
  await up.close();
});
