/**
 * A stand-in for `vigil serve` while developing the UI: the endpoints of docs/api.md over fixture
 * data, plus the built UI from web/dist (so the production bundle can be tried as the real server
 * would serve it). Development only; nothing under web/src imports it.
 *
 *   node --import tsx web/dev/mock-api.ts [--port 8787] [--token SECRET] [--delay MS] [--data DIR]
 *
 * Special questions: "error" answers 500, "bad" answers 400, "slow" takes two seconds.
 * Answers: crossing and loitering questions get an answer "written" by a model, with citations
 * and a timeline; intrusion questions get the deterministic answer with the model's failure
 * (`fallback_reason`); anything else, the deterministic answer alone.
 * Descriptions: one event of each state (see DESCRIPTIONS in fixtures.ts). "Describe now" works
 * on the done, flagged and never-described events, times out (504) on the queued one, fails (502)
 * on the failed one, is busy (429) on the running one and refused (400) where no model is set.
 * Media under runs/ are read from --data (default ./vigil-data) when present, else drawn as SVG.
 * Live cameras (`#/cameras`): "street" is a file (not live), "back" keeps failing to reconnect with
 * an error that is markup, and three cameras that exist only here stream, fall behind (dropping
 * frames) and connect; their counters move with the clock.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CAMERAS, DESCRIPTIONS, EVENTS, freshDescription, type MockCamera, type MockDescriptionState, type MockEvent } from './fixtures.ts';

const WEB_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = resolve(WEB_DIR, '..');

export interface MockApiOptions {
  host?: string;
  port?: number;
  token?: string | undefined;
  delayMs?: number;
  dataDir?: string;
  distDir?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Per server: descriptions change when "Describe now" is used. */
type DescriptionStore = Map<string, MockDescriptionState | null>;

const NONE: MockDescriptionState = { status: 'none', attempts: 0, requested_by: null, last_error: null, next_attempt_at: null, description: null };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.map': 'application/json',
};

const TYPE_WORDS: [RegExp, MockEvent['type']][] = [
  [/cross|line|越|穿越|線|线/i, 'line_crossing'],
  [/loiter|hang around|徘徊|逗留/i, 'loitering'],
  [/intru|restricted|lawn|闖入|闯入|草坪|禁區|禁区/i, 'intrusion'],
];

function detectLanguage(q: string): 'en' | 'zh-Hant' | 'zh-Hans' {
  if (!/[\u3400-\u9fff]/.test(q)) return 'en';
  return /[后门边这时点]/.test(q) ? 'zh-Hans' : 'zh-Hant';
}

function parseTime(name: string, value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new HttpError(400, 'invalid_argument', `${name}: expected an ISO 8601 date-time`);
  return ms;
}

function filterEvents(events: MockEvent[], q: URLSearchParams, from?: number, to?: number): MockEvent[] {
  const camera = q.get('camera');
  const type = q.get('type');
  const label = q.get('label');
  return events.filter(
    (e) =>
      (!camera || e.camera === camera) &&
      (!type || e.type === type) &&
      (!label || e.labels.includes(label)) &&
      (from === undefined || Date.parse(e.end) >= from) &&
      (to === undefined || Date.parse(e.start) <= to),
  );
}

function limitOf(q: URLSearchParams, max: number, fallback: number): number {
  const raw = q.get('limit');
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HttpError(400, 'invalid_argument', `limit: expected an integer from 1 to ${max}`);
  return n;
}

function answerText(lang: string, events: MockEvent[]): string {
  const first = events[0];
  if (!first) return lang === 'en' ? 'No matching events were found.' : lang === 'zh-Hans' ? '没有找到符合的事件。' : '沒有找到符合的事件。';
  const summary = lang === 'en' ? first.summary.en : lang === 'zh-Hans' ? first.summary.zh_hans : first.summary.zh_hant;
  if (lang === 'en') return `Found ${events.length} event${events.length === 1 ? '' : 's'}. The first: ${summary}.`;
  return lang === 'zh-Hans' ? `找到 ${events.length} 个事件。第一个：${summary}。` : `找到 ${events.length} 個事件。第一個：${summary}。`;
}

