// In a real headless Chromium, at phone and desktop widths: a bank worker sees what a shift would
// pay before booking it, opens the shift to see how the pay adds up, and sets their preferences
// and availability (a mistake is shown against its field first). Each outcome is checked through
// the API, and every page has no WCAG 2.2 AA violation according to axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const WORKER = 'worker@demo.staffbank.test';
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
  test(`a worker sees a shift's pay before booking and sets their availability (${name})`, async () => {
    const base = await startDemo();
    // axe is injected as a script, which the page's Content-Security-Policy would rightly refuse.
    const context = await browser.newContext({ viewport, bypassCSP: true });
    const page = await context.newPage();
    const api = await apiAs(base, WORKER);

    await signIn(page, base, WORKER);
    await page.waitForURL(/\/shifts$/);
    const card = page.locator('.nhsuk-card', { hasText: 'Estimated pay:' }).first();
    await card.waitFor();
    await checkAccessibility(page, 'shifts with their pay');

    await card.getByRole('link', { name: /^How the pay adds up/ }).click();
    await page.waitForURL(/\/shifts\/[0-9a-f-]+$/);
    await page.getByRole('heading', { name: 'Estimated pay' }).waitFor();
    await checkAccessibility(page, 'a shift with its pay');
    const id = page.url().split('/').pop();
    const estimate = await api.get(`/api/v1/me/shifts/${id}/pay-estimate`);
    assert.equal(estimate.status, 200);
    const total = page.locator('.nhsuk-summary-list__row', { hasText: 'Total' });
    assert.equal((await total.locator('dd').textContent()).trim(), estimate.body.shown[1]);
    await page.getByRole('link', { name: 'Back to shifts for me' }).click();

    await goTo(page, 'Preferences');
    await page.getByRole('heading', { name: 'Preferences and availability' }).waitFor();
    await checkAccessibility(page, 'preferences');
    await page.getByLabel('Saturday').uncheck();
    await page.getByLabel('Sunday').uncheck();
    await page.getByLabel('Dates you cannot work').fill('25/12/2099\nnot a date');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    const summary = page.locator('.nhsuk-error-summary');
    await summary.getByRole('link', { name: /Dates you cannot work/ }).waitFor();
    await checkAccessibility(page, 'preferences with a mistake');
    const unchanged = await api.get('/api/v1/me/preferences');
    assert.equal(unchanged.body.days.length, 7, 'a refused change changes nothing');

    await summary.getByRole('link', { name: /Dates you cannot work/ }).click();
    await page.getByLabel('Dates you cannot work').fill('25/12/2099');
    await page.getByLabel('Furthest you will travel, in kilometres').fill('40');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Your preferences are saved.').waitFor();
    await checkAccessibility(page, 'preferences saved');
    const saved = await api.get('/api/v1/me/preferences');
    assert.deepEqual(saved.body.days, ['monday', 'tuesday', 'wednesday', 'thursday', 'friday']);
    assert.deepEqual(saved.body.unavailable_dates, ['2099-12-25']);
    assert.equal(saved.body.max_travel_km, 40);

    // The list follows them: no shift starting on a Saturday or Sunday.
    const matches = await api.get('/api/v1/me/shift-matches');
    for (const m of matches.body.bookable) {
      const day = new Date(m.shift.starts_at).toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'Europe/London' });
      assert.ok(!['Saturday', 'Sunday'].includes(day), `${m.shift.id} starts on a ${day}`);
    }
    await context.close();
  });
}
