import net from 'node:net';
import tls from 'node:tls';
import { ResponseParser, type ResponseHead, type ResponseSink } from './response-parser.ts';
import { TransportError } from './transport-error.ts';

/** What a connection reports to the exchange it is carrying. */
export interface ExchangeSink extends ResponseSink {
  /**
   * `unanswered`: the connection had carried an earlier exchange and not one byte of this answer arrived, the
   * mark of a keep-alive connection the server closed as the request left (it never read the request).
   */
  onError(error: TransportError, unanswered: boolean): void;
}

/** How long an idle connection is kept when the server does not say. */
const DEFAULT_IDLE_MS = 4000;
/** Give back an idle connection this long before the server said it would close it, so a request never races the close. */
const IDLE_MARGIN_MS = 2000;
const KEEP_ALIVE_TIMEOUT = /(?:^|,)\s*timeout\s*=\s*(\d+)/i;

export interface PoolOptions {
  /** Extra TLS settings (a test CA); the defaults verify certificates against the system store. */
  tls?: tls.ConnectionOptions;
}

/**
 * Keep-alive connections per origin, one request at a time on each. A connection goes back to the pool only
 * after a complete response that allows reuse and nothing unasked-for after it; idle ones expire before the
 * server's own keep-alive timeout. Every connection is destroyed by `close()`, busy or not.
 */
export class ConnectionPool {
  private readonly idle = new Map<string, Connection[]>();
  private readonly open = new Set<Connection>();

  constructor(private readonly options: PoolOptions = {}) {}

  /** Sends `bytes` on a live idle connection to `url`'s origin (unless `fresh`), or on a new one; the answer goes to `sink`. */
  send(url: URL, bytes: string | Buffer, method: string, sink: ExchangeSink, fresh = false): Connection {
    const key = url.origin;
    const stack = fresh ? undefined : this.idle.get(key);
    const now = performance.now();
    let connection: Connection | undefined;
    while (stack && stack.length > 0) {
      const candidate = stack.pop()!;
      if (candidate.reusable(now)) {
        connection = candidate;
        break;
      }
      candidate.destroy();
    }
    connection ??= this.connect(url);
    connection.carry(bytes, method, sink);
    return connection;
  }

  close(): void {
    for (const connection of this.open) connection.destroy();
    this.idle.clear();
  }

  private connect(url: URL): Connection {
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const secure = url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], ...this.options.tls })
      : net.connect({ host, port });
    const connection = new Connection(socket, url.origin, this);
    this.open.add(connection);
    return connection;
  }

  /** @internal a connection finished its exchange. */
  released(connection: Connection, idleMs: number): void {
    if (idleMs <= 0 || !this.open.has(connection)) return connection.destroy();
    connection.idleUntil = performance.now() + idleMs;
    let stack = this.idle.get(connection.origin);
    if (!stack) this.idle.set(connection.origin, (stack = []));
    stack.push(connection);
  }

  /** @internal a connection closed. */
  closed(connection: Connection): void {
    this.open.delete(connection);
  }
}

export class Connection implements ResponseSink {
  private readonly parser = new ResponseParser(this);
  private sink: ExchangeSink | undefined;
  private idleMs = 0;
  private dead = false;
  private carried = 0;
  idleUntil = 0;

  constructor(
    private readonly socket: net.Socket,
    readonly origin: string,
    private readonly pool: ConnectionPool,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (error: NodeJS.ErrnoException) => this.fail(socketError(error)));
    socket.on('close', () => this.onClose());
  }

  reusable(now: number): boolean {
    return !this.dead && now < this.idleUntil;
  }

  carry(bytes: string | Buffer, method: string, sink: ExchangeSink): void {
    this.sink = sink;
    this.carried++;
    this.parser.expect(method);
    this.socket.ref();
    if (typeof bytes === 'string') this.socket.write(bytes, 'latin1');
    else this.socket.write(bytes);
  }

  /** Drops the connection (the exchange gave up on it, or the pool is closing). Nothing more is reported. */
  destroy(): void {
    this.sink = undefined;
    this.parser.stop();
    this.dead = true;
    this.socket.destroy();
  }

  onHead(head: ResponseHead): void {
    this.idleMs = head.keepAlive ? idleTime(head.headers['keep-alive']) : 0;
    this.sink?.onHead(head);
  }

  onBody(chunk: Buffer): void {
    this.sink?.onBody(chunk);
  }

  onComplete(): void {
    // Reported once the chunk that completed it is fully read: bytes after the response forbid reuse.
  }

  private onData(chunk: Buffer): void {
    if (!this.sink) return this.destroy(); // unsolicited bytes on an idle connection: nothing can trust it
    try {
      this.parser.execute(chunk);
    } catch (error) {
      return this.fail(error as TransportError);
    }
    if (this.parser.complete) this.settle(this.parser.excess ? 0 : this.idleMs);
  }

  private onEnd(): void {
    this.dead = true;
    if (!this.sink) return;
    try {
      this.parser.end();
    } catch (error) {
      return this.fail(error as TransportError);
    }
    if (this.parser.complete) this.settle(0);
  }

  private onClose(): void {
    this.dead = true;
    this.pool.closed(this);
    this.fail(new TransportError('reset', this.parser.started ? 'the connection closed before the response was complete' : 'the connection closed before any response'));
  }

  private settle(idleMs: number): void {
    const sink = this.sink!;
    this.sink = undefined;
    this.socket.unref();
    if (this.dead) this.destroy();
    else this.pool.released(this, idleMs);
    sink.onComplete();
  }

  private fail(error: TransportError): void {
    const sink = this.sink;
    const unanswered = this.carried > 1 && !this.parser.started;
    this.destroy();
    sink?.onError(error, unanswered);
  }
}

function idleTime(keepAlive: string | undefined): number {
  const hint = keepAlive === undefined ? undefined : KEEP_ALIVE_TIMEOUT.exec(keepAlive);
  return hint ? Math.min(DEFAULT_IDLE_MS, Number(hint[1]) * 1000 - IDLE_MARGIN_MS) : DEFAULT_IDLE_MS;
}

function socketError(error: NodeJS.ErrnoException): TransportError {
  const code = error.code ?? '';
  const message = `${code ? `${code}: ` : ''}${error.message}`;
  if (code === 'ECONNREFUSED') return new TransportError('refused', message);
  if (code === 'ECONNRESET' || code === 'EPIPE') return new TransportError('reset', message);
  if (code === 'ETIMEDOUT') return new TransportError('timeout', message);
  return new TransportError('error', message);
}
