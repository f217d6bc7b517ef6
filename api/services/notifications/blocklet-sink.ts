/**
 * Inside Blocklet Server: notifications through its notification service (@blocklet/sdk, imported
 * only there — it throws anywhere else). Events about a user go to that user; the others go to the
 * hub's admins.
 */
import type { Models } from '../../store/models/index.js';
import { ADMIN_USER_DID } from '../access-keys.js';
import type { NotificationSink } from './notifier.js';

type Severity = 'normal' | 'success' | 'error' | 'warning';
export type BlockletSend = (receiver: string | string[], notification: { title: string; body: string; severity: Severity }) => Promise<unknown>;

const SEVERITY: Record<string, Severity> = { info: 'normal', success: 'success', warning: 'warning', error: 'error' };

async function sdkSend(): Promise<BlockletSend> {
  const mod = (await import('@blocklet/sdk/lib/service/notification.js')) as unknown as { default: { sendToUser: BlockletSend } };
  return (receiver, notification) => mod.default.sendToUser(receiver, notification);
}

export function createBlockletSink(models: Pick<Models, 'User'>, send?: BlockletSend): NotificationSink {
  let sender: Promise<BlockletSend> | undefined;
  return {
    name: 'blocklet',
    async deliver(n) {
      let receivers: string[];
      if (n.userDid) receivers = [n.userDid];
      else receivers = (await models.User.findAll({ where: { role: 'admin' }, attributes: ['did'] })).map((u) => u.did).filter((did) => did !== ADMIN_USER_DID);
      if (!receivers.length) return 'skipped';
      const fn = await (sender ??= send ? Promise.resolve(send) : sdkSend());
      await fn(receivers, { title: n.title, body: n.message, severity: SEVERITY[n.severity] ?? 'normal' });
      return { attempts: 1 };
    },
  };
}
