/**
 * The last known state of what events are about (`credential:<id>` disabled/active, `model:…`
 * failing/ok, `credits:<user>` low/ok, `rate:<id>` below/ok), shared by every instance through the
 * database. Only the call that changes a state learns that it did, so of several instances that see
 * the same change at once, one tells people.
 */
import { QueryTypes, type Sequelize } from 'sequelize';

/** `changed`: this call moved the state; `first`: the subject had none; `same`: nothing to do. */
export type StateChange = 'changed' | 'first' | 'same';

export interface AlertStates {
  set(subject: string, state: string, now?: Date): Promise<StateChange>;
  get(subject: string): Promise<{ state: string; changedAt: Date } | null>;
}

export function createAlertStates(sequelize: Sequelize): AlertStates {
  const rows = (sql: string, replacements: Record<string, unknown>) => sequelize.query<Record<string, unknown>>(sql, { replacements, type: QueryTypes.SELECT });
  return {
    async set(subject, state, now = new Date()) {
      const updated = await rows(
        `UPDATE alert_states SET "state" = :state, "changedAt" = :now WHERE "subject" = :subject AND "state" <> :state RETURNING "subject"`,
        { subject, state, now },
      );
      if (updated.length) return 'changed';
      // Sequelize runs SQLite statements that start with "insert into" without reading rows back
      // (and trims the text first): the leading comment makes it read what RETURNING gives.
      const inserted = await rows(
        `/* first state */ INSERT INTO alert_states ("subject", "state", "changedAt") VALUES (:subject, :state, :now) ON CONFLICT ("subject") DO NOTHING RETURNING "subject"`,
        { subject, state, now },
      );
      return inserted.length ? 'first' : 'same';
    },
    async get(subject) {
      const [row] = await rows(`SELECT "state", "changedAt" FROM alert_states WHERE "subject" = :subject`, { subject });
      return row ? { state: String(row.state), changedAt: new Date(row.changedAt as string) } : null;
    },
  };
}
