/**
 * The gateway page (`#/gateway`) in real Chromium (see test/support/browser.ts), served by the
 * real server with the gateway on, in front of the fake model server. Keys and usage are made
 * through the same service `vigil keys` and the gateway use; one usage row carries a model name
 * that is markup, as any client may send, so the test sees it rendered as text. A request held
 * open through the real gateway shows up as "running now". A second server with the gateway off
 * and no keys shows how to turn it on and how to make a key. Any console error fails a test.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVigil, type RunningServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { GatewayUsageEntry } from '../../src/ports/gateway-store.ts';
import { findChromium } from '../support/browser.ts';
import { startFakeModelServer, type FakeModelServer } from '../support/fake-model-server.ts';
import { REPO_ROOT } from '../support/media.ts';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const DAY_MS = 86_400_000;
/** A model name as a client may send it: the page must show these characters, not a bold word. */
const HOSTILE_MODEL = '<b>bold</b>';
const ENGLISH: BrowserContextOptions = { viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' };

interface PageGlobals {
  __xss?: unknown;
  document: { documentElement: { scrollWidth: number } };
  innerWidth: number;
}

let dir: string;
let browser: Browser | undefined;
let fake: FakeModelServer | undefined;
const servers: RunningServer[] = [];

/** A page whose console errors and uncaught exceptions are collected for the final assertion. */
async function openPage(options: BrowserContextOptions): Promise<{ page: Page; problems: string[] }> {
  const context = await browser!.newContext(options);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, problems };
}

