import crypto from 'node:crypto';
import http from 'node:http';
import type { ReceivedCallback } from '../core/exchange.ts';

export type Delivery = ReceivedCallback;

export interface CallbackEndpoint {
  /** The unique URL to give the target for one job. */
  url: string;
  /** The path deliveries to `url` arrive at. */
  path: string;
  deliveries(): readonly Delivery[];
  /** Resolves with the deliveries once `count` arrived, or with what arrived when `timeoutMs` passes. */
  waitFor(count: number, timeoutMs: number): Promise<readonly Delivery[]>;
}

export interface CallbackReceiver {
  endpoint(): CallbackEndpoint;
  /**
   * Resolves true as soon as `done()` holds (checked now and after every delivery, to any path), or false when
   * `timeoutMs` passes first: an explicit "until condition or deadline", never a fixed sleep.
   */
  waitUntil(done: () => boolean, timeoutMs: number): Promise<boolean>;
  /** Every delivery, including those to paths no endpoint was handed out for. */
  all(): readonly Delivery[];
  close(): Promise<void>;
}

const MAX_BODY = 1_048_576;

/**
 * Listens for the target's outbound callbacks (loopback by default). Each job gets its own unguessable
 * path, so a callback that lands on another job's URL is seen for what it is.
 */
export async function startCallbackReceiver(options: { host?: string; publicUrl?: string } = {}): Promise<CallbackReceiver> {
  const host = options.host ?? '127.0.0.1';
  const byPath = new Map<string, Delivery[]>();
  const waiters = new Set<() => void>();
  const everything: Delivery[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      const delivery: Delivery = { method: req.method ?? 'POST', path, headers, body: Buffer.concat(chunks).toString('utf8'), receivedAt: new Date().toISOString() };
      everything.push(delivery);
      byPath.get(path)?.push(delivery);
      waiters.forEach((wake) => wake());
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const base = (options.publicUrl ?? `http://${host}:${port}`).replace(/\/$/, '');

  const waitUntil = (done: () => boolean, timeoutMs: number): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const settle = (outcome: () => void) => {
        clearTimeout(timer);
        waiters.delete(wake);
        outcome();
      };
      // A condition that throws (a broken scenario) rejects the wait instead of breaking the receiver.
      const check = (): boolean | undefined => {
        try {
          return done();
        } catch (error) {
          settle(() => reject(error instanceof Error ? error : new Error(String(error))));
          return undefined;
        }
      };
      const wake = () => {
        if (check() === true) settle(() => resolve(true));
      };
      const timer = setTimeout(() => {
        const met = check();
        if (met !== undefined) settle(() => resolve(met));
      }, Math.max(0, timeoutMs));
      waiters.add(wake);
      wake();
    });

  return {
    waitUntil,
    endpoint() {
      const path = `/callbacks/${crypto.randomBytes(12).toString('hex')}`;
      const list: Delivery[] = [];
      byPath.set(path, list);
      return {
        url: `${base}${path}`,
        path,
        deliveries: () => list,
        waitFor: async (count, timeoutMs) => {
          await waitUntil(() => list.length >= count, timeoutMs);
          return list;
        },
      };
    },
    all: () => everything,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
