/** API.md §1: browser sessions. */

export type Role = 'admin' | 'member';

export interface SessionUser {
  did: string;
  name: string | null;
  role: Role;
}

/** `GET /api/auth/session` and `POST /api/auth/login`. */
export interface SessionAnswer {
  user: SessionUser;
}

export interface LoginBody {
  key: string;
}

/** `POST /api/auth/logout`. */
export interface LogoutAnswer {
  ok: true;
}
