/** API.md §15: the notifications kept for admins (newest first), and marking them read. */
import { Router } from 'express';
import { Op, type WhereOptions } from 'sequelize';
import { z } from 'zod/v4';
import { requireRole } from '../middlewares/auth.js';
import { parseQuery, validateBody } from '../middlewares/validate.js';
import { decodeCursor, encodeCursor } from '../services/billing/cursor.js';
import { toNotificationView } from '../services/notifications/notifier.js';
import type { Models } from '../store/models/index.js';
import type { NotificationsAnswer } from '../wire/notifications.js';

const listQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().min(1).max(500).optional(),
    unread: z.enum(['true', 'false', '1', '0']).optional(),
    type: z.string().max(64).optional(),
  })
  .passthrough();
const readBody = z.object({ ids: z.array(z.string().min(1).max(64)).max(500).optional() }).strict();

export function notificationRoutes(models: Pick<Models, 'Notification'>): Router {
  const r = Router();
  r.use(requireRole('admin'));

  r.get('/', async (req, res) => {
    const q = parseQuery(listQuery, req.query);
    const and: WhereOptions[] = [];
    if (q.unread === 'true' || q.unread === '1') and.push({ readAt: null });
    if (q.type) and.push({ type: q.type });
    if (q.cursor) {
      const c = decodeCursor(q.cursor);
      and.push({ [Op.or]: [{ createdAt: { [Op.lt]: c.createdAt } }, { createdAt: c.createdAt, id: { [Op.lt]: c.id } }] });
    }
    const [rows, unread] = await Promise.all([
      models.Notification.findAll({ where: { [Op.and]: and }, order: [['createdAt', 'DESC'], ['id', 'DESC']], limit: q.limit + 1 }),
      models.Notification.count({ where: { readAt: null } }),
    ]);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    const answer: NotificationsAnswer = { data: page.map(toNotificationView), unread };
    if (rows.length > q.limit && last) answer.next = encodeCursor(last.createdAt, last.id);
    res.json(answer);
  });

  /** `{"ids": [...]}` marks those read; `{}` marks every one. */
  r.post('/read', validateBody(readBody), async (req, res) => {
    const { ids } = req.body as z.infer<typeof readBody>;
    const where: WhereOptions = ids ? { id: ids, readAt: null } : { readAt: null };
    const [marked] = await models.Notification.update({ readAt: new Date() }, { where });
    res.json({ marked });
  });
  return r;
}
