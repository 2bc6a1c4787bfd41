// Notifications in the browser: a worker's "Notifications" settings page, a ward manager's
// (channels for escalations only), and the bank office's "Undelivered messages" page; each reached
// from the menu, accessible at phone and desktop widths (and 320 px), and agreeing with the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const BOOKER = 'booker@rxl.demo.staffbank.test';
const WORKER = 'worker@demo.staffbank.test';
const WARD_MANAGER = 'ward.manager@rxl.demo.staffbank.test';
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
  test(`a worker chooses how and about which offers they hear (${name})`, async () => {
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
    await page.getByLabel('Band 5', { exact: true }).check();
    await page.getByLabel('Band 6', { exact: true }).check();
    const sites = page.getByRole('group', { name: 'Sites' }).getByRole('checkbox');
    assert.ok((await sites.count()) > 0, 'the sites of the worker\'s banks are listed');
    await sites.first().check();
    await page.getByLabel('Nights only').check();

    // Quiet hours with a start and no end: the problem is named and linked to its field.
    await page.getByLabel('From').fill('22:00');
    await page.getByRole('button', { name: 'Save notification settings' }).click();
    const summary = page.locator('.nhsuk-error-summary');
    await summary.waitFor();
    const link = summary.getByRole('link', { name: 'Enter when quiet hours end, as well as when they start' });
    assert.equal(await link.getAttribute('href'), '#quiet_until');
    await checkAccessibility(page, 'notification settings, with a problem');
    const api = await apiAs(base, WORKER);
    const unchanged = await api.get('/api/v1/me/notification-settings');
    assert.equal(unchanged.body.email, true, 'refused: nothing stored');
    assert.ok(await page.getByLabel('Nights only').isChecked(), 'what was entered is kept');

    await link.click();
    await page.getByLabel('Until').fill('07:00');
    await page.getByRole('button', { name: 'Save notification settings' }).click();
    await page.getByText('Your notification settings are saved.').waitFor();
    await checkAccessibility(page, 'notification settings, saved');
    const settings = await api.get('/api/v1/me/notification-settings');
    assert.equal(settings.body.email, false);
    assert.equal(settings.body.push, true);
    assert.deepEqual(settings.body.grades, ['band_5', 'band_6']);
    assert.equal(settings.body.sites.length, 1);
    assert.equal(settings.body.shift_times, 'nights');
    assert.equal(settings.body.quiet_from, '22:00');
    assert.equal(settings.body.quiet_until, '07:00');
    assert.ok(!(await page.getByLabel('Email, to the address you sign in with').isChecked()));
    assert.ok(await page.getByLabel('Band 6', { exact: true }).isChecked());
    assert.equal(await page.getByLabel('Until').inputValue(), '07:00');
  });
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a ward manager chooses how escalations reach them (${name})`, async () => {
    const base = await startDemo();
    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(page, base, WARD_MANAGER);
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await goTo(page, 'Notifications');
    await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
    await checkAccessibility(page, 'ward manager notification settings');
    assert.equal(await page.getByRole('group', { name: 'Grades' }).count(), 0, 'channels only');
    assert.ok(await page.getByLabel('Email, to the address you sign in with').isChecked());
    await page.getByLabel('Email, to the address you sign in with').uncheck();
    await page.getByLabel('Push messages on this device').check();
    await page.getByRole('button', { name: 'Save notification settings' }).click();
    await page.getByText('Your notification settings are saved.').waitFor();
    await checkAccessibility(page, 'ward manager notification settings, saved');
    const api = await apiAs(base, WARD_MANAGER);
    const settings = await api.get('/api/v1/me/notification-settings');
    assert.equal(settings.status, 200, JSON.stringify(settings.body));
    assert.equal(settings.body.email, false);
    assert.equal(settings.body.push, true);
    assert.equal(settings.body.grades, null);
  });
}
