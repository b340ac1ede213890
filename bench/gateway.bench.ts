/**
 * What the model gateway costs a client, against local fake model servers
 * (test/support/fake-model-server.ts: Ollama's and OpenAI's wire protocols, no model runs), with
 * Vigil built by the composition root and served over real HTTP by `serve()`:
 *   overhead_p50_ms / _p95_ms  non-streaming chat: p50 (p95) of Vigil's /v1/messages minus p50 (p95)
 *                        of the same chat sent straight to Ollama's /api/chat (openai_* fields: Vigil's
 *                        /v1/chat/completions against an OpenAI-compatible server's own)
 *   ttft_overhead_ms     streaming: time to the first text delta through Vigil (content_block_delta)
 *                        minus straight from Ollama (first NDJSON line with content), p50s
 *   cc_ttft_overhead_ms  the same for the request Claude Code really sends (test/fixtures/gateway/
 *                        claude-code-request.json: 12 tools, system blocks, ~48 KB) against the Ollama
 *                        request Vigil makes of it, sent straight
 *   burst_requests / burst_lost  200 requests at once on a provider with concurrency 1 and a short
 *                        wait list, from a key with a per-minute limit: each must be answered, or
 *                        refused with Retry-After (429 / 529); anything else is lost
 *   interactive_wait_ms  an interactive key's streaming request sent while background work (a
 *                        background key's streams, on the same provider queue as Vigil's own
 *                        descriptions) fills the backlog: time to its first text delta, worst of
 *                        several probes at different points of the running job
 *   job_ms               measured length of one background job (mean gap between completions)
 * Both sides of every comparison go through the same client (fetch, keep-alive) in interleaved
 * pairs whose order alternates (A B, B A, ...), so drift and connection effects hit both alike.
 *
 *   npm run bench:gateway   (env BENCH_REQUESTS=300 pairs, BENCH_JOB_MS=200, BENCH_BACKLOG=20)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createVigil } from '../src/app.ts';
import { parseConfigText } from '../src/config/index.ts';
import { REPO_ROOT } from '../test/support/media.ts';
import { startFakeModelServer, type RecordedModelRequest } from '../test/support/fake-model-server.ts';

const N = Number(process.env.BENCH_REQUESTS ?? 300);
/** Interleaved pairs thrown away at the start of each comparison. */
const WARMUP = 50;
/** Rounds of every kind of request before anything is measured: a server that has run a while has its hot paths compiled. */
const JIT_WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const JOB_MS = Number(process.env.BENCH_JOB_MS ?? 200);
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 20);
const BURST = 200;
const BURST_MAX_QUEUED = 20;
const BURST_KEY_RPM = 150;
const PROBES = 5;
const TIMEOUT_MS = 30_000;

const log = (line: string) => process.stderr.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number) => Math.round(n * 100) / 100;
const ms = (n: number) => `${n.toFixed(2)} ms`;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? NaN;
}

// ---- backends -----------------------------------------------------------------------------------

// Phases 1-2: answers at once, so every millisecond measured is HTTP and the gateway's own work.
const quick = await startFakeModelServer();
// Phase 3: one request generating at a time, a few ms per chunk.
const burstBackend = await startFakeModelServer({ maxConcurrent: 1, defaultTurn: { text: ['Busy', ' but', ' fine'], delayMs: 5 } });
// Phase 4: background work takes JOB_MS (4 chunks and the done line, JOB_MS / 5 before each); the interactive model answers at once.
const sharedBackend = await startFakeModelServer({
  maxConcurrent: 1,
  defaultTurn: (request: RecordedModelRequest) =>
    modelOf(request) === 'bg-model' ? { text: ['A', ' car', ' parks', '.'], delayMs: JOB_MS / 5 } : { text: ['Right', ' away', '.'] },
});
function modelOf(request: RecordedModelRequest): unknown {
  return typeof request.body === 'object' && request.body !== null && 'model' in request.body ? request.body.model : undefined;
}