function clockIn(timeZone: string, iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

function summaryIn(lang: string, e: MockEvent): string {
  return lang === 'en' ? e.summary.en : lang === 'zh-Hans' ? e.summary.zh_hans : e.summary.zh_hant;
}

/** The `answer` object: deterministic, "written by a model" with citations, or the deterministic one with the model's failure. */
function answerFor(query: string, lang: string, events: MockEvent[]) {
  const deterministic = { text: answerText(lang, events), language: lang, generated: false, cited: [] as string[], timeline: [] as { event_id: string; time: string; what: string }[] };
  if (/intru|restricted|lawn|闖入|闯入|草坪/i.test(query)) {
    return { ...deterministic, fallback_reason: 'no answer within 30 s' };
  }
  if (!/cross|越|loiter|徘徊/i.test(query) || events.length === 0) return deterministic;
  const cited = events.slice(0, 2);
  const zone = (e: MockEvent) => CAMERAS.find((c) => c.id === e.camera)?.timezone ?? 'UTC';
  const first = cited[0]!;
  const text =
    lang === 'en'
      ? `Yes. ${first.summary.en}.${cited[1] ? ` Shortly after, ${cited[1].summary.en.charAt(0).toLowerCase()}${cited[1].summary.en.slice(1)}.` : ''} Nothing else matched in the footage searched.`
      : `${lang === 'zh-Hans' ? '有。' : '有。'}${summaryIn(lang, first)}。${cited[1] ? `${lang === 'zh-Hans' ? '随后' : '隨後'}，${summaryIn(lang, cited[1])}。` : ''}`;
  return {
    text,
    language: lang,
    generated: true,
    model: 'qwen2.5:14b-instruct',
    cited: cited.map((e) => e.id),
    timeline: cited.map((e) => ({ event_id: e.id, time: clockIn(zone(e), e.start), what: summaryIn(lang, e) })),
  };
}

function search(q: URLSearchParams) {
  const query = q.get('q') ?? '';
  const lang = q.get('lang') ?? detectLanguage(query);
  if (!['en', 'zh-Hant', 'zh-Hans'].includes(lang)) throw new HttpError(400, 'invalid_argument', 'lang: expected en, zh-Hant or zh-Hans');
  if (query === 'bad') throw new HttpError(400, 'invalid_argument', 'q: this question is deliberately refused by the mock');
  if (query === 'error') throw new HttpError(500, 'internal', 'The mock failed on purpose.');

  const types = TYPE_WORDS.filter(([re]) => re.test(query)).map(([, type]) => type);
  const labels = /van|car|truck|vehicle|車|车/i.test(query) ? ['car'] : /who|anyone|someone|person|people|人/i.test(query) ? ['person'] : [];
  const cameras = /back door|後門|后门/i.test(query) ? ['back'] : [];
  const missing: string[] = [];
  let from = parseTime('from', q.get('from'));
  let to = parseTime('to', q.get('to'));
  let timeText: string | null = null;
  if (from === undefined && to === undefined) {
    const night = /(昨天晚上|昨晚|last night).*(10|十).*(11|十一)/i.exec(query);
    if (night) {
      timeText = night[0];
      from = Date.parse('2026-11-20T14:00:00Z');
      to = Date.parse('2026-11-20T15:00:00Z');
    } else if (/this morning|今天早上|今早/i.test(query)) {
      timeText = /this morning|今天早上|今早/i.exec(query)?.[0] ?? null;
      from = Date.parse('2026-11-21T00:00:00Z');
      to = Date.parse('2026-11-21T04:00:00Z');
    }
  }
  if (/gate|大門|大门/i.test(query)) missing.push(lang === 'en' ? 'No camera, zone or line is called "gate"; all cameras were searched.' : '沒有名為「大門」的攝影機、區域或警戒線；已搜尋所有攝影機。');
  if (/van/i.test(query)) missing.push('"van" is searched as car: the detector does not tell vans from cars.');

  let events = filterEvents(EVENTS, q, from, to).filter(
    (e) => (types.length === 0 || types.includes(e.type)) && (cameras.length === 0 || cameras.includes(e.camera)) && (labels.length === 0 || labels.some((l) => e.labels.includes(l))),
  );
  const total = events.length;
  events = events.slice(0, limitOf(q, 200, 20));
  const lanes = CAMERAS.filter((c) => events.some((e) => e.camera === c.id)).map((c) => ({
    camera: c.id,
    camera_name: c.name,
    events: events.filter((e) => e.camera === c.id).map(({ id, type, start, end }) => ({ id, type, start, end })),
  }));
  const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    query,
    interpretation: {
      from: iso(from),
      to: iso(to),
      time_text: timeText,
      cameras,
      types,
      labels,
      concepts: [...types, ...labels],
      terms: query.split(/[\s，。？?！!]+/).filter((w) => w.length > 3).slice(0, 4),
      language: lang,
    },
    answer: answerFor(query, lang, events),
    missing_info: missing,
    timeline: { from: iso(from), to: iso(to), lanes },
    total,
    events: events.map((e, i) => ({ ...e, score: Math.round((3.2 - i * 0.3) * 100) / 100 })),
  };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A stand-in picture: the event's boxes on a dark frame, or a figure for a thumbnail. */
function placeholderSvg(path: string): string {
  const thumb = /thumb-([\w-]+)\.jpg$/.exec(path);
  if (thumb) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="96" height="160" viewBox="0 0 96 160"><rect width="96" height="160" fill="#2d333b"/><circle cx="48" cy="40" r="18" fill="#8b949e"/><rect x="26" y="62" width="44" height="80" rx="12" fill="#8b949e"/><text x="48" y="154" font-family="sans-serif" font-size="12" fill="#fff" text-anchor="middle">${escapeXml(thumb[1] ?? '')}</text></svg>`;
  }
  const event = EVENTS.find((e) => path.includes(`/${e.id}/`));
  const boxes = (event?.evidence ?? [])
    .map((ev) => `<rect x="${ev.box.x1}" y="${ev.box.y1}" width="${ev.box.x2 - ev.box.x1}" height="${ev.box.y2 - ev.box.y1}" fill="none" stroke="#3fb950" stroke-width="3"/>`)
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="768" height="576" viewBox="0 0 768 576"><rect width="768" height="576" fill="#22272e"/><path d="M0 430 L768 380" stroke="#444c56" stroke-width="40"/>${boxes}<text x="16" y="30" font-family="sans-serif" font-size="18" fill="#adbac7">${escapeXml(event?.id ?? 'mock snapshot')}</text></svg>`;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendMedia(res: ServerResponse, dataDir: string, relative: string): void {
  if (relative.includes('..') || relative.includes('\\') || !relative.startsWith('runs/')) throw new HttpError(404, 'not_found', 'No such media file.');
  const file = resolve(dataDir, relative);
  const headers = { 'Cache-Control': 'private, max-age=31536000, immutable' };
  if (file.startsWith(resolve(dataDir, 'runs') + sep) && existsSync(file) && statSync(file).isFile()) {
    res.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
    return;
  }
  if (!EVENTS.some((e) => relative.includes(`/${e.id}/`))) throw new HttpError(404, 'not_found', 'No such media file.');
  res.writeHead(200, { ...headers, 'Content-Type': 'image/svg+xml' });
  res.end(placeholderSvg(relative));
}

function sendStatic(res: ServerResponse, distDir: string, pathname: string): void {
  const index = join(distDir, 'index.html');
  if (!existsSync(index)) {
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('web/dist is not built: run `npx vite build --config web/vite.config.ts`, or use the vite dev server.');
    return;
  }
  const file = resolve(distDir, `.${decodeURIComponent(pathname)}`);
  const inside = file.startsWith(resolve(distDir) + sep);
  const target = inside && existsSync(file) && statSync(file).isFile() ? file : index;
  res.writeHead(200, { 'Content-Type': CONTENT_TYPES[extname(target)] ?? 'application/octet-stream' });
  res.end(readFileSync(target));
}

/** Cameras with no events, only live state. */
const LIVE_ONLY_CAMERAS: MockCamera[] = [
  { id: 'garage', name: 'Garage', aliases: [], timezone: 'Europe/Paris', zones: [], tripwires: [] },
  { id: 'drive', name: 'Driveway (4K, detection falls behind)', aliases: [], timezone: 'Europe/Paris', zones: [], tripwires: [] },
  { id: 'gate', name: 'Gate', aliases: [], timezone: 'Asia/Taipei', zones: [], tripwires: [] },
];

export const HOSTILE_LIVE_ERROR =
  'rtsp://192.168.1.20/stream1 could not be reached (ffmpeg: [tcp @ 0x55d0c8] Connection to tcp://192.168.1.20:554 failed: <b>No route to host</b> <img src=x onerror="window.__xss=4">)';

/** How often the failing camera tries again. */
const RETRY_MS = 15_000;

/** `live` as docs/api.md describes it, `nowMs - startedMs` into the mock's life. */
function liveState(id: string, startedMs: number, nowMs: number) {
  const iso = (ms: number) => new Date(ms).toISOString();
  const up = (nowMs - startedMs) / 1000;
  const base = { connected: false, input_fps: 0, processed_fps: 0, frames_in: 0, frames_processed: 0, frames_dropped: 0, queue_depth: 0, reconnects: 0, last_frame_at: null as string | null, connected_since: null as string | null, last_error: null as string | null, last_error_at: null as string | null, next_attempt_at: null as string | null };
  switch (id) {
    case 'back': {
      const tries = Math.floor((nowMs - startedMs) / RETRY_MS);
      const lastTry = startedMs + tries * RETRY_MS;
      return { ...base, status: 'waiting', frames_in: 86_412, frames_processed: 86_390, frames_dropped: 22, reconnects: 7 + tries, last_frame_at: iso(startedMs - 3 * 3600_000), last_error: HOSTILE_LIVE_ERROR, last_error_at: iso(lastTry), next_attempt_at: iso(lastTry + RETRY_MS) };
    }
    case 'garage':
      return { ...base, status: 'streaming', connected: true, input_fps: 5, processed_fps: 5, frames_in: 36_000 + Math.floor(up * 5), frames_processed: 35_990 + Math.floor(up * 5), queue_depth: 1, reconnects: 1, last_frame_at: iso(nowMs - 150), connected_since: iso(startedMs - 2 * 3600_000), last_error: 'the stream ended', last_error_at: iso(startedMs - 2 * 3600_000 - 1200) };
    case 'drive':
      return { ...base, status: 'streaming', connected: true, input_fps: 15, processed_fps: 6.2, frames_in: 9_000 + Math.floor(up * 15), frames_processed: 3_720 + Math.floor(up * 6.2), frames_dropped: 5_272 + Math.floor(up * 8.8), queue_depth: 8, last_frame_at: iso(nowMs - 60), connected_since: iso(startedMs - 600_000) };
    case 'gate':
      return { ...base, status: 'connecting' };
    default:
      return null;
  }
}

function authorized(req: IncomingMessage, url: URL, token: string | undefined): boolean {
  if (!token) return true;
  return req.headers.authorization === `Bearer ${token}` || url.searchParams.get('token') === token;
}

/** The single-event view: evidence with `frame_url` (kept frames exist for the street camera only) and the description state. */
function eventDetail(event: MockEvent, descriptions: DescriptionStore) {
  const state = descriptions.has(event.id) ? descriptions.get(event.id)! : NONE;
  return {
    ...event,
    evidence: event.evidence.map((e) => ({ ...e, frame_url: event.camera === 'street' ? `/api/media/runs/run-1/events/${event.id}/frame-${e.frame_index}.jpg` : null })),
    description: state,
  };
}

/** `POST /api/events/:id/description/regenerate`, with the failures a real model gives. */
function regenerate(event: MockEvent, descriptions: DescriptionStore): MockDescriptionState {
  const state = descriptions.has(event.id) ? descriptions.get(event.id)! : NONE;
  if (state === null) throw new HttpError(400, 'invalid_argument', 'no model provider is configured for descriptions (genai.roles.descriptions)');
  if (state.status === 'running') throw new HttpError(429, 'queue_full', 'the descriptions model is busy: 4 requests are waiting', 5);
  if (state.status === 'queued') {
    descriptions.set(event.id, { ...state, attempts: state.attempts + 1, requested_by: 'manual', last_error: 'the model timed out (provider_timeout)', next_attempt_at: new Date(Date.now() + 60_000).toISOString() });
    throw new HttpError(504, 'provider_timeout', 'the model did not answer within 60 s');
  }
  if (state.status === 'failed') {
    const message = 'the model server refused the request: <b>model "qwen2.5vl:7b" not found</b>, try pulling it first';
    descriptions.set(event.id, { ...state, attempts: state.attempts + 1, requested_by: 'manual', last_error: message });
    throw new HttpError(502, 'provider_bad_request', message);
  }
  const next = freshDescription(event, Date.now());
  const done = state.description?.json ? { ...next, description: next.description && { ...next.description, json: state.description.json } } : next;
  descriptions.set(event.id, done);
  return done;
}

function route(
  req: IncomingMessage,
  res: ServerResponse,
  options: Required<Omit<MockApiOptions, 'token'>> & { token: string | undefined; startedMs: number },
  descriptions: DescriptionStore,
): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = url.pathname;
  if (!path.startsWith('/api/')) return sendStatic(res, options.distDir, path);
  const describe = /^\/api\/events\/([^/]+)\/description\/regenerate$/.exec(path);
  if (req.method !== 'GET' && !(req.method === 'POST' && describe)) throw new HttpError(405, 'method_not_allowed', 'Only GET is supported (and POST to regenerate a description).');
  if (describe && req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Use POST to regenerate a description.');
  if (path === '/api/health') return sendJson(res, 200, { status: 'ok', version: '0.1.0-mock', events: EVENTS.length, cameras: CAMERAS.length });
  if (!authorized(req, url, options.token)) throw new HttpError(401, 'unauthorized', 'Missing or wrong API token.');
  if (path === '/api/cameras') {
    return sendJson(res, 200, {
      cameras: [...CAMERAS, ...LIVE_ONLY_CAMERAS].map((c) => {
        const own = EVENTS.filter((e) => e.camera === c.id);
        const live = liveState(c.id, options.startedMs, Date.now());
        return { ...c, events: own.length, first_event: own[0]?.start ?? null, last_event: own.at(-1)?.end ?? null, analysed_until: own.at(-1)?.end ?? null, live };
      }),
    });
  }
  if (path === '/api/events') {
    const q = url.searchParams;
    const all = filterEvents(EVENTS, q, parseTime('from', q.get('from')), parseTime('to', q.get('to')));
    const offset = Number(q.get('offset') ?? 0);
    return sendJson(res, 200, { total: all.length, events: all.slice(offset, offset + limitOf(q, 500, 50)) });
  }
  const one = /^\/api\/events\/([^/]+)$/.exec(path);
  if (one) {
    const event = EVENTS.find((e) => e.id === decodeURIComponent(one[1] ?? ''));
    if (!event) throw new HttpError(404, 'not_found', `No event with id ${decodeURIComponent(one[1] ?? '')}.`);
    return sendJson(res, 200, eventDetail(event, descriptions));
  }
  if (describe) {
    const event = EVENTS.find((e) => e.id === decodeURIComponent(describe[1] ?? ''));
    if (!event) throw new HttpError(404, 'not_found', `No event with id ${decodeURIComponent(describe[1] ?? '')}.`);
    return sendJson(res, 200, regenerate(event, descriptions));
  }
  if (path === '/api/search') return sendJson(res, 200, search(url.searchParams));
  if (path.startsWith('/api/media/')) return sendMedia(res, options.dataDir, decodeURIComponent(path.slice('/api/media/'.length)));
  throw new HttpError(404, 'not_found', `No route ${path}.`);
}

export async function startMockApi(options: MockApiOptions = {}): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const settings = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8787,
    token: options.token,
    delayMs: options.delayMs ?? 150,
    dataDir: options.dataDir ?? join(REPO_DIR, 'vigil-data'),
    distDir: options.distDir ?? join(WEB_DIR, 'dist'),
    startedMs: Date.now(),
  };
  const descriptions: DescriptionStore = new Map(Object.entries(structuredClone(DESCRIPTIONS)));
  const server = createServer((req, res) => {
    // A model takes a while: long enough to see the button wait.
    const slow = (req.url ?? '').includes('q=slow') ? 2000 : req.method === 'POST' ? 1200 : 0;
    const delay = (req.url ?? '').startsWith('/api/') && !(req.url ?? '').startsWith('/api/media/') ? settings.delayMs + slow : 0;
    setTimeout(() => {
      try {
        route(req, res, settings, descriptions);
      } catch (error) {
        const e = error instanceof HttpError ? error : new HttpError(500, 'internal', 'Internal error.');
        if (!(error instanceof HttpError)) console.error(error);
        if (e.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(e.retryAfterSeconds));
        sendJson(res, e.status, { error: { code: e.code, message: e.message, details: [] } });
      }
    }, delay);
  });
  await new Promise<void>((ok) => server.listen(settings.port, settings.host, ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${settings.host}:${port}`,
    server,
    close: () => new Promise<void>((ok, fail) => server.close((err) => (err ? fail(err) : ok()))),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { port: { type: 'string', default: '8787' }, host: { type: 'string', default: '127.0.0.1' }, token: { type: 'string' }, delay: { type: 'string', default: '150' }, data: { type: 'string' } },
  });
  const mock = await startMockApi({
    host: values.host,
    port: Number(values.port),
    token: values.token,
    delayMs: Number(values.delay),
    ...(values.data ? { dataDir: resolve(values.data) } : {}),
  });
  console.log(`Vigil mock API on ${mock.url}${values.token ? ' (token required)' : ''}`);
}
