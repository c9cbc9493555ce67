import http from 'node:http';

export interface AttackerJwksServer {
  /** URL to put in forged `jku`/`x5u` headers. */
  url: string;
  /** How often the target fetched it (a fail-closed target never does). */
  fetches(): number;
  close(): Promise<void>;
}

/** Serves the attacker's JWKS on loopback, so a target that follows `jku` really finds the forging key. */
export async function startAttackerJwksServer(jwks: unknown, host = '127.0.0.1'): Promise<AttackerJwksServer> {
  let count = 0;
  const body = JSON.stringify(jwks);
  const server = http.createServer((req, res) => {
    count++;
    res.writeHead(req.url?.startsWith('/jwks.json') ? 200 : 404, { 'content-type': 'application/json' });
    res.end(req.url?.startsWith('/jwks.json') ? body : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://${host}:${port}/jwks.json`,
    fetches: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
