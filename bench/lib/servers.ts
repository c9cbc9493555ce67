/**
 * The benchmark's targets, in a process of their own so that the load generators (the harness and autocannon)
 * do not share an event loop with them: a trivial JSON endpoint, the fail-closed chaos target (mode `ok`) for the
 * probe-load run, and the reference target (fail-closed, with its PostgreSQL: DATABASE_URL, else Testcontainers,
 * else embedded) with a tenant token for its `GET /projects`. Prints one JSON line
 * `{ trivial, chaos, reference: { url, authorization } }`, then serves until killed or until its parent goes away.
 */
import http from 'node:http';
import type net from 'node:net';
import { startReferenceTarget } from '../../examples/reference-target/src/index.ts';
import { startChaosTarget } from '../../test/support/chaos-target.ts';

const BODY = JSON.stringify({ items: [{ id: 'p1', name: 'project one' }], total: 1 });

const trivial = http.createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
  res.end(BODY);
});
trivial.keepAliveTimeout = 10_000;
await new Promise<void>((resolve) => trivial.listen(0, '127.0.0.1', resolve));
const chaos = await startChaosTarget();
const reference = await startReferenceTarget({ mode: 'fail-closed' });
const token = await reference.issuer.mint({ tenant_id: 'acme', sub: 'bench-user@acme' });

process.stdout.write(
  `${JSON.stringify({
    trivial: `http://127.0.0.1:${(trivial.address() as net.AddressInfo).port}`,
    chaos: chaos.url,
    reference: { url: `${reference.url}/projects`, authorization: `Bearer ${token}` },
  })}\n`,
);
// Stop with the parent (the IPC channel closes when it exits, however it exits) or when told to.
const stop = () => void reference.stop().finally(() => process.exit(0));
process.on('disconnect', stop);
process.on('SIGTERM', stop);
