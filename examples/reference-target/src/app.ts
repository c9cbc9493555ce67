import type { JWK } from 'jose';
import type { AppState } from './app-state.ts';
import type { Authenticate } from './auth.ts';
import type { TenantDal } from './dal.ts';
import type { Bugs, Mode } from './modes.ts';
import type { SystemDb } from './system-db.ts';

/** What the HTTP layer and the routes of one running target share. */
export interface App {
  mode: Mode;
  bugs: Bugs;
  dal: TenantDal;
  system: SystemDb;
  state: AppState;
  authenticate: Authenticate;
  knownTenants: ReadonlySet<string>;
  publicJwk: JWK;
  providerSecret: string;
  log: (line: string) => void;
}
