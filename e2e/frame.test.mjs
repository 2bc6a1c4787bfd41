// The page frame every role shares, in a real headless Chromium: the NHS.UK styles and favicon
// come from the binary itself (the demo is started from an empty folder), nothing the page loads
// is refused by its Content-Security-Policy, and on a phone the page links fold into a "Menu".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

test('styles, icons and the phone menu work from any folder, with nothing refused', async () => {
  const elsewhere = mkdtempSync(join(tmpdir(), 'staffbank-e2e-cwd-'));
  const base = await startDemo({ cwd: elsewhere });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: false });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(message.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });

  await signIn(page, base, 'worker@demo.staffbank.test');
  await page.waitForURL(/\/shifts$/);
  const styled = await page.evaluate(() => ({
    font: getComputedStyle(document.body).fontFamily,
    headerColour: getComputedStyle(document.querySelector('.nhsuk-header')).backgroundColor,
  }));
  assert.match(styled.font, /arial/i, 'the NHS.UK stylesheet is applied');
  assert.equal(styled.headerColour, 'rgb(0, 94, 184)', 'the header is NHS blue');
  const icon = await page.request.get(`${base}/favicon.ico`);
  assert.equal(icon.status(), 200);
  assert.equal(icon.headers()['content-type'], 'image/x-icon');

  // On a phone the links wait behind "Menu" until it is opened.
  const menuLink = page.locator('.app-nav__menu').getByRole('link', { name: 'My pay' });
  assert.equal(await menuLink.isVisible(), false, 'the page links are folded away on a phone');
  assert.equal(await page.locator('.app-nav__bar').isVisible(), false);
  await goTo(page, 'My pay');
  await page.waitForURL(/\/pay$/);

  // On a desktop they are in a row and there is no menu.
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.equal(await page.locator('.app-nav__menu').isVisible(), false);
  await goTo(page, 'My bookings');
  await page.waitForURL(/\/bookings$/);
  assert.deepEqual(problems, [], 'nothing the pages load is missing or refused');
  await context.close();

  // The same pages pass axe (which needs its script let in past the CSP).
  const checked = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const phone = await checked.newPage();
  await signIn(phone, base, 'worker@demo.staffbank.test');
  await phone.waitForURL(/\/shifts$/);
  await phone.locator('.app-nav__menu summary').click();
  await checkAccessibility(phone, 'shifts page with the menu open');

  // My record reads as words: no ISO timestamps, JSON or snake_case codes.
  await goTo(phone, 'My record');
  await phone.getByRole('heading', { name: 'My record' }).waitFor();
  const record = await phone.locator('main').innerText();
  assert.doesNotMatch(record, /\d{4}-\d\d-\d\dT\d\d:/, 'no ISO timestamps');
  assert.doesNotMatch(record, /[{}"]/, 'no JSON');
  assert.doesNotMatch(record, /\b[a-z]+_[a-z_]+\b/, 'no snake_case codes');
  assert.match(record, /(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d/);
  await checkAccessibility(phone, 'my record');
  await checked.close();
});