const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-gateway-'));
const config = {
  storage: { data_dir: join(dir, 'data') },
  logging: { level: 'warn' },
  genai: {
    enabled: false,
    providers: {
      quick: { provider: 'ollama', model: 'fake-model', base_url: quick.url, concurrency: 1 },
      quick_openai: { provider: 'openai', model: 'fake-model', base_url: quick.openAiUrl, api_key: 'sk-bench', concurrency: 1 },
      burst: { provider: 'ollama', model: 'fake-model', base_url: burstBackend.url, concurrency: 1, max_queued: BURST_MAX_QUEUED },
      shared: { provider: 'ollama', model: 'bg-model', base_url: sharedBackend.url, concurrency: 1 },
    },
  },
  gateway: {
    enabled: true,
    models: [
      { name: 'bench-quick', provider: 'quick' },
      { name: 'bench-openai', provider: 'quick_openai' },
      { name: 'bench-burst', provider: 'burst' },
      { name: 'bench-background', provider: 'shared', model: 'bg-model' },
      { name: 'bench-interactive', provider: 'shared', model: 'fg-model' },
    ],
  },
};
const logger = createLogger('warn');
// JSON is YAML: the configuration goes through the real parser and schema.
const loaded = { ...parseConfigText(JSON.stringify(config), { env: {}, baseDir: dir, fileLabel: 'bench' }), baseDir: dir };
const vigil = createVigil(loaded, { logger });
const server = await vigil.serve({ host: '127.0.0.1', port: 0 });
const unlimited = { requestsPerMinute: null, concurrentRequests: null, tokensPerDay: null };
const fastKey = (await vigil.gatewayKeys.create('bench-fast', { ...unlimited, priority: 'interactive' })).secret;
const burstKey = (await vigil.gatewayKeys.create('bench-burst', { ...unlimited, requestsPerMinute: BURST_KEY_RPM, priority: 'interactive' })).secret;
const backgroundKey = (await vigil.gatewayKeys.create('bench-background', { ...unlimited, priority: 'background' })).secret;
const interactiveKey = (await vigil.gatewayKeys.create('bench-interactive', { ...unlimited, priority: 'interactive' })).secret;

// ---- one request, timed -------------------------------------------------------------------------

const PROMPT = 'Describe what the camera at the back gate saw between 22:00 and 23:00 yesterday, in two sentences.';
const SYSTEM = 'You are a careful assistant for a home video system. Answer briefly.';

const ollamaBody = (stream: boolean) => JSON.stringify({ model: 'fake-model', stream, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: PROMPT }] });
const openAiBody = (model: string) => JSON.stringify({ model, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: PROMPT }] });
const anthropicBody = (model: string, stream: boolean) =>
  JSON.stringify({ model, max_tokens: 256, stream, system: SYSTEM, messages: [{ role: 'user', content: [{ type: 'text', text: PROMPT }] }] });
const anthropicHeaders = (secret: string) => ({ 'content-type': 'application/json', 'x-api-key': secret, 'anthropic-version': '2023-06-01' });
const jsonHeaders = { 'content-type': 'application/json' };

interface Timed {
  ms: number;
  status: number;
  /** Time to the first text delta (streaming requests); NaN when none came. */
  firstMs: number;
}

