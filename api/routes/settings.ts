import { Router } from 'express';
import { requireRole } from '../middlewares/auth.js';
import type { SettingsService } from '../services/settings.js';

/**
 * GET /api/settings (admin): the settings in force and where they come from (`environment`, or
 * `blocklet`: the app's preferences in Blocklet Server). The webhook URL is only said to be set.
 */
export function settingsRoutes(settings: SettingsService): Router {
  const r = Router();
  r.get('/', requireRole('admin'), (_req, res) => {
    const current = settings.current();
    res.json({ source: settings.source, settings: { ...current, notifyWebhookUrl: current.notifyWebhookUrl ? 'set' : null } });
  });
  return r;
}