/** A server over its own data directory, with `config` as its vigil.yml; `seed` runs before it listens. */
async function startServer(name: string, config: string, seed: (vigil: ReturnType<typeof createVigil>) => Promise<void> | void = () => {}): Promise<RunningServer> {
  const home = join(dir, name);
  mkdirSync(home);
  writeFileSync(join(home, 'vigil.yml'), config);
  const loaded = await loadConfig({ file: join(home, 'vigil.yml'), explicit: true, env: {}, cwd: home });
  const vigil = createVigil(loaded);
  try {
    await seed(vigil);
    const server = await vigil.serve({ host: '127.0.0.1', port: 0 });
    servers.push(server);
    return server;
  } catch (error) {
    await vigil.close();
    throw error;
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-gateway-ui-'));
  // The server serves the built UI from web/dist: build the current sources.
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  fake = await startFakeModelServer();
  const found = await findChromium();
  browser = await chromium.launch({ executablePath: found.executablePath, args: CHROMIUM_ARGS });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
  await fake?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The visible text of each cell of a row (the phone layout's labels left out). */
async function cells(row: Locator): Promise<string[]> {
  return row.locator('th, td .gw-value').allTextContents();
}

describe('web UI: gateway page', () => {
  let server: RunningServer;
  let secret = '';
  let prefix = '';

  beforeAll(async () => {
    server = await startServer(
      'on',
      `storage:
  data_dir: data
genai:
  providers:
    local: { provider: ollama, model: fake-chat, base_url: ${JSON.stringify(fake!.url)} }
gateway:
  enabled: true
  models: [{ name: '*', provider: local }]
`,
      async (vigil) => {
        const now = Date.now();
        // The configured defaults: 60/min, 4 at once, 32,768 context, 8,192 output, interactive.
        const laptop = await vigil.gatewayKeys.create('laptop');
        secret = laptop.secret;
        prefix = laptop.key.prefix;
        const ci = await vigil.gatewayKeys.create('ci-bot', {
          models: ['qwen3*'],
          requestsPerMinute: null,
          concurrentRequests: 4,
          tokensPerDay: 100_000,
          maxContextTokens: null,
          maxOutputTokens: null,
          priority: 'background',
        });
        await vigil.gatewayKeys.revoke('ci-bot');
        const use = (keyId: string, model: string, at: number, ok: boolean, inputTokens: number, outputTokens: number, queueWaitMs: number, latencyMs: number) =>
          vigil.gatewayKeys.recordUsage({ keyId, model, at, ok, inputTokens, outputTokens, queueWaitMs, latencyMs } satisfies GatewayUsageEntry);
        // Today: two answers and one refusal for a model whose name is markup.
        await use(laptop.key.id, 'qwen3:8b', now, true, 1200, 300, 10, 1000);
        await use(laptop.key.id, 'qwen3:8b', now, true, 800, 100, 30, 3000);
        await use(laptop.key.id, HOSTILE_MODEL, now, false, 50, 0, 0, 40);
        // Three days ago: within 7 days, not within 1.
        for (let i = 0; i < 5; i++) await use(laptop.key.id, 'qwen3:8b', now - 3 * DAY_MS, true, 1000, 200, 100, 1500);
        // Twenty days ago: only within 30 days.
        for (let i = 0; i < 4; i++) await use(ci.key.id, 'llama3.2', now - 20 * DAY_MS, i > 0, 500, 50, 0, 800);
      },
    );
  }, 60_000);

  it('lists the keys with prefix and limits, the usage per key and model over 1, 7 and 30 days, model names as text, and requests running now', async () => {
    const { page, problems } = await openPage(ENGLISH);
    await page.goto(`${server.url}/`);
    await page.locator('button[data-lang="en"]').click();
    await page.locator('.site-nav a[data-page="gateway"]').click();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/gateway');
    await expect.poll(() => page.locator('.site-nav a[data-page="gateway"]').getAttribute('aria-current')).toBe('page');
    await page.locator('.gw-key-row').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#gateway-title').textContent()).toBe('Model gateway');
    expect(await page.locator('.gw-status').getAttribute('data-enabled')).toBe('true');
    expect(await page.locator('.gw-status-badge').textContent()).toBe('●On');

    // Keys: oldest first, with the prefix only and the limits in short form.
    expect(await page.locator('.gw-keys thead th').allTextContents()).toEqual(['Name', 'Prefix', 'Created', 'Last used', 'Revoked', 'Running now', 'Limits']);
    const laptop = page.locator('tr.gw-key-row[data-key="laptop"]');
    const ci = page.locator('tr.gw-key-row[data-key="ci-bot"]');
    expect(await page.locator('tr.gw-key-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')))).toEqual(['laptop', 'ci-bot']);
    const laptopCells = await cells(laptop);
    expect(laptopCells[0]).toBe('laptop');
    expect(laptopCells[1]).toBe(`${prefix}…`);
    expect(prefix).toMatch(/^vk_[A-Za-z0-9_-]{5}$/);
    expect(laptopCells[2]).toMatch(/\d{4}, \d{2}:\d{2}:\d{2}$/);
    expect(laptopCells.slice(3)).toEqual(['never', 'no', '0', '60/min · 4 at once · 32k ctx · 8k out · interactive']);
    expect(await laptop.locator('.gw-limits').getAttribute('title')).toBe('32,768 ctx · 8,192 out');
    expect(await ci.getAttribute('class')).toContain('gw-key-revoked');
    expect(await ci.locator('.gw-revoked-badge').textContent()).toBe('revoked');
    expect(await ci.locator('.gw-cell-revoked time').getAttribute('datetime')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await ci.locator('.gw-limits').textContent()).toBe('models qwen3* · 4 at once · 100k tokens/day · background');

    // Nothing on the page looks like a whole secret: only the 8-character prefixes.
    const html = await page.content();
    expect(html).not.toContain(secret);
    expect(html).not.toContain(secret.slice(0, 12));
    expect(html.match(/vk_[A-Za-z0-9_-]+/g)?.every((found) => found.length === 8)).toBe(true);

    // Usage over 7 days (the default): per key and model, sorted by key then model.
    const usageRow = (key: string, model: string) => page.locator('tr.gw-usage-row').filter({ has: page.locator(`th`, { hasText: key }) }).filter({ has: page.locator('.gw-model', { hasText: model }) });
    expect(await page.locator('.gw-usage thead th').allTextContents()).toEqual(['Key', 'Model', 'Requests', 'Failures', 'Tokens in', 'Tokens out', 'Mean queue wait', 'Mean latency']);
    expect(await page.locator('.gw-days-button[aria-pressed="true"]').getAttribute('data-days')).toBe('7');
    expect(await page.locator('tr.gw-usage-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-model')))).toEqual([HOSTILE_MODEL, 'qwen3:8b']);
    // Mean wait (10 + 30 + 5 × 100) / 7 = 77 ms; mean latency (1000 + 3000 + 5 × 1500) / 7 = 1,643 ms.
    expect(await cells(usageRow('laptop', 'qwen3:8b'))).toEqual(['laptop', 'qwen3:8b', '7', '0', '7,000', '1,400', '77 ms', '1.6 s']);
    expect(await cells(usageRow('laptop', HOSTILE_MODEL))).toEqual(['laptop', HOSTILE_MODEL, '1', '1', '50', '0', '0 ms', '40 ms']);
    expect(await page.locator('.gw-total-row .gw-value').allTextContents()).toEqual(['8', '1', '7,050', '1,400']);
    expect(await page.locator('.gw-span').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2} \(UTC days\)$/);
    // The model name is text: no <b> was made of it, and nothing from the data ran.
    expect(await page.locator('.gw-table b').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBeUndefined();
    await page.screenshot({ path: join(ARTIFACTS, 'ui-gateway.png'), fullPage: true });

    // 1 day: today only.
    await page.locator('.gw-days-button[data-days="1"]').click();
    await expect.poll(() => new URL(page.url()).hash).toBe('#/gateway?days=1');
    await expect.poll(() => page.locator('.gw-days-button[aria-pressed="true"]').getAttribute('data-days')).toBe('1');
    await expect.poll(() => cells(usageRow('laptop', 'qwen3:8b'))).toEqual(['laptop', 'qwen3:8b', '2', '0', '2,000', '400', '20 ms', '2.0 s']);
    expect(await page.locator('.gw-span').textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \(UTC day\)$/);

    // 30 days: the revoked key's old usage too.
    await page.locator('.gw-days-button[data-days="30"]').click();
    await expect.poll(() => page.locator('tr.gw-usage-row').count()).toBe(3);
    expect(await cells(usageRow('ci-bot', 'llama3.2'))).toEqual(['ci-bot', 'llama3.2', '4', '1', '2,000', '200', '0 ms', '800 ms']);

    // The key filter: one key's usage, kept in the address with the days.
    await page.locator('select[name="key"]').selectOption('ci-bot');
    await expect.poll(() => new URL(page.url()).hash).toBe('#/gateway?days=30&key=ci-bot');
    await expect.poll(() => page.locator('tr.gw-usage-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')))).toEqual(['ci-bot']);
    expect(await page.locator('select[name="key"]').inputValue()).toBe('ci-bot');
    // The keys table still lists every key.
    expect(await page.locator('tr.gw-key-row').count()).toBe(2);
    await page.locator('.gw-days-button[data-days="1"]').click();
    await expect.poll(() => page.locator('.gw-no-usage').textContent()).toBe('No requests of ci-bot in these days.');
    await page.locator('select[name="key"]').selectOption('');
    await expect.poll(() => new URL(page.url()).hash).toBe('#/gateway?days=1');
    await expect.poll(() => page.locator('tr.gw-usage-row').count()).toBe(2);

    // A request held open through the real gateway runs "now"; when its client leaves it is gone.
    fake!.script({ text: ['partial'], hang: true });
    const leave = new AbortController();
    const response = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      signal: leave.signal,
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'live-model', stream: true, messages: [{ role: 'user', content: 'hello' }] }),
    });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    await reader.read();
    const keySelect = await page.locator('select[name="key"]').elementHandle();
    await page.locator('.gw-refresh').click();
    await expect.poll(() => laptop.locator('.gw-cell-running .gw-value').textContent()).toBe('1');
    // New figures rewrite the tables, not the controls (a refresh must not take the focus from them).
    expect(await keySelect!.evaluate((el) => (el as unknown as { isConnected: boolean }).isConnected)).toBe(true);
    expect(await laptop.locator('.gw-cell-running .gw-busy').count()).toBe(1);
    expect(await laptop.locator('.gw-cell-last-used time').count()).toBe(1);
    leave.abort();
    await fake!.waitForDisconnect(fake!.requests.length - 1);
    await expect
      .poll(async () => {
        await page.locator('.gw-refresh:not([disabled])').click();
        return laptop.locator('.gw-cell-running .gw-value').textContent();
      })
      .toBe('0');
    // The request its client left is accounted as a failure of its model.
    await expect.poll(() => cells(usageRow('laptop', 'live-model'))).toEqual(expect.arrayContaining(['laptop', 'live-model', '1', '1']));

    // 繁中: the same page, labels and limits in Chinese, model names as they were sent.
    await page.locator('button[data-lang="zh-Hant"]').click();
    await expect.poll(() => page.locator('#gateway-title').textContent()).toBe('模型閘道');
    await expect.poll(() => laptop.locator('.gw-limits').textContent()).toBe('每分鐘 60 次 · 同時 4 個 · 上下文 32k · 輸出 8k · 互動');
    expect(await page.locator('.gw-status-badge').textContent()).toBe('●已啟用');
    expect(await usageRow('laptop', HOSTILE_MODEL).locator('.gw-model').textContent()).toBe(HOSTILE_MODEL);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-gateway-zh-hant.png'), fullPage: true });

    expect(problems).toEqual([]);
  });

  it('fits a 390 px phone screen, each row a card', async () => {
    const { page, problems } = await openPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-GB', timezoneId: 'UTC' });
    await page.goto(`${server.url}/#/gateway?days=30`);
    await page.locator('button[data-lang="en"]').click();
    await page.locator('tr.gw-usage-row').first().waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth <= (globalThis as unknown as PageGlobals).innerWidth)).toBe(true);
    // The column names are shown beside the values where the header row is not.
    expect(await page.locator('tr.gw-key-row[data-key="laptop"] .gw-cell-limits .cell-label').isVisible()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-gateway-phone.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});

