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
import { HOSTILE_CAMERA_NAME, HOSTILE_ZONE_NAME } from './fixtures.ts';
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
}

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

  await page.goto(`${mock.url}/#/?q=who%20crossed%20the%20footpath%20line`);
  await page.locator('dialog.token-dialog input').fill(TOKEN);
  await page.locator('dialog.token-dialog button[type=submit]').click();
  await page.locator('.tl-marker').first().waitFor();
  check(tokenProblems.length > 0, 'the first request was refused (401) before the token was asked for');
  await page.screenshot({ path: join(OUT, 'mock-search.png'), fullPage: true });

  await page.goto(`${mock.url}/#/?q=${encodeURIComponent('昨天晚上10點到11點後門有沒有人徘徊？')}`);
  await page.locator('.result-link').first().waitFor();
  await page.screenshot({ path: join(OUT, 'mock-search-hostile.png'), fullPage: true });
  check((await page.locator('.result-camera').first().textContent()) === HOSTILE_CAMERA_NAME, 'hostile camera name shown as text');
  await page.locator('.tl-marker').first().click();
  await page.locator('.event-title').waitFor();
  await page.locator('.snapshot-image').evaluate((img: HTMLImageElement) => img.decode());
  check((await page.locator('.event-title').textContent())?.includes(HOSTILE_ZONE_NAME), 'hostile zone name shown as text');
  check(await page.evaluate(() => (window as { __xss?: unknown }).__xss === undefined), 'no injected script ran');
  await page.screenshot({ path: join(OUT, 'mock-event.png'), fullPage: true });

  await page.locator('button[data-lang="zh-Hant"]').click();
  await page.locator('h2', { hasText: '證據' }).waitFor();
  await page.screenshot({ path: join(OUT, 'mock-event-zh-hant.png'), fullPage: true });

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
} finally {
  await browser.close();
  await mock.close();
}
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`ok: screenshots in ${OUT}`);
