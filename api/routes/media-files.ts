/** GET /api/media/:name — the files the hub answers as URLs (API.md §12); the name is the key. */
import { createReadStream } from 'node:fs';
import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '../errors.js';
import type { MediaStore } from '../services/media-store.js';

export function mediaFileRoutes(media: MediaStore): Router {
  const router = Router();
  router.get('/:name', async (req: Request, res: Response) => {
    const file = await media.open(String(req.params.name));
    if (!file) throw new NotFoundError('No such file (it may have expired)');
    res.setHeader('Content-Type', file.mimeType);
    res.setHeader('Content-Length', file.size);
    res.setHeader('Cache-Control', 'private, max-age=86400');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    createReadStream(file.path).pipe(res);
  });
  return router;
}

/** The absolute URL of a kept file, on the origin the client called (or the app's configured URL). */
export function mediaUrl(req: Request, appUrl: string | undefined, name: string): string {
  const origin = appUrl ? appUrl.replace(/\/+$/, '') : `${req.protocol}://${req.get('host')}`;
  return `${origin}/api/media/${name}`;
}