describe('web UI: gateway page with the gateway off and no keys', () => {
  it('says how to turn the gateway on and how to make a key', async () => {
    const server = await startServer('off', 'storage:\n  data_dir: data\n');
    const { page, problems } = await openPage(ENGLISH);
    await page.goto(`${server.url}/#/gateway`);
    await page.locator('button[data-lang="en"]').click();
    await page.locator('.gw-status').waitFor({ timeout: 15_000 });
    expect(await page.locator('.gw-status').getAttribute('data-enabled')).toBe('false');
    expect(await page.locator('.gw-status-badge').textContent()).toBe('○Off');
    expect(await page.locator('.gw-status-text').textContent()).toBe(
      'The gateway is off: keys and past usage are listed, but no request is served. To turn it on, set gateway.enabled: true in vigil.yml and restart vigil serve.',
    );
    expect(await page.locator('.gw-status-text code').allTextContents()).toEqual(['gateway.enabled: true', 'vigil serve']);
    expect(await page.locator('.gw-status-text a').count()).toBe(0);
    expect(await page.locator('.gw-empty code').textContent()).toBe('vigil keys create NAME');
    expect(await page.locator('tr.gw-key-row').count()).toBe(0);
    // With no key there is no usage to filter.
    expect(await page.locator('.gw-usage[hidden]').count()).toBe(1);

    await page.locator('button[data-lang="zh-Hans"]').click();
    await expect.poll(() => page.locator('.gw-status-badge').textContent()).toBe('○未启用');
    expect(await page.locator('.gw-status-text code').allTextContents()).toEqual(['gateway.enabled: true', 'vigil serve']);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-gateway-off.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
