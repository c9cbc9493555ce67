import type { App } from '../app.ts';
import { ForbiddenError, HttpError, NotFoundError, ValidationError } from '../errors.ts';
import { parseJson, type Route, type RouteRequest, type RouteResponse } from '../http.ts';
import { signatureMatches } from '../signatures.ts';
import { runWithContext } from '../tenant-context.ts';
import { bodyObject, isUuid } from '../validation.ts';

export const PROVIDER_SIGNATURE_HEADER = 'X-Provider-Signature';

/**
 * Inbound completion from the (simulated) generation provider. No bearer: authenticity comes from the
 * HMAC of the raw body, and the tenant comes from the stored job, never from the payload.
 */
export function webhookRoutes(app: App): Route[] {
  const provider = async (req: RouteRequest): Promise<RouteResponse> => {
    if (!signatureMatches(req.headers[PROVIDER_SIGNATURE_HEADER.toLowerCase()], req.rawBody, app.providerSecret)) {
      throw new HttpError(401, 'INVALID_SIGNATURE', `missing or invalid ${PROVIDER_SIGNATURE_HEADER}`);
    }
    const body = bodyObject(parseJson(req.rawBody));
    const { jobId, status, output, tenantId: claimed } = body;
    if (typeof jobId !== 'string') throw new ValidationError('"jobId" must be a string');
    if (status !== 'completed') throw new ValidationError('"status" must be "completed"');
    if (typeof output !== 'string' || output.length > 100_000) throw new ValidationError('"output" must be a string');
    if (claimed !== undefined && typeof claimed !== 'string') throw new ValidationError('"tenantId" must be a string');

    const owner = isUuid(jobId) ? await app.system.jobOwner(jobId) : null;
    if (!owner) throw new NotFoundError('job');
    const tenant = app.bugs.webhookTrustsPayload && claimed !== undefined ? claimed : owner; // seeded bug: payload names the tenant
    if (claimed !== undefined && claimed !== tenant) {
      throw new ForbiddenError('TENANT_MISMATCH', 'the payload names a tenant other than the job owner');
    }
    await runWithContext({ requestId: req.requestId, tenantId: tenant }, () => app.system.completeJob(jobId, output));
    return { status: 200, body: { ok: true, jobId, tenantId: tenant, status: 'succeeded' } };
  };

  return [{ method: 'POST', pattern: '/webhooks/provider', auth: 'none', handler: provider }];
}
