/**
 * The floor: a bare forwarding proxy on node:http + an undici pool. Reads the body, forwards it,
 * parses a JSON answer and sends it back; pipes a streamed answer through. No auth, no records.
 * CLI: node --import tsx scripts/bench/bare-proxy.ts --port N --upstream http://127.0.0.1:M
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({ options: { port: { type: 'string' }, upstream: { type: 'string' } } });
const pool = new Pool(values.upstream!, { connections: 1024, keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 });

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean };
      const up = await pool.request({ path: req.url!, method: 'POST', headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' }, body: JSON.stringify(body) });
      if (body.stream) {
        res.writeHead(up.statusCode, { 'content-type': String(up.headers['content-type']) });
        for await (const chunk of up.body) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r).once('close', r));
        res.end();
      } else {
        const text = JSON.stringify(await up.body.json());
        res.writeHead(up.statusCode, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      }
    } catch (err) {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(err) } }));
    }
  });
}).listen(Number(values.port), '127.0.0.1', () => console.log(`http://127.0.0.1:${values.port}`));
