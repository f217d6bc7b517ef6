/**
 * `npx tsx scripts/pkce-example/index.ts [--hub http://127.0.0.1:3030] [--model openai/gpt-4o-mini]`:
 * an app asks you for a key to a running hub. Open the printed link, sign in, approve; the app gets
 * its key on its loopback callback, calls the hub with it and prints the answer.
 */
import { parseArgs } from 'node:util';
import { startExampleApp } from './app.js';

const { values } = parseArgs({
  options: {
    hub: { type: 'string', default: 'http://127.0.0.1:3030' },
    model: { type: 'string', default: 'openai/gpt-4o-mini' },
    name: { type: 'string', default: 'Example app' },
  },
});

const app = await startExampleApp({ hubUrl: values.hub!, model: values.model, appName: values.name });
process.stdout.write(`Open this link in your browser and approve the app:\n\n  ${app.authorizeUrl}\n\nWaiting for ${app.callbackUrl} …\n`);
try {
  const r = await app.result;
  process.stdout.write(`\nThe app got a key for ${r.userDid} (${r.key.slice(0, 10)}…) and asked the hub. Answer:\n  ${r.answer}\n`);
  process.exitCode = 0;
} catch (err) {
  process.stderr.write(`\n${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await app.close();
}
