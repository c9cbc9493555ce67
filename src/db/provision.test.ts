import { afterEach, describe, expect, it } from 'vitest';
import { provisionDatabase, redactUrl, withClient, type ProvisionedDatabase } from './provision.ts';
import { dockerEngineAnswers } from './docker.ts';

const MACHINE_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';
const opened: ProvisionedDatabase[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.dispose()));
});

async function roundTrip(db: ProvisionedDatabase): Promise<string> {
  return withClient(db.url, async (c) => {
    await c.query('CREATE TABLE probe (v text)');
    await c.query("INSERT INTO probe VALUES ('here')");
    const { rows } = await c.query('SELECT current_database() AS name, (SELECT v FROM probe) AS v');
    expect(rows[0].v).toBe('here');
    return rows[0].name as string;
  });
}

describe('provisionDatabase', () => {
  it('starts embedded PostgreSQL, gives a private database, and stops it on dispose', async () => {
    const db = await provisionDatabase({ source: 'embedded' });
    opened.push(db);
    expect(db.source).toBe('embedded');
    expect(await roundTrip(db)).toMatch(/^ta_[0-9a-f]{12}$/);
    await db.dispose();
    await expect(withClient(db.url, (c) => c.query('SELECT 1'))).rejects.toThrow();
  });

  it('uses DATABASE_URL when given and isolates each caller in a fresh database', async () => {
    const [a, b] = await Promise.all([
      provisionDatabase({ databaseUrl: MACHINE_POSTGRES }),
      provisionDatabase({ databaseUrl: MACHINE_POSTGRES }),
    ]);
    opened.push(a, b);
    expect(a.source).toBe('env');
    const [nameA, nameB] = [await roundTrip(a), await roundTrip(b)];
    expect(nameA).not.toBe(nameB);
    await a.dispose();
    const left = await withClient(MACHINE_POSTGRES, (c) =>
      c.query('SELECT 1 FROM pg_database WHERE datname = $1', [nameA]),
    );
    expect(left.rowCount).toBe(0);
  });

  it('prefers DATABASE_URL from the environment in the automatic resolution', async () => {
    const saved = process.env['DATABASE_URL'];
    process.env['DATABASE_URL'] = MACHINE_POSTGRES;
    try {
      const db = await provisionDatabase();
      opened.push(db);
      expect(db.source).toBe('env');
    } finally {
      if (saved === undefined) delete process.env['DATABASE_URL'];
      else process.env['DATABASE_URL'] = saved;
    }
  });

  it('reports a clear error for an unreachable DATABASE_URL without printing its password', async () => {
    const attempt = provisionDatabase({ databaseUrl: 'postgres://postgres:s3cret-pw@127.0.0.1:1/none' });
    await expect(attempt).rejects.toMatchObject({ code: 'TA_DB_UNAVAILABLE' });
    await expect(attempt).rejects.not.toThrow(/s3cret-pw/);
  });

  it('redacts passwords in printed URLs', () => {
    expect(redactUrl('postgres://u:pw@h:5/db')).toBe('postgres://u:***@h:5/db');
  });
});

const engine = await dockerEngineAnswers();
describe.runIf(engine)('provisionDatabase via Testcontainers (a Docker engine answers)', () => {
  it('starts a container database', async () => {
    const db = await provisionDatabase({ source: 'testcontainers' });
    opened.push(db);
    await roundTrip(db);
  });
});
if (!engine) {
  describe('provisionDatabase via Testcontainers', () => {
    it('is selected only when a Docker engine answers: none answers here, so the automatic order skips it', async () => {
      console.warn('[tenancy-audit] Testcontainers path not exercised: no Docker engine answers on this machine.');
      const saved = process.env['DATABASE_URL'];
      delete process.env['DATABASE_URL'];
      try {
        const db = await provisionDatabase();
        opened.push(db);
        expect(db.source).toBe('embedded');
      } finally {
        if (saved !== undefined) process.env['DATABASE_URL'] = saved;
      }
    });
  });
}
