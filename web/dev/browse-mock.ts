/**
 * Drives the built UI (web/dist) against the mock API in real Chromium and saves screenshots to
 * test-artifacts/mock-*.png: a quick look at the UI without the real server. Exits 1 on any
 * console error, page error or failed check.
 *
 *   npx vite build --config web/vite.config.ts && node --import tsx web/dev/browse-mock.ts
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { HOSTILE_CAMERA_NAME, HOSTILE_RAW, HOSTILE_REASON, HOSTILE_SCENE, HOSTILE_ZONE_NAME } from './fixtures.ts';
import { startMockApi } from './mock-api.ts';

const OUT = resolve(fileURLToPath(new URL('../..', import.meta.url)), 'test-artifacts');
const CHROMIUM = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';
const TOKEN = 'mock-secret';

function check(condition: unknown, what: string): void {
  if (!condition) throw new Error(`check failed: ${what}`);
}

function watch(page: Page, problems: string[]): void {
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
}

/** The browser logs a failed request as a console error: drop the one an expected error status caused. */
function expectFailedRequest(problems: string[], status: number): void {
  const index = problems.findIndex((p) => p.includes(`status of ${status}`));
  check(index >= 0, `the expected ${status} response was logged`);
  problems.splice(index, 1);
}

async function noInjection(page: Page, what: string): Promise<void> {
  check((await page.locator('img[src="x"]').count()) === 0, `${what}: no element made from data`);
  check(await page.evaluate(() => (window as { __xss?: unknown }).__xss === undefined), `${what}: no injected script ran`);
}

const eventUrl = (base: string, id: string) => `${base}/#/event/${encodeURIComponent(id)}`;

