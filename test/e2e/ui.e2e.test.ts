/**
 * The web UI in real Chromium (Debian's, or the one npm installs: see test/support/browser.ts), served by the real server, on events the real analyzer found in an
 * excerpt of the street clip. The camera and the tripwire carry names that are markup, so the test
 * sees that data is rendered as text everywhere. Any console error or page error fails the test.
 * The cameras page is seen on a second server over the same data that also runs two live cameras
 * for real: one whose RTSP server does not exist (and whose URL is markup), one playing the clip.
 * Screenshots go to test-artifacts/ for a human to look at.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVigilServer, type RunningServer } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { findChromium } from '../support/browser.ts';
import { runCli } from '../support/cli.ts';
import { REPO_ROOT, sampleExcerpt } from '../support/media.ts';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const ARTIFACTS = join(REPO_ROOT, 'test-artifacts');
const HOSTILE_CAMERA = '<img src=x onerror="window.__xss=1">';
const HOSTILE_LINE = '<script>window.__xss=2</script>';

/** The demo's street rules (see test/medium/analyze-cli.test.ts), with names that are markup. */
const CONFIG = `storage:
  data_dir: data
detector:
  workers: 2
cameras:
  street:
    name: '${HOSTILE_CAMERA}'
    input: street.mp4
    timezone: Europe/Paris
    start_time: "2026-11-20T22:00:10+01:00"
    tripwires:
      path:
        display_name: '${HOSTILE_LINE}'
        points: [[300, 170], [300, 330]]
        inbound: b_to_a
        labels: [person]
    zones:
      lawn: { points: [[0, 262], [330, 330], [560, 440], [768, 500], [768, 576], [0, 576]], restricted: true, labels: [person] }
`;

/** The structural bits of DOM types the page callbacks use (this tsconfig has no DOM lib). */
interface ImageLike {
  complete: boolean;
  naturalWidth: number;
}
interface PageGlobals {
  __xss?: unknown;
  document: { documentElement: { scrollWidth: number }; dispatchEvent(event: unknown): boolean };
  Event: new (type: string) => unknown;
  innerWidth: number;
  localStorage: { getItem(key: string): string | null };
}

let dir: string;
let clip: string;
let server: { url: string; close(): Promise<void> } | undefined;
let browser: Browser | undefined;

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

async function imageLoaded(page: Page, selector: string): Promise<void> {
  const image = page.locator(selector).first();
  await image.scrollIntoViewIfNeeded();
  await expect
    .poll(() => image.evaluate((img) => ((img as unknown as ImageLike).complete ? (img as unknown as ImageLike).naturalWidth : 0)), { timeout: 15_000 })
    .toBeGreaterThan(0);
}

