import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startTestHub, type TestHub } from './helpers/hub.js';

describe('server basics', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ MAX_BODY_SIZE: '2kb' });
  });
  afterAll(() => t.close());

  it('reports health with a database round trip', async () => {
    const res = await t.request.get('/api/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', db: 'ok', version: expect.any(String) });
  });

  it('answers 503 from health when the database is gone', async () => {
    const other = await startTestHub();
    await other.hub.sequelize.close();
    const res = await other.request.get('/api/health');
    expect(res.status).toBe(503);
    expect(res.body.db).toBe('unreachable');
    await other.close();
  });

  it('answers unknown API routes with a JSON 404', async () => {
    const res = await t.request.get('/api/nothing-here').set(bearer(t.adminKey));
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ type: 'not_found' });
  });

  it('answers malformed JSON with 400 invalid_request_error', async () => {
    const res = await t.request.post('/api/apps').set(bearer(t.adminKey)).set('Content-Type', 'application/json').send('{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
  });

  it('answers a body above MAX_BODY_SIZE with 413', async () => {
    const res = await t.request.post('/api/apps').set(bearer(t.adminKey)).send({ name: 'x'.repeat(4096) });
    expect(res.status).toBe(413);
    expect(res.body.error.type).toBe('invalid_request_error');
  });

  it('answers wrong types with 400 naming the field', async () => {
    const res = await t.request.post('/api/apps').set(bearer(t.adminKey)).send({ name: 42 });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^name/);
    expect(res.body.error.param).toBe('name');
  });

  it('gives every response a request id and echoes a sane incoming one', async () => {
    const res = await t.request.get('/api/health').set('x-request-id', 'abc-123');
    expect(res.headers['x-request-id']).toBe('abc-123');
    const fresh = await t.request.get('/api/health').set('x-request-id', 'bad id with spaces');
    expect(fresh.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('writes one structured access-log line per request', async () => {
    t.logLines.length = 0;
    await t.request.get('/api/health?secret=shh');
    const lines = t.logLines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/api/health', status: 200 });
    expect(typeof lines[0].ms).toBe('number');
    expect(JSON.stringify(lines[0])).not.toContain('shh');
  });

  it('serves blocklet discovery JSON and JS', async () => {
    const json = await t.request.get('/__blocklet__.js?type=json');
    expect(json.status).toBe(200);
    expect(json.body.componentMountPoints).toEqual([{ did: 'z8ia3xzq2tMq8CRHfaXj1BTYJyYnEcHbqP8cJ', name: 'ai-kit', title: 'AIGNE Hub', mountPoint: '/' }]);
    for (const k of ['appId', 'appPid', 'appName', 'appUrl', 'version']) expect(json.body[k]).toBeTruthy();
    const js = await t.request.get('/__blocklet__.js');
    expect(js.headers['content-type']).toMatch(/javascript/);
    expect(js.text).toMatch(/^window\.blocklet = \{/);
  });

  it('serves a page for the dashboard at /', async () => {
    const res = await t.request.get('/').set('Accept', 'text/html');
    expect(res.status).toBe(200);
    expect(res.text).toContain('AIGNE Hub');
  });
});

describe('the dashboard', () => {
  it('is served from a folder under a dot-folder, as Blocklet Server installs apps (.blocklet-server/…)', async () => {
    const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigne-hub-app-'));
    const webDir = path.join(appDir, '.blocklet-server/blocklets/ai-kit/0.1.0/dist/web');
    fs.mkdirSync(path.join(webDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>AIGNE Hub</title><div id="root"></div>');
    fs.writeFileSync(path.join(webDir, 'assets/app.js'), 'console.log(1)');
    const t = await startTestHub({ AIGNE_HUB_WEB_DIR: webDir });
    try {
      for (const route of ['/', '/providers']) {
        const page = await t.request.get(route).set('Accept', 'text/html');
        expect(page.status, route).toBe(200);
        expect(page.text).toContain('<div id="root">');
      }
      expect((await t.request.get('/assets/app.js')).status).toBe(200);
    } finally {
      await t.close();
      fs.rmSync(appDir, { recursive: true, force: true });
    }
  });
});

