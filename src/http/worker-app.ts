import { Hono } from 'hono';
import { VigilError } from '../domain/errors.ts';
import { requireToken } from './auth.ts';
import type { Logger } from '../ports/logger.ts';
import { errorResponse } from './http-error.ts';

export interface WorkerAppDeps {
  metrics: { text(): Promise<string>; contentType(): string };
  /** Required beyond localhost (as `vigil serve`'s API token). */
  token?: string;
  version: string;
  logger: Logger;
}

/**
 * What a `vigil worker` serves: its own Prometheus metrics (each worker is scraped on its own)
 * and a health check. Everything else is `vigil serve`'s.
 */
export function workerApp(deps: WorkerAppDeps): Hono {
  const app = new Hono();
  app.onError((error, c) => errorResponse(error, c, deps.logger));
  if (deps.token) app.use('/metrics', requireToken(deps.token));
  app.get('/api/health', (c) => c.json({ status: 'ok', version: deps.version, role: 'worker' }));
  app.get('/metrics', async (c) => c.body(await deps.metrics.text(), 200, { 'Content-Type': deps.metrics.contentType(), 'Cache-Control': 'no-store' }));
  app.notFound((c) => errorResponse(new VigilError('not_found', 'a worker serves only /metrics and /api/health; the API is `vigil serve`'), c, deps.logger));
  return app;
}
