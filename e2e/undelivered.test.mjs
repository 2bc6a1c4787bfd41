// The bank office's "Undelivered messages" page: reached from the menu, in words, accessible at
// phone and desktop widths (and 320 px), and the same list as the API gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const BOOKER = 'booker@rxl.demo.staffbank.test';
const VIEWPORTS = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]];

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

for (const [name, viewport] of VIEWPORTS) {
  test(`the bank office sees undelivered messages (${name})`, async () => {
    const base = await startDemo();
    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(page, base, BOOKER);
    await page.waitForURL(/\/manage\/shifts$/);
    await goTo(page, 'Undelivered messages');
    await page.getByRole('heading', { name: 'Undelivered messages', level: 1 }).waitFor();
    await checkAccessibility(page, 'undelivered messages');
    const api = await apiAs(base, BOOKER);
    const listed = await api.get('/api/v1/undelivered-messages');
    assert.equal(listed.status, 200, JSON.stringify(listed.body));
    const cards = await page.locator('.nhsuk-card').count();
    assert.equal(cards, listed.body.length);
    if (listed.body.length === 0) {
      await page.getByText('Every message has been delivered.').waitFor();
    }
    // An id that is not one of this trust's undelivered messages is not found.
    await page.goto(`${base}/manage/undelivered/00000000-0000-0000-0000-000000000000/retry`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    assert.match(await page.locator('h1').innerText(), /not found|could not be found/i);
  });
}
