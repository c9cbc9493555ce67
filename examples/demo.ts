/**
 * `npm run demo`: starts the reference target (fail-closed by default) on an embedded PostgreSQL,
 * audits it with its config, writes the run folder under reports/, stops everything, and exits
 * with the audit's exit code. `--mode NAME` seeds one of the target's bugs instead. `--from-spec` audits it from
 * its own description alone (`GET /openapi.json`, as `tenancy-audit run --openapi` does): the config is generated
 * into the run folder, with the target's test issuer as the token source and its test signing secrets filled in
 * where the generated file would have placeholders.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTerminalReporter, EXIT, renderReport, run, TenancyAuditError } from 'tenancy-audit';
import { isMode, MODES, startReferenceTarget, TENANTS, type RunningTarget } from './reference-target/src/index.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

async function demo(argv: string[]): Promise<number> {
  const modeIndex = argv.indexOf('--mode');
  const mode = modeIndex >= 0 ? argv[modeIndex + 1] : (process.env['REFERENCE_TARGET_MODE'] ?? 'fail-closed');
  if (!mode || !isMode(mode)) {
    process.stderr.write(`unknown mode "${mode}"; one of: ${MODES.join(', ')}\n`);
    return 2;
  }
  const seedIndex = argv.indexOf('--seed');
  const seed = seedIndex >= 0 ? Number(argv[seedIndex + 1]) : undefined;
  process.stdout.write(`starting the reference target (mode ${mode}) on its embedded database…\n`);
  // The first attempt of every job fails, so the retry path is exercised too.
  const target = await startReferenceTarget({ mode, failFirstAttempt: true });
  try {
    const fromSpec = argv.includes('--from-spec');
    // A project and a document per tenant first, so the data-layer proofs have rows of every tenant to look for.
    await seedSampleData(target);
    // One run, one assessment: the HTTP suites, then the target's own database audited as its app role (the
    // config's `database:` section, here given at run time because the embedded database's URL is only known now).
    const result = await run({
      ...(fromSpec ? { spec: specOf(target) } : { config: path.join(here, 'reference-target', 'tenancy-audit.config.yaml') }),
      target: target.url,
      database: { url: target.appDatabaseUrl, tenantSetting: 'app.tenant_id' },
      ...(seed !== undefined && Number.isSafeInteger(seed) ? { seed } : {}),
      command: `npm run demo${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      onEvent: reporter(),
    });
    await renderReport(result.dir, { formats: ['html', 'md', 'junit', 'json', 'sarif', 'oscal'], pdf: argv.includes('--pdf') });
    process.stdout.write(`evidence and reports: ${result.dir}\n`);
    return result.exitCode;
  } finally {
    await target.stop();
  }
}

/** `run --openapi <target>/openapi.json` with the reference target's test issuer and its test secrets. */
function specOf(target: RunningTarget) {
  return {
    openapi: `${target.url}/openapi.json`,
    tenants: [...TENANTS],
    identity: {
      kind: 'mint' as const,
      key: { alg: 'RS256', jwk: `file:${path.join(here, 'reference-target', 'fixtures', 'issuer.private.jwk.json')}`, kid: target.issuer.kid },
      issuer: target.issuer.issuer,
      audience: target.issuer.audience,
      subject: 'audit-user@{{tenant}}',
    },
    // Every tenant the run uses needs its callback secret, or callback.integrity is (rightly) not configured.
    callbackSecrets: Object.fromEntries(TENANTS.map((t) => [t, `callback-secret-${t}`])),
    webhookSecrets: { '*': 'provider-secret-dev' },
  };
}

function reporter() {
  return createTerminalReporter({ live: Boolean(process.stdout.isTTY) && !process.env['CI'] });
}

/** A project (created with an idempotency key) and a document per tenant, so the data-layer proofs have rows of every tenant to look for. */
async function seedSampleData(target: RunningTarget): Promise<void> {
  for (const tenant of TENANTS) {
    const headers = { authorization: `Bearer ${await target.issuer.mint({ tenant_id: tenant })}`, 'content-type': 'application/json' };
    // With an idempotency key, so every tenant also has a row in the idempotency table.
    const project = await fetch(`${target.url}/projects`, { method: 'POST', headers: { ...headers, 'idempotency-key': `seed-${tenant}` }, body: JSON.stringify({ name: `${tenant} roadmap` }) });
    const { id } = (await project.json()) as { id: string };
    await fetch(`${target.url}/projects/${id}/documents`, { method: 'POST', headers, body: JSON.stringify({ title: `${tenant} notes`, body: `internal notes of ${tenant}` }) });
  }
}

try {
  process.exitCode = await demo(process.argv.slice(2));
} catch (error) {
  // The CLI's own error report, as a user's script would print it: code, message and what to do next.
  if (!(error instanceof TenancyAuditError)) throw error;
  process.stderr.write(`error ${error.code}: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
  process.exitCode = error.code === 'TA_CONFIG_INVALID' || error.code === 'TA_USAGE' ? EXIT.usage : EXIT.inconclusive;
}
