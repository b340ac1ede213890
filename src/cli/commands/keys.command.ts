import type { Command } from 'commander';
import { createLogger } from '../../app.ts';
import { VigilError } from '../../domain/errors.ts';
import type { GatewayKey, GatewayKeyLimits } from '../../ports/gateway-store.ts';
import type { GatewayUsageReport } from '../../services/gateway/gateway-keys.ts';
import type { CliContext } from '../cli-context.ts';
import { withVigil } from '../open-vigil.ts';

/** The limit flags of `create` and `limits`, as commander hands them over (strings). */
export interface LimitFlags {
  models?: string;
  rpm?: string;
  concurrency?: string;
  tokensPerDay?: string;
  maxContext?: string;
  maxOutput?: string;
  priority?: string;
}

type NumericLimit = Exclude<keyof GatewayKeyLimits, 'models' | 'priority'>;
const NUMERIC_FLAGS: ReadonlyArray<[keyof LimitFlags, NumericLimit, string]> = [
  ['rpm', 'requestsPerMinute', '--rpm'],
  ['concurrency', 'concurrentRequests', '--concurrency'],
  ['tokensPerDay', 'tokensPerDay', '--tokens-per-day'],
  ['maxContext', 'maxContextTokens', '--max-context'],
  ['maxOutput', 'maxOutputTokens', '--max-output'],
];
const NO_LIMIT = new Set(['0', 'none']);

/**
 * The limits the flags name (flags not given are left out): 0 or "none" clears a number,
 * "all" or "none" lets a key use every routed model. Anything else unreadable is refused here,
 * naming the flag; the service checks the values themselves.
 */
export function parseLimitFlags(flags: LimitFlags): Partial<GatewayKeyLimits> {
  const limits: Partial<GatewayKeyLimits> = {};
  if (flags.models !== undefined) {
    const text = flags.models.trim();
    if (text === 'all' || text === 'none') limits.models = null;
    else {
      const models = text.split(',').map((m) => m.trim()).filter((m) => m !== '');
      if (models.length === 0) throw new VigilError('invalid_argument', '--models expects model names separated by commas (or "all").');
      limits.models = models;
    }
  }
  for (const [flag, limit, name] of NUMERIC_FLAGS) {
    const text = flags[flag]?.trim();
    if (text === undefined) continue;
    if (NO_LIMIT.has(text)) limits[limit] = null;
    else if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) limits[limit] = Number(text);
    else throw new VigilError('invalid_argument', `${name} expects a whole number (0 or "none" for no limit), not "${text}".`);
  }
  if (flags.priority !== undefined) {
    if (flags.priority !== 'interactive' && flags.priority !== 'background') {
      throw new VigilError('invalid_argument', `--priority is "interactive" or "background", not "${flags.priority}".`);
    }
    limits.priority = flags.priority;
  }
  return limits;
}

