import type { Command } from 'commander';
import { z } from 'zod';
import { createVigil } from '../../app.ts';
import { VigilError } from '../../domain/errors.ts';
import type { CliContext } from '../cli-context.ts';
import { loadCliConfig } from '../open-vigil.ts';

const counters = z.object({
  calls: z.number(),
  successes: z.number(),
  retries: z.number(),
  failures: z.record(z.string(), z.number()),
  tokens: z.object({ input: z.number(), output: z.number() }),
  latency: z.object({ p50Ms: z.number().nullable(), p95Ms: z.number().nullable() }),
});
const statsSchema = z.object({
  providers: z.array(
    z.union([
      z.object({
        provider: z.string(),
        kind: z.string(),
        model: z.string(),
        inFlight: z.number(),
        queued: z.object({ total: z.number() }),
        circuit: z.object({ state: z.string() }),
        totals: counters,
        cameras: z.record(z.string(), counters),
      }),
      z.object({ embeddings: z.unknown() }),
    ]),
  ),
});

const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)} ms`);

/**
 * Accounting lives in the running server (it is what talks to the providers), so the CLI asks
 * it over the API, with the same token rules as any client.
 */
export function registerGenaiStatsCommand(program: Command, ctx: CliContext): void {
  program
    .command('genai-stats')
    .description('calls, tokens, latency and queue state per model provider, from the running `vigil serve`')
    .option('--url <url>', 'the server (default: http://127.0.0.1:<server.port>)')
    .option('--json', 'print the raw JSON')
    .option('-c, --config <file>', 'configuration file (default: vigil.yml)')
    .action(async (options: { url?: string; json?: boolean; config?: string }) => {
      const loaded = await loadCliConfig(ctx, options.config);
      const base = options.url ?? `http://127.0.0.1:${loaded.config.server.port}`;
      const token = createVigil(loaded).apiToken();
      let response: Response;
      try {
        response = await fetch(`${base}/api/genai/stats`, { headers: token ? { authorization: `Bearer ${token}` } : {}, signal: AbortSignal.timeout(5000) });
      } catch (cause) {
        throw new VigilError('input_unreachable', `No Vigil server answered at ${base} (start one with \`vigil serve\`)`, { cause });
      }
      if (!response.ok) throw new VigilError('input_unreachable', `${base} answered HTTP ${response.status}`);
      const stats = statsSchema.parse(await response.json());
      if (options.json) {
        ctx.stdout.write(`${JSON.stringify(stats)}\n`);
        return;
      }
      const lines: string[] = [];
      for (const p of stats.providers) {
        if (!('provider' in p)) continue;
        const t = p.totals;
        const failures = Object.entries(t.failures).map(([code, n]) => `${code} ${n}`).join(', ') || 'none';
        lines.push(
          `${p.provider} (${p.kind} ${p.model}): ${t.calls} calls, ${t.successes} ok, ${t.retries} retries, failures: ${failures}; ` +
            `tokens in ${t.tokens.input} / out ${t.tokens.output}; latency p50 ${ms(t.latency.p50Ms)}, p95 ${ms(t.latency.p95Ms)}; ` +
            `now ${p.inFlight} in flight, ${p.queued.total} queued, circuit ${p.circuit.state}`,
        );
        for (const [camera, c] of Object.entries(p.cameras)) {
          lines.push(`  ${camera}: ${c.calls} calls, tokens in ${c.tokens.input} / out ${c.tokens.output}, p50 ${ms(c.latency.p50Ms)}`);
        }
      }
      ctx.stdout.write(lines.length ? `${lines.join('\n')}\n` : 'No model provider is configured.\n');
    });
}
