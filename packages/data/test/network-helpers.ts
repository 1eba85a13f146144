import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Server } from 'node:net';

/** How a test server answers: `hit` is the 1-based count of requests to this path so far. */
export type Handler = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

/** A local HTTP server whose `handler` misbehaves as each test needs; `hits` counts requests per path. */
export async function misbehave(handler: Handler) {
  const hits: Record<string, number> = {};
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits[path] = (hits[path] ?? 0) + 1;
    handler(req, res, hits[path]);
  });
  return listen(server, hits);
}

/** Listens on 127.0.0.1 and a free port; `close` drops open connections too. */
export async function listen(server: Server, hits: Record<string, number> = {}) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
