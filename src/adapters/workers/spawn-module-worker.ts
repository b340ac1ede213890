import { Worker } from 'node:worker_threads';

/**
 * The URL of a worker module that sits beside `importMetaUrl`. Compiled code runs `name.js`;
 * source run by tsx or vitest runs `name.ts`.
 */
export function siblingModule(importMetaUrl: string, name: string): URL {
  const ext = importMetaUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, importMetaUrl);
}

/**
 * Start a worker thread on an ES module. A `.ts` entry (tests and `tsx` runs) is loaded through
 * tsx's loader, registered inside the worker, because loader flags in `execArgv` do not reach
 * worker threads on Node 20.
 */
export function spawnModuleWorker(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
