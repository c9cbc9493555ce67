import http from 'node:http';
import fs from 'node:fs';

/** Answers whether a Docker engine responds to `/_ping` (DOCKER_HOST or the default socket), within `timeoutMs`. */
export async function dockerEngineAnswers(timeoutMs = 1500): Promise<boolean> {
  const target = dockerTarget();
  if (!target) return false;
  return new Promise((resolve) => {
    const req = http.request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

function dockerTarget(): http.RequestOptions | undefined {
  const host = process.env['DOCKER_HOST'];
  if (host?.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  if (host?.startsWith('tcp://')) {
    const url = new URL(host.replace('tcp://', 'http://'));
    return { host: url.hostname, port: Number(url.port || 2375) };
  }
  const socketPath = '/var/run/docker.sock';
  return fs.existsSync(socketPath) ? { socketPath } : undefined;
}