function noHorizontalScroll(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const w = globalThis as unknown as PageGlobals;
    return w.document.documentElement.scrollWidth <= w.innerWidth;
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-ui-'));
  const config = join(dir, 'vigil.yml');
  writeFileSync(config, CONFIG);

  clip = sampleExcerpt('street', 10, 16);
  const analyzed = await runCli(['analyze', clip, '--config', config, '--camera', 'street', '--fps', '5'], { cwd: dir });
  expect(analyzed.stderr).toBe('');
  expect(analyzed.code).toBe(0);
  // Frames of a recording, as Frigate events with clip_frames have: here the crossings' own kept
  // frames stand in for them, so the event page shows them through the real media route.
  const db = new Database(join(dir, 'data', 'vigil.db'));
  db.prepare(
    `UPDATE events SET clip_frames_json = (SELECT json_group_array(image_path) FROM (SELECT image_path FROM frames f
       WHERE f.run_id = events.run_id AND f.image_path IS NOT NULL AND f.frame_index >= events.start_frame ORDER BY f.frame_index LIMIT 2))
     WHERE type = 'line_crossing'`,
  ).run();
  db.close();

  // The server serves the built UI from web/dist: build the current sources.
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  const loaded = await loadConfig({ file: config, explicit: true, env: {}, cwd: dir });
  server = await startVigilServer(loaded, { host: '127.0.0.1', port: 0 });
  const found = await findChromium();
  console.info(`browser: ${found.source} (${found.executablePath})`);
  browser = await chromium.launch({ executablePath: found.executablePath, args: CHROMIUM_ARGS });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('web UI', () => {
  it('answers a question, shows the timeline, opens an event with its snapshot, renders hostile names as text, and switches to 繁中', async () => {
    const { page, problems } = await openPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    await page.goto(`${server!.url}/`);
    await page.locator('button[data-lang="en"]').click();

    await page.locator('input[name="q"]').fill('who crossed the line');
    await page.locator('form[role="search"] button[type="submit"]').click();
    await expect.poll(() => page.locator('.answer-text').textContent(), { timeout: 30_000 }).toMatch(/\S/);
    await expect(page.locator('.interpretation').textContent()).resolves.toMatch(/\S/);
    const markers = page.locator('.tl-marker');
    expect(await markers.count()).toBeGreaterThan(0);
    expect(await page.locator('.result-link').count()).toBeGreaterThan(0);
    expect(await page.locator('.tl-lane-name').first().textContent()).toBe(HOSTILE_CAMERA);
    await imageLoaded(page, '.result-thumb');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-search.png'), fullPage: true });

    const crossing = page.locator('.tl-marker.type-line_crossing').first();
    const eventId = await crossing.getAttribute('data-event-id');
    expect(await crossing.getAttribute('aria-label')).toMatch(/\S/);
    await crossing.click();
    await page.locator('.event-title').waitFor();
    expect(decodeURIComponent(new URL(page.url()).hash)).toBe(`#/event/${eventId}`);

    await imageLoaded(page, '.snapshot-image');
    expect(await page.locator('.event-camera').textContent()).toBe(HOSTILE_CAMERA);
    expect(await page.locator('.event-title').textContent()).toContain(HOSTILE_LINE);
    expect(await page.locator('.evidence-text').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining(HOSTILE_LINE)]));
    expect(await page.locator('.actor').count()).toBeGreaterThan(0);
    expect(await page.locator('.clip-frame').count()).toBe(2);
    await imageLoaded(page, '.clip-frame');
    expect(await page.locator('#clip-frames-title').textContent()).toBe('From the recording');
    expect(await page.locator('.evidence-item').count()).toBeGreaterThan(0);
    // No model is configured here: the description section says so and offers no button.
    expect(await page.locator('#description-title').textContent()).toBe('Description');
    expect(await page.locator('.description .desc-note').textContent()).toContain('No model is configured for descriptions');
    expect(await page.locator('.describe-button').count()).toBe(0);
    // Nothing from the data became an element, and nothing from it ran.
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.locator('script:not([src])').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBeUndefined();
    await page.screenshot({ path: join(ARTIFACTS, 'ui-event.png'), fullPage: true });

    await page.locator('button[data-lang="zh-Hant"]').click();
    await expect.poll(() => page.locator('#evidence-title').textContent()).toBe('證據');
    await expect.poll(() => page.locator('.event-title').textContent()).toMatch(/人物|穿越/);
    expect(await page.locator('#description-title').textContent()).toBe('描述');
    expect(await page.locator('.description .desc-note').textContent()).toContain('未設定描述用的模型');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hant');
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.getItem('vigil.lang'))).toBe('zh-Hant');
    await page.screenshot({ path: join(ARTIFACTS, 'ui-event-zh-hant.png'), fullPage: true });

    await page.locator('.back-link').click();
    await expect.poll(() => page.locator('#results-title').textContent(), { timeout: 30_000 }).toContain('結果');
    expect(await page.locator('.tl-marker').count()).toBeGreaterThan(0);
    // Without an answers model the answer is the deterministic one: no model credited, nothing marked cited.
    expect(await page.locator('.answer-source').count()).toBe(0);
    expect(await page.locator('.badge-cited').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBeUndefined();

    expect(problems).toEqual([]);
  });

  it('fits a 390 px phone screen without horizontal scrolling', async () => {
    const { page, problems } = await openPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-TW', timezoneId: 'Asia/Taipei' });
    await page.goto(`${server!.url}/#/?q=${encodeURIComponent('who crossed the line')}`);
    await page.locator('.tl-marker').first().waitFor({ timeout: 30_000 });
    await imageLoaded(page, '.result-thumb');
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-phone.png'), fullPage: true });

    await page.locator('.result-link').first().click();
    await imageLoaded(page, '.snapshot-image');
    await page.locator('.description .desc-note').waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-phone-event.png'), fullPage: true });

    expect(problems).toEqual([]);
  });
});

