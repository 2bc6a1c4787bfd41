// The bank office's forecasts and retention pages at phone and desktop sizes, each checked with
// axe; and a nudge to a worker whose activity is falling, confirmed before it is sent and
// recorded once sent (read back through the API).
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

async function booker(base, viewport) {
  const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
  await signIn(page, base, BOOKER);
  await page.waitForURL(/\/manage\/shifts$/);
  return page;
}

for (const [name, viewport] of VIEWPORTS) {
  test(`the bank office reads its forecasts and nudges a worker (${name})`, async () => {
    const base = await startDemo();
    const page = await booker(base, viewport);
    const api = await apiAs(base, BOOKER);

    await goTo(page, 'Forecasts');
    await page.getByRole('heading', { name: 'Forecasts', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Credentials lapsing', level: 3 }).first().waitFor();
    await page.getByRole('heading', { name: 'Unfilled shifts', level: 3 }).first().waitFor();
    await checkAccessibility(page, 'forecasts');

    await goTo(page, 'Retention');
    await page.getByRole('heading', { name: 'Retention', level: 1 }).waitFor();
    await checkAccessibility(page, 'retention');
    const nudge = page.getByRole('link', { name: /^Nudge / }).first();
    const href = await nudge.getAttribute('href');
    const org = new URL(href, base).searchParams.get('org');
    const before = await api.get(`/api/v1/trusts/${org}/nudges`);
    assert.equal(before.status, 200, JSON.stringify(before.body));

    await nudge.click();
    await page.getByRole('heading', { name: /^Nudge /, level: 1 }).waitFor();
    await checkAccessibility(page, 'the nudge form');
    await page.getByLabel('Send a message').check();
    await page.getByLabel('Message (if sending one)').fill('We have weekend shifts on your ward: would any suit you?');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Check the nudge before sending it' }).waitFor();
    await checkAccessibility(page, 'the nudge confirmation');
    const unsent = await api.get(`/api/v1/trusts/${org}/nudges`);
    assert.equal(unsent.body.nudges.length, before.body.nudges.length, 'nothing sent before confirming');

    await page.getByRole('button', { name: 'Send the nudge' }).click();
    await page.getByRole('status').filter({ hasText: /Nudge sent to/ }).waitFor();
    await checkAccessibility(page, 'retention after a nudge');
    const sent = await api.get(`/api/v1/trusts/${org}/nudges`);
    assert.equal(sent.body.nudges.length, before.body.nudges.length + 1);
    assert.equal(sent.body.nudges[0].kind, 'message');
    assert.equal(sent.body.nudges[0].outcome, 'waiting');
  });
}
