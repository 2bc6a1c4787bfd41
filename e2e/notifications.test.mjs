// Notifications in the browser: a worker's "Notifications" settings page, and the bank office's
// "Undelivered messages" page; each reached from the menu, accessible at phone and desktop widths
// (and 320 px), and agreeing with the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const BOOKER = 'booker@rxl.demo.staffbank.test';
const WORKER = 'worker@demo.staffbank.test';
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

for (const [name, viewport] of VIEWPORTS) {
  test(`a worker chooses how they hear about offers (${name})`, async () => {
    const base = await startDemo();
    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(page, base, WORKER);
    await page.waitForURL(/\/shifts$/);
    await goTo(page, 'Notifications');
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await checkAccessibility(page, 'notification settings');
    assert.ok(await page.getByLabel('Email, to the address you sign in with').isChecked());
    await page.getByLabel('Email, to the address you sign in with').uncheck();
    await page.getByLabel('Push messages on this device').check();
    await page.getByRole('button', { name: 'Save notification settings' }).click();
    await page.getByText('Your notification settings are saved.').waitFor();
    await checkAccessibility(page, 'notification settings, saved');
    const api = await apiAs(base, WORKER);
    const settings = await api.get('/api/v1/me/notification-settings');
    assert.deepEqual(settings.body, { email: false, push: true });
    assert.ok(!(await page.getByLabel('Email, to the address you sign in with').isChecked()));
  });
}
