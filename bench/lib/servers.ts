/**
 * The benchmark's targets, in a process of their own so that the load generators (the harness and autocannon)
 * do not share an event loop with them: a trivial JSON endpoint, and the fail-closed chaos target (mode `ok`)
 * for the probe-load run. Prints one JSON line `{ trivial, chaos }` with their URLs, then serves until killed
 * or until its parent goes away.
 */
import http from 'node:http';
import type net from 'node:net';
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

process.stdout.write(`${JSON.stringify({ trivial: `http://127.0.0.1:${(trivial.address() as net.AddressInfo).port}`, chaos: chaos.url })}\n`);
// Stop with the parent: the IPC channel closes when it exits, however it exits.
process.on('disconnect', () => process.exit(0));
