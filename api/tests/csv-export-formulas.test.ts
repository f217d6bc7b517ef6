/**
 * issue 28 finding 3: what members send (model names, the client DID header) and what admins set
 * (a key's app id) reaches the call-log CSV; opened as a spreadsheet, no cell may be a formula.
 */
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../lib/csv.js';
import { MODEL_CALL_FIELDS } from '../routes/model-calls.js';
import { addProvider, modelCallRows, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

/** OWASP's list: a cell that starts with one of these is a formula to Excel, LibreOffice or Sheets. */
const FORMULA = /^[=+\-@\t\r]/;

const HYPERLINK = '=HYPERLINK("http://evil.example","x")';
// (Model names are trimmed on the way in; a leading tab or CR is covered by the csvCell case below.)
const HOSTILE_MODELS = ["@SUM(1+1)*cmd|'/C calc'!A0", '+2+3', '-2+3', '=1+1'];

describe('the call-log CSV holds no formula', () => {
  let h: GatewayHarness;
  let member: Record<string, string>;
  let csv: string;

  beforeAll(async () => {
    h = await startGatewayHarness();
    const admin = bearer(h.t.adminKey);
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-csv-000000000'], rates: [{ model: 'gpt-4o-mini' }] });
    member = bearer((await h.t.request.post('/api/access-keys').set(admin).send({ name: 'member' })).body.key);
    const appKey = bearer((await h.t.request.post('/api/access-keys').set(admin).send({ name: 'app', appId: '-1+1' })).body.key);
    const chat = (auth: Record<string, string>, model: string, clientDid?: string) => {
      const req = h.t.request.post('/api/v1/chat/completions').set(auth);
      if (clientDid !== undefined) req.set('x-aigne-hub-client-did', clientDid);
      return req.send({ model, messages: [{ role: 'user', content: 'hi' }] });
    };
    expect((await chat(member, 'openai/gpt-4o-mini', HYPERLINK)).status).toBe(200);
    expect((await chat(member, 'openai/gpt-4o-mini', 'did:abt:zNKtCNqYWLYWYW3gWRA1vnRykfCBZYHZvzKr')).status).toBe(200);
    expect((await chat(appKey, 'openai/gpt-4o-mini')).status).toBe(200);
    for (const model of HOSTILE_MODELS) expect((await chat(member, model)).status, model).toBe(404);
    await h.t.hub.gateway.recorder.flush();
    const res = await h.t.request.get('/api/model-calls/export').set(admin).buffer(true).parse((r, cb) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString('utf8')));
      r.on('end', () => cb(null, text));
    });
    expect(res.status).toBe(200);
    csv = res.body as string;
  });
  afterAll(() => h.close());

  it('starts no cell with =, +, -, @, tab or CR, and keeps the text behind a quote mark', () => {
    const rows = parse(csv, { relax_column_count: false }) as string[][];
    expect(rows[0]).toEqual([...MODEL_CALL_FIELDS]);
    expect(rows).toHaveLength(1 + 3 + HOSTILE_MODELS.length);
    const formulas = rows.flat().filter((cell) => FORMULA.test(cell));
    expect(formulas).toEqual([]);
    const models = rows.slice(1).map((r) => r[MODEL_CALL_FIELDS.indexOf('model')]);
    for (const model of HOSTILE_MODELS) expect(models).toContain(`'${model}`);
    expect(rows.slice(1).map((r) => r[MODEL_CALL_FIELDS.indexOf('appId')])).toContain("'-1+1");
  });

  it('records the client DID header only when it is shaped like an identifier', async () => {
    const rows = await modelCallRows(h.t);
    const appIds = rows.filter((r) => r.status === 'success').map((r) => r.appId);
    expect(appIds).toEqual(expect.arrayContaining([null, 'did:abt:zNKtCNqYWLYWYW3gWRA1vnRykfCBZYHZvzKr', '-1+1']));
    expect(JSON.stringify(rows)).not.toContain('HYPERLINK');
  });

  it('writes numbers as numbers and quotes what RFC 4180 says to quote', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell('-3')).toBe("'-3");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvCell('=1,2')).toBe(`"'=1,2"`);
    expect(csvCell(null)).toBe('');
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('\t=1+1')).toBe("'\t=1+1");
    expect(csvCell('\r=1+1')).toBe(`"'\r=1+1"`);
  });
});