const count = (n: number) => n.toLocaleString('en-US');
/** Minutes are enough to tell when a key was made or used; UTC, as usage days are. */
export const formatTime = (ms: number | null) => (ms === null ? '-' : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`);

/** "models qwen3*,llama3.2; 60/min; 2 at once; 100,000 tokens/day; context 32,768; output 8,192; interactive". */
export function describeLimits(limits: GatewayKeyLimits): string {
  const parts = [
    `models ${limits.models === null ? 'all' : limits.models.join(',')}`,
    limits.requestsPerMinute !== null ? `${count(limits.requestsPerMinute)}/min` : undefined,
    limits.concurrentRequests !== null ? `${count(limits.concurrentRequests)} at once` : undefined,
    limits.tokensPerDay !== null ? `${count(limits.tokensPerDay)} tokens/day` : undefined,
    limits.maxContextTokens !== null ? `context ${count(limits.maxContextTokens)}` : undefined,
    limits.maxOutputTokens !== null ? `output ${count(limits.maxOutputTokens)}` : undefined,
    limits.priority,
  ];
  return parts.filter((p) => p !== undefined).join('; ');
}

/** Columns padded to their widest cell; the last one is left as it is. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : rightAligned.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function formatKeyList(keys: readonly GatewayKey[]): string {
  if (keys.length === 0) return 'No gateway keys yet; make one with `vigil keys create NAME`.\n';
  return table(
    ['NAME', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED', 'LIMITS'],
    keys.map((k) => [k.name, k.prefix, formatTime(k.createdAt), formatTime(k.lastUsedAt), formatTime(k.revokedAt), describeLimits(k.limits)]),
  );
}

const ms = (n: number) => (n < 1000 ? `${Math.round(n)} ms` : `${(n / 1000).toFixed(1)} s`);

export function formatUsage(report: GatewayUsageReport): string {
  const span = report.fromDay === report.toDay ? report.toDay : `${report.fromDay} to ${report.toDay}`;
  if (report.totals.length === 0) return `No gateway requests from ${span} (UTC).\n`;
  const body = table(
    ['KEY', 'MODEL', 'REQUESTS', 'FAILURES', 'TOKENS IN', 'TOKENS OUT', 'MEAN WAIT', 'MEAN LATENCY'],
    report.totals.map((t) => [t.keyName, t.model, count(t.requests), count(t.failures), count(t.inputTokens), count(t.outputTokens), ms(t.meanQueueWaitMs), ms(t.meanLatencyMs)]),
    new Set([2, 3, 4, 5, 6]),
  );
  return `Gateway usage ${span} (UTC days)\n${body}`;
}

/** How to reach the gateway, from the server's configured address ("<vigil-host>" when it listens on every interface). */
function baseUrl(server: { host: string; port: number }): string {
  const anyAddress = server.host === '0.0.0.0' || server.host === '::' || server.host === '[::]';
  const host = anyAddress ? '<vigil-host>' : server.host.includes(':') ? `[${server.host}]` : server.host;
  return `http://${host}:${server.port}`;
}

/** What `create` prints: the secret once, said to be shown once, and how clients use it. */
export function formatCreated(created: { key: GatewayKey; secret: string }, where: { server: { host: string; port: number }; gatewayEnabled: boolean }): string {
  const { key, secret } = created;
  const url = baseUrl(where.server);
  return [
    `Created gateway key "${key.name}" (${key.prefix}).`,
    '',
    'Its secret follows. It will not be shown again: Vigil keeps only a hash of it, so store it now.',
    '',
    `  ${secret}`,
    '',
    'Clients send it as their API key:',
    `  Claude Code:   ANTHROPIC_BASE_URL=${url} ANTHROPIC_AUTH_TOKEN=<the secret> claude`,
    `  OpenAI SDKs:   OPENAI_BASE_URL=${url}/v1 OPENAI_API_KEY=<the secret>`,
    '  Plain HTTP:    Authorization: Bearer <the secret>',
    '',
    `Limits: ${describeLimits(key.limits)}`,
    ...(where.gatewayEnabled ? [] : ['Note: the gateway is off; set gateway.enabled: true in the configuration and run `vigil serve`.']),
    '',
  ].join('\n');
}

const quiet = () => ({ logger: createLogger('warn') });
const CONFIG_FLAG = ['-c, --config <file>', 'configuration file (default: vigil.yml)'] as const;

function withLimitFlags(command: Command): Command {
  return command
    .option('--models <list>', 'models the key may use, comma-separated (`*` matches any text); "all" for every routed model')
    .option('--rpm <n>', 'requests per minute (0 or none: no limit)')
    .option('--concurrency <n>', 'requests at once (0 or none: no limit)')
    .option('--tokens-per-day <n>', 'input plus output tokens per UTC day (0 or none: no limit)')
    .option('--max-context <n>', 'most tokens a request may hold, prompt plus max_tokens (0 or none: no limit)')
    .option('--max-output <n>', 'max_tokens above this is lowered to it (0 or none: no limit)')
    .option('--priority <p>', 'interactive or background: its place in the model queue beside Vigil\'s own work');
}

