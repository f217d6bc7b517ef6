/**
 * API.md §7 call log: `GET /api/model-calls` (member: own; admin: all) pages ModelCall rows newest
 * first with an opaque cursor; `GET /api/model-calls/export` writes the same rows as CSV.
 */
import { Router, type Request, type Response } from 'express';
import { Op, Sequelize, type WhereOptions } from 'sequelize';
import { z } from 'zod/v4';
import { csvLine } from '../lib/csv.js';
import { nanoToCredits } from '../lib/decimal.js';
import { requireAuth } from '../middlewares/auth.js';
import { parseQuery } from '../middlewares/validate.js';
import { decodeCursor, encodeCursor } from '../services/billing/cursor.js';
import type { Models } from '../store/models/index.js';
import type { ModelCall } from '../store/models/model-call.js';
import type { ModelCallView } from '../wire/calls.js';
import type { Page } from '../wire/page.js';
import { scopedUserDid } from './credits.js';

/** An ISO 8601 date(-time) or epoch milliseconds. */
export const dateParam = z
  .string()
  .trim()
  .transform((v, ctx) => {
    const d = /^\d{1,15}$/.test(v) ? new Date(Number(v)) : /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : new Date(NaN);
    if (Number.isNaN(d.getTime())) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected an ISO 8601 date or epoch milliseconds, got "${v}"` });
      return z.NEVER;
    }
    return d;
  });

const filterFields = {
  userDid: z.string().trim().min(1).max(128).optional(),
  appId: z.string().trim().min(1).max(128).optional(),
  model: z.string().trim().min(1).max(200).optional(),
  status: z.enum(['processing', 'success', 'failed', 'aborted']).optional(),
  from: dateParam.optional(),
  to: dateParam.optional(),
};

const listQuery = z.object({
  ...filterFields,
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().min(1).max(500).optional(),
});

const exportQuery = z.object(filterFields);

type Filters = z.infer<typeof exportQuery>;

export const MODEL_CALL_FIELDS = [
  'id', 'model', 'providerId', 'credentialId', 'type', 'status', 'inputTokens', 'outputTokens', 'credits',
  'duration', 'ttfb', 'providerTtfb', 'errorReason', 'userDid', 'appId', 'createdAt',
] as const satisfies readonly (keyof ModelCallView)[];

export function toModelCallView(row: ModelCall): ModelCallView {
  return {
    id: row.id,
    model: row.model,
    providerId: row.providerId,
    credentialId: row.credentialId,
    type: row.type,
    status: row.status,
    inputTokens: Number(row.inputTokens),
    outputTokens: Number(row.outputTokens),
    credits: nanoToCredits(Number(row.creditsNano)),
    duration: row.duration,
    ttfb: row.ttfb,
    providerTtfb: row.providerTtfb,
    errorReason: row.errorReason,
    userDid: row.userDid,
    appId: row.appId,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** The filters as conditions (throws 403 before anything is written for a member's foreign userDid). */
function conditionsOf(req: Request, f: Filters, sqlite: boolean): WhereOptions[] {
  const userDid = scopedUserDid(req, f.userDid);
  // An admin without ?userDid sees everyone's calls.
  return filterConditions({ ...f, userDid: f.userDid || req.ctx.caller!.role !== 'admin' ? userDid : undefined }, sqlite);
}

const EQUALITIES = ['userDid', 'appId', 'model', 'status'] as const;

/**
 * On SQLite, whose planner keeps no statistics, only the first filter present of user, app, model
 * and status (most selective first) may choose the index; the others are written `+"column" = ?`,
 * which SQLite does not look up in an index. Otherwise it may walk every failed call of the range,
 * newest first, to find one user's (see docs/performance.md).
 */
export function filterConditions(f: Omit<Filters, 'userDid'> & { userDid?: string | null }, sqlite: boolean): WhereOptions[] {
  const and: WhereOptions[] = [];
  let indexed = false;
  for (const column of EQUALITIES) {
    const value = f[column];
    if (value === undefined || (column !== 'userDid' && !value)) continue;
    and.push(sqlite && indexed ? Sequelize.where(Sequelize.literal(`+"${column}"`), value) : { [column]: value });
    indexed = true;
  }
  if (f.from) and.push({ createdAt: { [Op.gte]: f.from } });
  if (f.to) and.push({ createdAt: { [Op.lt]: f.to } });
  return and;
}

function whereOf(conditions: WhereOptions[], cursor?: string): WhereOptions {
  const and = [...conditions];
  if (cursor) {
    const c = decodeCursor(cursor);
    and.push({ [Op.or]: [{ createdAt: { [Op.lt]: c.createdAt } }, { createdAt: c.createdAt, id: { [Op.lt]: c.id } }] });
  }
  return { [Op.and]: and };
}

async function page(models: Models, where: WhereOptions, limit: number) {
  // Plain rows: no model instance per row (a day's export is tens of thousands of them).
  const rows = (await models.ModelCall.findAll({
    where,
    order: [
      ['createdAt', 'DESC'],
      ['id', 'DESC'],
    ],
    limit: limit + 1,
    raw: true,
  })) as ModelCall[];
  const data = rows.slice(0, limit);
  const last = data.at(-1);
  return { data, next: rows.length > limit && last ? encodeCursor(new Date(last.createdAt), last.id) : undefined };
}

const EXPORT_LIMIT = 100_000;
const EXPORT_PAGE = 1_000;

async function writeCsv(res: Response, chunk: string): Promise<void> {
  if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
}

export function modelCallRoutes(deps: { models: Models }): Router {
  const r = Router();
  const sqlite = deps.models.ModelCall.sequelize!.getDialect() === 'sqlite';
  r.use(requireAuth());

  r.get('/', async (req, res) => {
    const q = parseQuery(listQuery, req.query);
    const { data, next } = await page(deps.models, whereOf(conditionsOf(req, q, sqlite), q.cursor), q.limit);
    res.json({ data: data.map(toModelCallView), ...(next ? { next } : {}) } satisfies Page<ModelCallView>);
  });

  r.get('/export', async (req, res) => {
    const q = parseQuery(exportQuery, req.query);
    const conditions = conditionsOf(req, q, sqlite);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="model-calls.csv"');
    await writeCsv(res, csvLine([...MODEL_CALL_FIELDS]));
    let cursor: string | undefined;
    let written = 0;
    while (written < EXPORT_LIMIT && !res.destroyed) {
      const { data, next } = await page(deps.models, whereOf(conditions, cursor), Math.min(EXPORT_PAGE, EXPORT_LIMIT - written));
      // A page's lines in one write: memory stays at a page, and the socket is not written per row.
      let text = '';
      for (const row of data) {
        const view = toModelCallView(row);
        text += csvLine(MODEL_CALL_FIELDS.map((f) => view[f]));
      }
      if (text) await writeCsv(res, text);
      written += data.length;
      if (!next) break;
      cursor = next;
    }
    res.end();
  });

  return r;
}