/** Sends one request and reads its whole body; `isFirst` spots the first text delta in what has arrived. */
async function timed(url: string, init: { headers: Record<string, string>; body: string }, isFirst?: (received: string) => boolean): Promise<Timed> {
  const t0 = performance.now();
  const response = await fetch(url, { method: 'POST', headers: init.headers, body: init.body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  let firstMs = NaN;
  if (isFirst && response.body) {
    const decoder = new TextDecoder();
    let received = '';
    for await (const chunk of response.body) {
      if (Number.isNaN(firstMs)) {
        received += decoder.decode(chunk, { stream: true });
        if (isFirst(received)) firstMs = performance.now() - t0;
      }
    }
  } else {
    await response.arrayBuffer();
  }
  return { ms: performance.now() - t0, status: response.status, firstMs };
}

/** Claude Code's real request (captured from Claude Code 2.1), as Claude Code sends it but for the model name. */
const claudeCodeBody = JSON.stringify({
  ...(JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/gateway/claude-code-request.json'), 'utf8')) as Record<string, unknown>),
  model: 'bench-quick',
  stream: true,
});

const ollamaFirstText = (received: string) => /"content":"[^"]/.test(received);
const anthropicFirstText = (received: string) => received.includes('event: content_block_delta') && received.includes('"text_delta"');

interface Pair {
  name: string;
  a: () => Promise<Timed>;
  b: () => Promise<Timed>;
  /** Both sides are streams whose first text delta is timed. */
  streamed?: boolean;
}

/** Runs a and b in interleaved pairs, alternating which goes first; both must answer 200 (with text, when streamed). */
async function interleaved(pair: Pair): Promise<{ a: Timed[]; b: Timed[] }> {
  const a: Timed[] = [];
  const b: Timed[] = [];
  for (let i = 0; i < WARMUP + N; i++) {
    const order = i % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
    for (const side of order) {
      const result = await pair[side]();
      if (result.status !== 200) throw new Error(`${pair.name} (${side}) answered ${result.status}`);
      if (pair.streamed && Number.isNaN(result.firstMs)) throw new Error(`${pair.name} (${side}) sent no text`);
      if (i >= WARMUP) (side === 'a' ? a : b).push(result);
    }
  }
  return { a, b };
}

const whole = (timings: Timed[]) => timings.map((t) => t.ms);
const firstText = (timings: Timed[]) => timings.map((t) => t.firstMs);

function report(name: string, direct: number[], gateway: number[], labels = ['direct', 'gateway', 'overhead']) {
  const d50 = percentile(direct, 0.5);
  const d95 = percentile(direct, 0.95);
  const g50 = percentile(gateway, 0.5);
  const g95 = percentile(gateway, 0.95);
  const [a, b, diff] = labels;
  log(`${name}: ${a} p50 ${ms(d50)} p95 ${ms(d95)} | ${b} p50 ${ms(g50)} p95 ${ms(g95)} | ${diff} p50 ${ms(g50 - d50)} p95 ${ms(g95 - d95)}`);
  return { d50, d95, g50, g95, p50: g50 - d50, p95: g95 - d95 };
}

try {
  const gw = server.url;
  log(`gateway bench: ${N} measured pairs after ${JIT_WARMUP} rounds of warm-up and ${WARMUP} pairs; Vigil at ${gw}`);

  const ollamaDirect = () => timed(`${quick.url}/api/chat`, { headers: jsonHeaders, body: ollamaBody(false) });
  const messages = () => timed(`${gw}/v1/messages`, { headers: anthropicHeaders(fastKey), body: anthropicBody('bench-quick', false) });
  const ollamaStreamed = () => timed(`${quick.url}/api/chat`, { headers: jsonHeaders, body: ollamaBody(true) }, ollamaFirstText);
  const messagesStreamed = () => timed(`${gw}/v1/messages`, { headers: anthropicHeaders(fastKey), body: anthropicBody('bench-quick', true) }, anthropicFirstText);
  const openAiDirect = () => timed(`${quick.openAiUrl}/chat/completions`, { headers: { ...jsonHeaders, authorization: 'Bearer sk-bench' }, body: openAiBody('fake-model') });
  const completions = () => timed(`${gw}/v1/chat/completions`, { headers: { ...jsonHeaders, authorization: `Bearer ${fastKey}` }, body: openAiBody('bench-openai') });
  const warmStarted = performance.now();
  for (let i = 0; i < JIT_WARMUP; i++) for (const request of [ollamaDirect, messages, ollamaStreamed, messagesStreamed, openAiDirect, completions]) await request();
  log(`warm-up: ${JIT_WARMUP} rounds in ${ms(performance.now() - warmStarted)}`);

  // ── 1. Overhead of a non-streaming chat ──
  const plain = await interleaved({ name: 'non-streaming', a: ollamaDirect, b: messages });
  const overhead = report('non-streaming  Ollama /api/chat vs /v1/messages', whole(plain.a), whole(plain.b));

  // The gateway always streams from its backend: how much of the difference is that alone.
  const streamedVsPlain = await interleaved({ name: 'ollama stream vs not', a: ollamaDirect, b: ollamaStreamed });
  const streamCost = report('backend alone  Ollama, whole answer', whole(streamedVsPlain.a), whole(streamedVsPlain.b), ['stream:false', 'stream:true', 'difference']);

  const openAi = await interleaved({ name: 'openai non-streaming', a: openAiDirect, b: completions });
  const openAiOverhead = report('non-streaming  OpenAI /v1/chat/completions vs Vigil /v1/chat/completions', whole(openAi.a), whole(openAi.b));

  // ── 2. Time to first token ──
  const first = await interleaved({ name: 'ttft', a: ollamaStreamed, b: messagesStreamed, streamed: true });
  const ttft = report('first text     Ollama NDJSON vs /v1/messages SSE', firstText(first.a), firstText(first.b));

  // Claude Code's request, against the Ollama request the gateway makes of it (taken from the backend's log).
  const claudeCode = () =>
    timed(`${gw}/v1/messages?beta=true`, { headers: { ...anthropicHeaders(fastKey), 'anthropic-beta': 'claude-code-20250219' }, body: claudeCodeBody }, anthropicFirstText);
  quick.reset();
  if ((await claudeCode()).status !== 200) throw new Error('the gateway refused Claude Code\'s request');
  const translated = JSON.stringify(quick.chatRequests().at(-1)?.body);
  const claudeCodeDirect = () => timed(`${quick.url}/api/chat`, { headers: jsonHeaders, body: translated }, ollamaFirstText);
  const cc = await interleaved({ name: 'claude code', a: claudeCodeDirect, b: claudeCode, streamed: true });
  const ccTtft = report(`first text     Claude Code's request (${(claudeCodeBody.length / 1024).toFixed(0)} KB), straight vs through`, firstText(cc.a), firstText(cc.b));

  // ── 3. A burst of 200 at a provider that takes one at a time ──
  const outcomes = { answered: 0, rejected429: 0, rejected529: 0, rejected503: 0, lost: 0 };
  const lostWhy = new Map<string, number>();
  const burstStarted = performance.now();
  await Promise.all(
    Array.from({ length: BURST }, async () => {
      let why: string;
      try {
        const response = await fetch(`${gw}/v1/messages`, {
          method: 'POST',
          headers: anthropicHeaders(burstKey),
          body: anthropicBody('bench-burst', false),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        const text = await response.text();
        const retryAfter = Number(response.headers.get('retry-after'));
        if (response.status === 200 && text.includes('"type":"text"')) return void outcomes.answered++;
        if ([429, 503, 529].includes(response.status) && retryAfter > 0) {
          const field = `rejected${response.status}` as 'rejected429' | 'rejected503' | 'rejected529';
          return void outcomes[field]++;
        }
        why = `HTTP ${response.status}${response.headers.has('retry-after') ? '' : ' without Retry-After'}`;
      } catch (error) {
        why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      outcomes.lost++;
      lostWhy.set(why, (lostWhy.get(why) ?? 0) + 1);
    }),
  );
  const burstMs = performance.now() - burstStarted;
  log(
    `burst ${BURST} at once (provider concurrency 1, max_queued ${BURST_MAX_QUEUED}, key ${BURST_KEY_RPM}/min): answered ${outcomes.answered}, ` +
      `429+Retry-After ${outcomes.rejected429}, 529+Retry-After ${outcomes.rejected529}, 503+Retry-After ${outcomes.rejected503}, lost ${outcomes.lost} ` +
      `in ${ms(burstMs)}; backend saw ${burstBackend.chatRequests().length} chats, at most ${burstBackend.stats.maxActive} at once`,
  );
  for (const [why, count] of lostWhy) log(`  lost: ${count} x ${why}`);

  // ── 4. An interactive request while background work fills the same provider's queue ──
  const backlogStarted = performance.now();
  const completions4: number[] = [];
  const backlog = Array.from({ length: BACKLOG }, () =>
    timed(`${gw}/v1/messages`, { headers: anthropicHeaders(backgroundKey), body: anthropicBody('bench-background', true) }, anthropicFirstText).then((t) => {
      if (t.status !== 200) throw new Error(`background request answered ${t.status}`);
      completions4.push(performance.now());
    }),
  );
  const waits: number[] = [];
  const queuedAtProbe: number[] = [];
  await sleep(JOB_MS * 1.5);
  for (let i = 0; i < PROBES; i++) {
    const shared = vigil.providerStats.find((s) => s.provider === 'shared');
    queuedAtProbe.push(shared?.queued.background ?? 0);
    const probe = await timed(`${gw}/v1/messages`, { headers: anthropicHeaders(interactiveKey), body: anthropicBody('bench-interactive', true) }, anthropicFirstText);
    if (probe.status !== 200) throw new Error(`interactive request answered ${probe.status}`);
    waits.push(probe.firstMs);
    // Land the next probe at another point of the job that runs (0.3, 0.6, 0.9, 0.2 ... of it).
    await sleep(JOB_MS * (1 + ((i + 1) * 0.3) % 1));
  }
  await Promise.all(backlog);
  const backlogMs = performance.now() - backlogStarted;
  const gaps = completions4
    .sort((a, b) => a - b)
    .slice(1)
    .map((t, i) => t - (completions4[i] as number));
  const jobMs = gaps.reduce((sum, g) => sum + g, 0) / Math.max(1, gaps.length);
  const worstWait = Math.max(...waits);
  log(
    `interactive under a backlog of ${BACKLOG} background jobs (job ${ms(jobMs)} measured, ${JOB_MS} ms scripted; backlog done in ${ms(backlogMs)}): ` +
      `waits ${waits.map((w) => w.toFixed(1)).join(', ')} ms with ${queuedAtProbe.join(', ')} background requests queued; worst ${ms(worstWait)}`,
  );
  log(`  a first-come-first-served queue would have made each probe wait about ${queuedAtProbe.map((q) => ((q + 0.5) * jobMs).toFixed(0)).join(', ')} ms`);

  const aims = [
    [`overhead p50 ${ms(overhead.p50)} <= 2 ms`, overhead.p50 <= 2],
    [`ttft overhead ${ms(ttft.p50)} <= 5 ms`, ttft.p50 <= 5],
    [`burst lost ${outcomes.lost} == 0`, outcomes.lost === 0],
    [`interactive wait ${ms(worstWait)} <= one job (${ms(jobMs)})`, worstWait <= jobMs],
  ] as const;
  for (const [what, met] of aims) log(`${met ? 'met   ' : 'MISSED'} ${what}`);

  console.log(
    `BENCH ${JSON.stringify({
      overhead_p50_ms: round(overhead.p50),
      overhead_p95_ms: round(overhead.p95),
      ttft_overhead_ms: round(ttft.p50),
      burst_requests: BURST,
      burst_lost: outcomes.lost,
      interactive_wait_ms: round(worstWait),
      job_ms: round(jobMs),
      direct_p50_ms: round(overhead.d50),
      gateway_p50_ms: round(overhead.g50),
      direct_p95_ms: round(overhead.d95),
      gateway_p95_ms: round(overhead.g95),
      backend_stream_cost_p50_ms: round(streamCost.p50),
      openai_overhead_p50_ms: round(openAiOverhead.p50),
      openai_overhead_p95_ms: round(openAiOverhead.p95),
      direct_ttft_p50_ms: round(ttft.d50),
      gateway_ttft_p50_ms: round(ttft.g50),
      ttft_overhead_p95_ms: round(ttft.p95),
      burst_answered: outcomes.answered,
      burst_rejected_retry_after: outcomes.rejected429 + outcomes.rejected503 + outcomes.rejected529,
      cc_ttft_overhead_ms: round(ccTtft.p50),
      cc_gateway_ttft_p50_ms: round(ccTtft.g50),
      interactive_wait_p50_ms: round(percentile(waits, 0.5)),
    })}`,
  );
} finally {
  await server.close();
  await Promise.all([quick.close(), burstBackend.close(), sharedBackend.close()]);
  rmSync(dir, { recursive: true, force: true });
}
