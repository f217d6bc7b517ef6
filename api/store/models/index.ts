import type { Sequelize } from 'sequelize';
import { initAccessKey, AccessKey } from './access-key.js';
import { initAiCredential, AiCredential } from './ai-credential.js';
import { initAiModelRate, AiModelRate } from './ai-model-rate.js';
import { initAiProvider, AiProvider } from './ai-provider.js';
import { initApp, App } from './app.js';
import { initModelCall, ModelCall } from './model-call.js';
import { initUsage, Usage } from './usage.js';
import { initUser, User } from './user.js';

export { AccessKey, AiCredential, AiModelRate, AiProvider, App, ModelCall, Usage, User };

export interface Models {
  User: typeof User;
  AccessKey: typeof AccessKey;
  App: typeof App;
  AiProvider: typeof AiProvider;
  AiCredential: typeof AiCredential;
  AiModelRate: typeof AiModelRate;
  ModelCall: typeof ModelCall;
  Usage: typeof Usage;
}

/** Binds every model to `sequelize`. Models are classes, so one process serves one database. */
export function initModels(sequelize: Sequelize): Models {
  return {
    User: initUser(sequelize),
    AccessKey: initAccessKey(sequelize),
    App: initApp(sequelize),
    AiProvider: initAiProvider(sequelize),
    AiCredential: initAiCredential(sequelize),
    AiModelRate: initAiModelRate(sequelize),
    ModelCall: initModelCall(sequelize),
    Usage: initUsage(sequelize),
  };
}
