// In a real headless Chromium, at phone (320 px) and desktop widths: the bank office opens its
// operational dashboard ("Insight") from the menu, chooses dates, reads the charts with their
// tables, and downloads a table as CSV that names no worker. Every page visited has no WCAG 2.2
// AA violation according to axe-core, and none scrolls sideways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo } from './support.mjs';

const BOOKER = 'booker@rxl.demo.staffbank.test';
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

for (const [name, viewport] of [['phone', { width: 320, height: 720 }], ['desktop', { width: 1280, height: 900 }]]) {
  test(`the bank office reads its operational dashboard (${name})`, async () => {
    const base = await startDemo();
    const context = await browser.newContext({ viewport, bypassCSP: true });
    const page = await context.newPage();
    await signIn(page, base, BOOKER);
    await page.waitForURL(/\/manage\/shifts$/);

    await goTo(page, 'Insight');
    await page.getByRole('heading', { name: 'Insight', exact: true }).waitFor();
    await checkAccessibility(page, 'insight page');
    const main = await page.locator('main').textContent();
    assert.match(main, /Shifts posted/);
    assert.match(main, /Fill rate/);
    // Each chart is an image with a name, and its figures are a table beside it.
    assert.ok((await page.locator('main svg[role="img"]').count()) >= 3);
    assert.ok((await page.locator('main table').count()) >= 3);

    // A chosen span: the four weeks from a fortnight ago.
    const from = new Date(Date.now() - 14 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 14 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    await page.getByLabel('First day').fill(from);
    await page.getByLabel('Last day').fill(to);
    await page.getByRole('button', { name: 'Show these dates' }).click();
    await page.waitForURL(new RegExp(`from=${from}&to=${to}`));
    await page.getByRole('heading', { name: 'Insight', exact: true }).waitFor();
    await checkAccessibility(page, 'insight page for chosen dates');

    // One table as CSV: figures, and no names or emails.
    const href = await page.getByRole('link', { name: 'Download by ward (CSV)' }).getAttribute('href');
    const csv = await page.request.get(`${base}${href}`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /^text\/csv/);
    const text = await csv.text();
    assert.match(text, /^Table,Group,Shifts posted/);
    assert.doesNotMatch(text, /@/);
    await context.close();
  });
}