/** `vigil keys`: the model gateway's API keys, read and written in the database (with or without `vigil serve` running). */
export function registerKeysCommand(program: Command, ctx: CliContext): void {
  const keys = program.command('keys').description("the model gateway's API keys: create, list, revoke, limits, usage");

  withLimitFlags(keys.command('create <name>').description('make a key; its secret is printed once'))
    .option('--json', 'print the key and its secret as JSON')
    .option(...CONFIG_FLAG)
    .action(async (name: string, options: LimitFlags & { json?: boolean; config?: string }) => {
      const limits = parseLimitFlags(options);
      const { created, server, gatewayEnabled } = await withVigil(
        ctx,
        options.config,
        async (vigil) => ({ created: await vigil.gatewayKeys.create(name, limits), server: vigil.config.server, gatewayEnabled: vigil.config.gateway.enabled }),
        quiet,
      );
      ctx.stdout.write(options.json ? `${JSON.stringify(created)}\n` : formatCreated(created, { server, gatewayEnabled }));
    });

  keys
    .command('list')
    .description('every key, revoked ones too: name, prefix, created, last used, revoked, limits (times in UTC)')
    .option('--json', 'print the keys as JSON')
    .option(...CONFIG_FLAG)
    .action(async (options: { json?: boolean; config?: string }) => {
      const list = await withVigil(ctx, options.config, (vigil) => vigil.gatewayKeys.list(), quiet);
      ctx.stdout.write(options.json ? `${JSON.stringify(list)}\n` : formatKeyList(list));
    });

  keys
    .command('revoke <name>')
    .description('stop a key from working at once; its usage is kept and its name stays taken')
    .option(...CONFIG_FLAG)
    .action(async (name: string, options: { config?: string }) => {
      const { key, wasRevoked } = await withVigil(ctx, options.config, (vigil) => vigil.gatewayKeys.revoke(name), quiet);
      ctx.stdout.write(
        wasRevoked
          ? `Gateway key "${key.name}" (${key.prefix}) was already revoked at ${formatTime(key.revokedAt)}.\n`
          : `Revoked gateway key "${key.name}" (${key.prefix}); its usage is kept.\n`,
      );
    });

  withLimitFlags(keys.command('limits <name>').description("show a key's limits, or change those named (0 or none clears one)"))
    .option('--json', 'print the key as JSON')
    .option(...CONFIG_FLAG)
    .action(async (name: string, options: LimitFlags & { json?: boolean; config?: string }) => {
      const limits = parseLimitFlags(options);
      const changing = Object.keys(limits).length > 0;
      const key = await withVigil(
        ctx,
        options.config,
        async (vigil) => {
          if (changing) return vigil.gatewayKeys.setLimits(name, limits);
          const found = await vigil.gatewayKeys.find(name);
          if (!found) throw new VigilError('not_found', `No gateway key is named "${name}" (see \`vigil keys list\`).`);
          return found;
        },
        quiet,
      );
      ctx.stdout.write(options.json ? `${JSON.stringify(key)}\n` : `${key.name} (${key.prefix}): ${describeLimits(key.limits)}\n`);
    });

  keys
    .command('usage')
    .description('requests, failures, tokens, mean queue wait and latency per key and model, over the last UTC days')
    .option('--days <n>', 'how many UTC days back, today included', '7')
    .option('--key <name>', 'only this key')
    .option('--json', 'print rows per day and totals as JSON')
    .option(...CONFIG_FLAG)
    .action(async (options: { days: string; key?: string; json?: boolean; config?: string }) => {
      if (!/^\d+$/.test(options.days.trim())) throw new VigilError('invalid_argument', `--days expects a whole number of days, not "${options.days}".`);
      const days = Number(options.days.trim());
      const report = await withVigil(
        ctx,
        options.config,
        (vigil) => vigil.gatewayKeys.usage({ days, ...(options.key !== undefined ? { key: options.key } : {}) }),
        quiet,
      );
      ctx.stdout.write(options.json ? `${JSON.stringify(report)}\n` : formatUsage(report));
    });
}
