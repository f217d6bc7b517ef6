/**
 * The call export over more rows than a page: every row once, newest first, on SQLite and
 * PostgreSQL; and the index SQLite walks for a filtered call log.
 */
import { Op } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filterConditions } from '../routes/model-calls.js';
import { modelCallRowOf } from './helpers/model-call-row.js';
import { bearer, startTestHub, type TestHub } from './helpers/hub.js';
import { TEST_DATABASE_URL } from './postgres/database.js';

const ROWS = 2345;
const DAY = 86_400_000;

for (const postgres of [false, true]) {
  describe(`model call export on ${postgres ? 'PostgreSQL' : 'SQLite'}`, () => {
    let t: TestHub;
    const day = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;

    beforeAll(async () => {
      if (postgres && !TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is not set: the PostgreSQL part needs a server (see api/tests/postgres/)');
      t = await startTestHub({ TRACING_ENABLED: 'false' }, { postgres });
      // Seven calls per millisecond, so that pages end inside groups of equal times; some the day before and after.
      const rows = Array.from({ length: ROWS }, (_, i) => {
        const createdAt = new Date(day - 2 * 60_000 + Math.floor(i / 7) * 37_003);
        return { ...modelCallRowOf(`call-${String(i).padStart(5, '0')}`, { status: 'success', duration: i % 900, userDid: i % 3 ? 'user-a' : 'user-b' }), createdAt, updatedAt: createdAt };
      });
      for (let i = 0; i < rows.length; i += 500) await t.hub.services.models.ModelCall.bulkCreate(rows.slice(i, i + 500));
    });
    afterAll(() => t?.close());

    const exportText = async (query: string) => {
      const res = await t.request.get(`/api/model-calls/export?${query}`).set(bearer(t.adminKey)).buffer(true).parse((r, cb) => {
        let text = '';
        r.on('data', (c: Buffer) => (text += c.toString('utf8')));
        r.on('end', () => cb(null, text));
      });
      expect(res.status).toBe(200);
      return (res.body as string).trim().split('\r\n').slice(1).map((line) => line.split(',')[0]!);
    };

    it('writes a day of rows across pages, each once, newest first', async () => {
      const ids = await exportText(`from=${day}&to=${day + DAY}`);
      const expected = (await t.hub.services.models.ModelCall.findAll({ attributes: ['id', 'createdAt'], raw: true }))
        .filter((r) => new Date(r.createdAt).getTime() >= day && new Date(r.createdAt).getTime() < day + DAY)
        .sort((a, b) => new Date(b.createdAt).getTime() - new Date(a.createdAt).getTime() || (a.id < b.id ? 1 : -1))
        .map((r) => r.id);
      expect(expected.length).toBeGreaterThan(2000);
      expect(ids).toEqual(expected);
      expect(await exportText(`from=${day}&to=${day + DAY}&userDid=user-b`)).toEqual(expected.filter((id) => Number(id.slice(5)) % 3 === 0));
    });
  });

  if (!postgres) {
    describe('the filtered call log on SQLite', () => {
      let t: TestHub;
      beforeAll(async () => {
        t = await startTestHub({ TRACING_ENABLED: 'false' });
      });
      afterAll(() => t?.close());

      it('looks calls up by the most selective filter given, whatever else is given', async () => {
        const sequelize = t.hub.sequelize;
        const planOf = async (filters: Parameters<typeof filterConditions>[0]) => {
          let sql = '';
          await t.hub.services.models.ModelCall.findAll({
            where: { [Op.and]: filterConditions(filters, true) },
            order: [['createdAt', 'DESC'], ['id', 'DESC']],
            limit: 51,
            logging: (text: string) => (sql = text.replace(/^Executing \(default\): /, '')),
          });
          const [plan] = (await sequelize.query(`EXPLAIN QUERY PLAN ${sql}`)) as [{ detail: string }[], unknown];
          return plan.map((p) => p.detail).join('; ');
        };
        const from = new Date(Date.now() - 60 * DAY);
        expect(await planOf({ userDid: 'u', model: 'm', status: 'failed', from })).toContain('model_calls_user_created');
        expect(await planOf({ appId: 'a', status: 'failed', from })).toContain('model_calls_app_created');
        expect(await planOf({ model: 'm', status: 'failed' })).toContain('model_calls_model_created');
        expect(await planOf({ status: 'failed', from })).toContain('model_calls_status_created');
      });
    });
  }
}
