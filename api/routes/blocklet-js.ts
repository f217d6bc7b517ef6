import type { Request, Response } from 'express';
import type { Config } from '../config.js';
import { BadRequestError } from '../errors.js';

export const HUB_COMPONENT_DID = 'z8ia3xzq2tMq8CRHfaXj1BTYJyYnEcHbqP8cJ';

/** A host name or address with an optional port: nothing else may come from the Host header. */
const HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** The configured public URL when there is one; else where this request came to (its Host, checked). */
export function publicOrigin(config: Config, req: Request): string {
  if (config.appUrl) return config.appUrl;
  const host = req.get('host') ?? '';
  if (!HOST.test(host)) throw new BadRequestError('Bad Host header');
  return `${req.protocol}://${host}`;
}

/**
 * Standalone discovery (API.md §4): what Blocklet Server answers for `/__blocklet__.js`, so that
 * AIGNE clients find the hub's mount point.
 */
export function blockletJs(config: Config) {
  return (req: Request, res: Response) => {
    const origin = publicOrigin(config, req);
    const info = {
      appId: config.blocklet.appId ?? 'aigne-hub',
      appPid: config.blocklet.appPid ?? 'aigne-hub',
      appName: config.appName,
      appUrl: origin,
      version: config.version,
      componentMountPoints: [{ did: HUB_COMPONENT_DID, name: 'ai-kit', title: 'AIGNE Hub', mountPoint: '/' }],
    };
    res.setHeader('Cache-Control', 'no-cache');
    if (req.query.type === 'json') {
      res.json(info);
      return;
    }
    res.type('application/javascript').send(`window.blocklet = ${JSON.stringify(info)};`);
  };
}