mkdirSync(OUT, { recursive: true });
const mock = await startMockApi({ port: 0, token: TOKEN, delayMs: 50 });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
const problems: string[] = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-GB', timezoneId: 'UTC' });
  // The token dialog is exercised once (the first API call answers 401), then the token is kept.
  await context.addInitScript(() => localStorage.removeItem('vigil.token'));
  const page = await context.newPage();
  const tokenProblems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && (/401/.test(m.text()) ? tokenProblems : problems).push(`console: ${m.text()}`));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });

  await page.goto(`${mock.url}/#/?q=who%20crossed%20the%20footpath%20line`);
  await page.locator('dialog.token-dialog input').fill(TOKEN);
  await page.locator('dialog.token-dialog button[type=submit]').click();
  await page.locator('.tl-marker').first().waitFor();
  check(tokenProblems.length > 0, 'the first request was refused (401) before the token was asked for');
  check((await page.locator('.answer-source').textContent())?.includes('qwen2.5:14b-instruct'), 'generated answer names its model');
  check((await page.locator('.result.cited .badge-cited').count()) === 2, 'the two cited events are marked');
  check((await page.locator('.answer-step').count()) === 2, 'the generated timeline links its events');
  check((await page.locator('.answer-fallback').count()) === 0, 'no fallback note on a generated answer');
  await page.screenshot({ path: join(OUT, 'mock-search.png'), fullPage: true });

  await page.goto(`${mock.url}/#/?q=${encodeURIComponent('did anyone walk on the lawn')}`);
  await page.locator('.answer-fallback').waitFor();
  check((await page.locator('.answer-fallback').textContent()) === 'Model unavailable: no answer within 30 s', 'fallback reason shown');
  check((await page.locator('.answer-source').count()) === 0 && (await page.locator('.badge-cited').count()) === 0, 'a deterministic answer claims no model and no citations');
  await page.screenshot({ path: join(OUT, 'mock-search-fallback.png'), fullPage: true });

  await page.goto(`${mock.url}/#/?q=${encodeURIComponent('昨天晚上10點到11點後門有沒有人徘徊？')}`);
  await page.locator('.result-link').first().waitFor();
  await page.screenshot({ path: join(OUT, 'mock-search-hostile.png'), fullPage: true });
  check((await page.locator('.result-camera').first().textContent()) === HOSTILE_CAMERA_NAME, 'hostile camera name shown as text');
  await page.locator('.tl-marker').first().click();
  await page.locator('.event-title').waitFor();
  await page.locator('.snapshot-image').evaluate((img: HTMLImageElement) => img.decode());
  check((await page.locator('.event-title').textContent())?.includes(HOSTILE_ZONE_NAME), 'hostile zone name shown as text');
  check(await page.evaluate(() => (window as { __xss?: unknown }).__xss === undefined), 'no injected script ran');
  // The hostile back-door event: a model summary only in Traditional Chinese, shown in its language.
  check((await page.locator('.desc-summary').getAttribute('lang')) === 'zh-Hant', 'summary falls back to zh-Hant, marked as such');
  check((await page.locator('.desc-reasons li').allTextContents()).includes(HOSTILE_REASON), 'hostile reason shown as text');
  await page.screenshot({ path: join(OUT, 'mock-event.png'), fullPage: true });

  await page.locator('button[data-lang="zh-Hant"]').click();
  await page.locator('h2', { hasText: '證據' }).waitFor();
  await page.screenshot({ path: join(OUT, 'mock-event-zh-hant.png'), fullPage: true });

  await page.locator('button[data-lang="en"]').click();

  // A done description whose scene and reasons are markup.
  await page.goto(eventUrl(mock.url, 'street-r1-line_crossing-path-4-p3'));
  await page.locator('.desc-summary').waitFor();
  check((await page.locator('.desc-summary').textContent())?.startsWith('A person in a dark hooded jacket'), 'summary in the UI language');
  check((await page.locator('.desc-scene').textContent())?.includes(HOSTILE_SCENE), 'hostile scene shown as text');
  check((await page.locator('.desc-reasons li').allTextContents()).includes(`carries something labelled ${HOSTILE_REASON}`), 'hostile reason shown as text');
  check((await page.locator('.suspicion-value').textContent()) === '22 / 100', 'suspicion score');
  check((await page.locator('.evidence-frame').count()) > 0, 'full frame links');
  await noInjection(page, 'described event');
  await page.screenshot({ path: join(OUT, 'mock-event-described.png'), fullPage: true });
  const before = await page.locator('.desc-meta').textContent();
  await page.locator('.describe-button').click();
  check(await page.locator('.describe-button').isDisabled(), 'button disabled while describing');
  check((await page.locator('.describe-button').textContent()) === 'Describing…', 'button says it is describing');
  await page.locator('.describe-button:not([disabled])').waitFor();
  check((await page.locator('.desc-meta').textContent()) !== before, 'section refreshed after describing again');
  check((await page.locator('.describe-button').textContent()) === 'Describe again', 'button back');

  // Invalid model output: a warning and the raw text as text.
  await page.goto(eventUrl(mock.url, 'street-r1-line_crossing-path-36-p8'));
  await page.locator('.desc-flagged').waitFor();
  check((await page.locator('.desc-raw').textContent()) === HOSTILE_RAW, 'flagged raw text shown verbatim');
  await noInjection(page, 'flagged description');
  await page.screenshot({ path: join(OUT, 'mock-event-flagged.png'), fullPage: true });

  // A failed description, and describing it again fails with the model's message.
  await page.goto(eventUrl(mock.url, 'street-r1-line_crossing-path-86-p17'));
  await page.locator('.desc-last-error').waitFor();
  await page.locator('.describe-button').click();
  await page.locator('.desc-request-error').waitFor();
  check((await page.locator('.desc-request-error').textContent())?.includes('<b>model "qwen2.5vl:7b" not found</b>'), 'API error message shown as text');
  check(await page.locator('.describe-button').isEnabled(), 'button enabled again after a failure');
  expectFailedRequest(problems, 502);
  await page.screenshot({ path: join(OUT, 'mock-event-failed.png'), fullPage: true });

  // Queued after an outage: describing now times out (504).
  await page.goto(eventUrl(mock.url, 'street-r1-loitering-entrance-59-p6'));
  await page.locator('.desc-status-queued').waitFor();
  await page.locator('.describe-button').click();
  await page.locator('.desc-request-error').waitFor();
  expectFailedRequest(problems, 504);
  await page.screenshot({ path: join(OUT, 'mock-event-queued.png'), fullPage: true });

  // Running: nothing to press.
  await page.goto(eventUrl(mock.url, 'street-r1-intrusion-lawn-254-p35'));
  await page.locator('.desc-status-running').waitFor();
  check(await page.locator('.describe-button').isDisabled(), 'button disabled while the description is running');

  // No descriptions model: a note and no button.
  await page.goto(eventUrl(mock.url, 'street-r1-line_crossing-path-330-p37'));
  await page.locator('.desc-note').waitFor();
  check((await page.locator('.describe-button').count()) === 0, 'no button without a model');
  await page.screenshot({ path: join(OUT, 'mock-event-no-model.png'), fullPage: true });

  // Never described: "Describe now" brings a description with a vehicle.
  await page.goto(eventUrl(mock.url, 'back-r2-object_seen-car-12-v1'));
  await page.locator('.desc-status-none').waitFor();
  check((await page.locator('.describe-button').textContent()) === 'Describe now', 'describe now');
  await page.locator('.describe-button').click();
  await page.locator('.desc-vehicles').waitFor();
  check((await page.locator('.desc-vehicles').textContent())?.includes('van, white'), 'vehicle attributes shown');
  await page.screenshot({ path: join(OUT, 'mock-event-described-now.png'), fullPage: true });

  await page.goto(`${mock.url}/#/?q=error`);
  await page.locator('.error-message').waitFor();
  check((await page.locator('.error-message').textContent()) === 'The mock failed on purpose.', 'API error message shown');
  const expected500 = problems.findIndex((p) => p.includes('500'));
  if (expected500 >= 0) problems.splice(expected500, 1);
  await page.screenshot({ path: join(OUT, 'mock-error.png') });

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'zh-TW', timezoneId: 'Asia/Taipei' });
  await phone.addInitScript((token) => localStorage.setItem('vigil.token', token), TOKEN);
  const mobile = await phone.newPage();
  watch(mobile, problems);
  await mobile.goto(`${mock.url}/#/?q=${encodeURIComponent('有人闖入草坪嗎')}`);
  await mobile.locator('.result-link').first().waitFor();
  await mobile.locator('.filters summary').click();
  check(await mobile.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling at 390 px');
  await mobile.screenshot({ path: join(OUT, 'mock-phone-search.png'), fullPage: true });
  await mobile.locator('.result-link').first().click();
  await mobile.locator('.event-title').waitFor();
  await mobile.locator('.snapshot-image').evaluate((img: HTMLImageElement) => img.decode());
  check(await mobile.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling on the event page');
  await mobile.screenshot({ path: join(OUT, 'mock-phone-event.png'), fullPage: true });
  await mobile.goto(eventUrl(mock.url, 'street-r1-line_crossing-path-4-p3'));
  await mobile.locator('.desc-summary').waitFor();
  check((await mobile.locator('.desc-summary').textContent())?.includes('背著背包'), 'zh-Hant summary on a zh-TW phone');
  check(await mobile.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling with a description');
  await mobile.screenshot({ path: join(OUT, 'mock-phone-description.png'), fullPage: true });
  await mobile.goto(eventUrl(mock.url, 'street-r1-line_crossing-path-36-p8'));
  await mobile.locator('.desc-flagged').waitFor();
  check(await mobile.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling with raw model output');
} finally {
  await browser.close();
  await mock.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`ok: screenshots in ${OUT}`);