/** A port nobody listens on (free a moment ago): connecting to it is refused at once. */
async function unusedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Sets what `document.hidden` says and tells the page, as a browser does when the tab is switched. */
async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((value) => {
    const w = globalThis as unknown as PageGlobals;
    Object.defineProperty(w.document, 'hidden', { configurable: true, get: () => value });
    w.document.dispatchEvent(new w.Event('visibilitychange'));
  }, hidden);
}

const HOSTILE_DOOR = '<img src=x onerror="window.__xss=3">';
const HOSTILE_PATH = '<img src=x onerror="window.__xss=4">';

interface LiveCameraJson {
  id: string;
  live: { status: string; last_error: string | null; next_attempt_at: string | null; frames_in: number } | null;
}

describe('web UI: cameras page with live cameras', () => {
  let live: RunningServer | undefined;

  beforeAll(async () => {
    // The street camera of the other tests (a file: not live, with its events), plus a stream that
    // is refused (retried only every 30 s, so it stays "reconnecting") and the clip in a loop.
    const port = await unusedPort();
    const config = join(dir, 'vigil-live.yml');
    writeFileSync(
      config,
      `${CONFIG.replace('workers: 2', 'workers: 1')}  door:
    name: '${HOSTILE_DOOR}'
    input: 'rtsp://127.0.0.1:${port}/${HOSTILE_PATH}'
    live: { reconnect: { min_s: 30, max_s: 30 } }
  yard:
    name: Yard
    input: ${JSON.stringify(clip)}
    fps: 2
    labels: [person]
    live: { enabled: true }
`,
    );
    const loaded = await loadConfig({ file: config, explicit: true, env: {}, cwd: dir });
    live = await startVigilServer(loaded, { host: '127.0.0.1', port: 0 });
  }, 60_000);

  afterAll(async () => {
    await live?.close();
  });

  it('lists every camera with its real live state, refreshes itself, renders names and errors as text, and fits a phone', async () => {
    const { page, problems } = await openPage({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
    const cameraRequests: number[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/api/cameras') cameraRequests.push(Date.now());
    });
    await page.goto(`${live!.url}/`);
    await page.locator('button[data-lang="en"]').click();
    await page.locator('.site-nav a[data-page="cameras"]').click();
    // The router updates the address and the navigation after the click, not during it.
    await expect.poll(() => new URL(page.url()).hash).toBe('#/cameras');
    await expect.poll(() => page.locator('.site-nav a[data-page="cameras"]').getAttribute('aria-current')).toBe('page');
    const row = (id: string) => page.locator(`tr.camera-row[data-camera-id="${id}"]`);
    await row('door').waitFor({ timeout: 20_000 });
    expect(await page.locator('tr.camera-row').count()).toBe(3);
    // Visible columns only: the Frigate column is left out while no camera is fed by Frigate.
    expect(await page.locator('.camera-table thead th:visible').allTextContents()).toEqual(
      ['Camera', 'Status', 'Worker', 'Frames/s', 'Dropped', 'Queue', 'Reconnects', 'Last frame', 'Last error', 'Events'],
    );

    // The refused stream: reconnecting, when it tries next, and ffmpeg's own words, as text.
    await expect.poll(() => row('door').getAttribute('data-status'), { timeout: 20_000 }).toBe('waiting');
    const api = (await (await fetch(`${live!.url}/api/cameras`)).json()) as { cameras: LiveCameraJson[] };
    const door = api.cameras.find((c) => c.id === 'door')!.live!;
    expect(door.last_error).toContain('Connection refused');
    expect(await row('door').locator('.camera-name').textContent()).toBe(HOSTILE_DOOR);
    expect(await row('door').locator('.live-badge').textContent()).toBe('↻Reconnecting');
    expect(await row('door').locator('.camera-cell-status .rel-time').textContent()).toMatch(/^next try in \d+ sec$/);
    expect(await row('door').locator('.camera-cell-status time').getAttribute('datetime')).toBe(door.next_attempt_at);
    await expect.poll(() => row('door').locator('.live-error').textContent()).toBe(door.last_error);
    expect(door.last_error).toContain(HOSTILE_PATH);
    expect(await row('door').locator('.camera-cell-last-error .rel-time').getAttribute('title')).toMatch(/\d{2}:\d{2}:\d{2}/);

    // The file camera of the other tests: not live, its events a click away.
    expect(await row('street').getAttribute('data-status')).toBe('not_live');
    expect(await row('street').locator('.camera-name').textContent()).toBe(HOSTILE_CAMERA);
    expect(await row('street').locator('.live-badge').textContent()).toBe('○Not live');
    expect(Number(await row('street').locator('.camera-cell-events .count').textContent())).toBeGreaterThan(0);

    // The looping clip streams; the page shows its frames coming in without being reloaded.
    await expect.poll(() => row('yard').getAttribute('data-status'), { timeout: 30_000 }).toBe('streaming');
    const framesIn = async () => Number(/^([\d,]+) in/.exec((await row('yard').locator('.camera-cell-fps .live-note').textContent()) ?? '')?.[1]?.replace(/,/g, '') ?? 0);
    await expect.poll(framesIn, { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await row('yard').locator('.live-badge').textContent()).toBe('●Streaming');
    expect(await row('yard').locator('.camera-cell-last-frame .rel-time').textContent()).toMatch(/ago|now/);
    expect(await page.locator('.camera-overview').textContent()).toMatch(/Reconnecting\s*1.*Streaming\s*1.*Not live\s*1/);
    expect(cameraRequests.length).toBeGreaterThan(1);

    // Nothing from the data became an element, and nothing from it ran.
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).__xss)).toBeUndefined();
    await page.screenshot({ path: join(ARTIFACTS, 'ui-cameras.png'), fullPage: true });

    // A hidden tab asks nothing; shown again, it asks at once.
    await setTabHidden(page, true);
    await page.waitForTimeout(500);
    const whileHidden = cameraRequests.length;
    await page.waitForTimeout(5_500);
    expect(cameraRequests.length).toBe(whileHidden);
    await setTabHidden(page, false);
    await expect.poll(() => cameraRequests.length, { timeout: 3_000 }).toBeGreaterThan(whileHidden);

    await page.locator('button[data-lang="zh-Hant"]').click();
    await expect.poll(() => page.locator('#cameras-title').textContent()).toBe('攝影機');
    expect(await row('door').locator('.live-badge').textContent()).toBe('↻重新連線中');
    expect(await row('door').locator('.camera-cell-status .rel-time').textContent()).toMatch(/^下次嘗試：/);
    await page.screenshot({ path: join(ARTIFACTS, 'ui-cameras-zh-hant.png'), fullPage: true });
    await page.locator('button[data-lang="en"]').click();

    // "Show events": the search, filtered to that camera; leaving the page stops the refreshing.
    await row('street').locator('.camera-events-link').click();
    await page.locator('.result-link').first().waitFor({ timeout: 30_000 });
    expect(await page.locator('select[name="camera"]').inputValue()).toBe('street');
    expect(new Set(await page.locator('.result-camera').allTextContents())).toEqual(new Set([HOSTILE_CAMERA]));
    await page.waitForTimeout(500);
    const afterLeaving = cameraRequests.length;
    await page.waitForTimeout(5_500);
    expect(cameraRequests.length).toBe(afterLeaving);
    expect(problems).toEqual([]);

    const phone = await openPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-TW', timezoneId: 'Asia/Taipei' });
    await phone.page.goto(`${live!.url}/#/cameras`);
    await phone.page.locator('tr.camera-row[data-camera-id="door"] .live-error').waitFor({ timeout: 20_000 });
    expect(await noHorizontalScroll(phone.page)).toBe(true);
    // The not-live camera's card leaves out the values it does not have.
    expect(await phone.page.locator('tr.camera-row[data-camera-id="street"] td.cell-empty').first().isVisible()).toBe(false);
    await phone.page.screenshot({ path: join(ARTIFACTS, 'ui-cameras-phone.png'), fullPage: true });
    expect(phone.problems).toEqual([]);
  });
});
