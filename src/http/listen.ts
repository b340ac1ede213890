import { serve } from '@hono/node-server';
import { VigilError } from '../domain/errors.ts';

export interface Listening {
  url: string;
  close(): Promise<void>;
}

/** Listens with a fetch handler (a Hono app's `fetch`) and answers with the address it got. */
export async function listen(fetch: (request: Request) => Response | Promise<Response>, host: string, port: number): Promise<Listening> {
  const server = serve({ fetch, hostname: host, port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', () => resolve());
    server.once('error', (error) => reject(new VigilError('invalid_argument', `Cannot listen on ${host}:${port}: ${error.message}`, { cause: error })));
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${actualPort}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
