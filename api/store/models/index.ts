import type { Sequelize } from 'sequelize';
import { initAccessKey, AccessKey } from './access-key.js';
import { initAiCredential, AiCredential } from './ai-credential.js';
import { initAiModelRate, AiModelRate } from './ai-model-rate.js';
import { initAiProvider, AiProvider } from './ai-provider.js';
import { initApp, App } from './app.js';
import { initAuthCode, AuthCode } from './auth-code.js';
import { initCreditAccount, CreditAccount } from './credit-account.js';
import { initCreditGrant, CreditGrant } from './credit-grant.js';
import { initCreditReservation, CreditReservation } from './credit-reservation.js';
import { initCreditTransaction, CreditTransaction } from './credit-transaction.js';
import { initMeterReport, MeterReport } from './meter-report.js';
import { initModelCall, ModelCall } from './model-call.js';
import { initModelHealthCheck, ModelHealthCheck } from './model-health-check.js';
import { initNotification, Notification } from './notification.js';
import { initSession, Session } from './session.js';
import { initStoredResponse, StoredResponse } from './stored-response.js';
import { initUsage, Usage } from './usage.js';
import { initUser, User } from './user.js';

export { AccessKey, AiCredential, AiModelRate, AiProvider, App, AuthCode, CreditAccount, CreditGrant, CreditReservation, CreditTransaction, MeterReport, ModelCall, ModelHealthCheck, Notification, Session, StoredResponse, Usage, User };

export interface Models {
  User: typeof User;
  AccessKey: typeof AccessKey;
  App: typeof App;
  AiProvider: typeof AiProvider;
  AiCredential: typeof AiCredential;
  AiModelRate: typeof AiModelRate;
  ModelCall: typeof ModelCall;
  Usage: typeof Usage;
  CreditAccount: typeof CreditAccount;
  CreditGrant: typeof CreditGrant;
  CreditTransaction: typeof CreditTransaction;
  CreditReservation: typeof CreditReservation;
  MeterReport: typeof MeterReport;
  StoredResponse: typeof StoredResponse;
  Session: typeof Session;
  ModelHealthCheck: typeof ModelHealthCheck;
  Notification: typeof Notification;
  AuthCode: typeof AuthCode;
}

/** Models of their own bound to `sequelize` (boundClass), so several hubs can share one process. */
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
    CreditAccount: initCreditAccount(sequelize),
    CreditGrant: initCreditGrant(sequelize),
    CreditTransaction: initCreditTransaction(sequelize),
    CreditReservation: initCreditReservation(sequelize),
    MeterReport: initMeterReport(sequelize),
    StoredResponse: initStoredResponse(sequelize),
    Session: initSession(sequelize),
    ModelHealthCheck: initModelHealthCheck(sequelize),
    Notification: initNotification(sequelize),
    AuthCode: initAuthCode(sequelize),
  };
}
