// In a real headless Chromium, at phone and desktop widths: the bank office sets an agency spend
// cap (confirming it first), breaks glass on a shift whose cost takes the trust over it (the
// confirmation shows the cost and headroom and asks why), and sees the spend against the cap.
// Every page visited has no WCAG 2.2 AA violation according to axe-core.
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

for (const [name, viewport] of [['phone', { width: 375, height: 812 }], ['desktop', { width: 1280, height: 900 }]]) {
  test(`the bank office caps agency spend and breaks glass over it (${name})`, async () => {
    const base = await startDemo();
    const context = await browser.newContext({ viewport, bypassCSP: true });
    const page = await context.newPage();
    await signIn(page, base, BOOKER);
    await page.waitForURL(/\/manage\/shifts$/);

    await goTo(page, 'Agency spend');
    await page.getByRole('heading', { name: 'Agency spend', exact: true }).waitFor();
    await checkAccessibility(page, 'agency spend page');

    // A cap of £10 for the period shown, confirmed before it is saved.
    await page.getByLabel('Cap, pounds (optional)').fill('10');
    await page.getByRole('button', { name: 'Check the new cap' }).click();
    await page.getByRole('heading', { name: 'Confirm the agency cap' }).waitFor();
    await checkAccessibility(page, 'agency cap confirmation page');
    await page.getByRole('button', { name: 'Save the agency cap' }).click();
    await page.getByText('Agency cap saved.').waitFor();
    assert.match(await page.locator('main').textContent(), /Agency cap\s*£10\.00/);
    await checkAccessibility(page, 'agency spend page after saving');

    // A one-hour shift ten days ahead, released at £65 an hour: over the £10 cap.
    await goTo(page, 'Post a shift');
    const day = new Date(Date.now() + 10 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    await page.getByLabel('Ward').selectOption({ label: 'Ward 8 Acute Medicine, Blackpool Victoria Hospital' });
    await page.getByLabel('Post to bank').selectOption({ label: 'Blackpool Teaching Hospitals Staff Bank' });
    await page.getByLabel('Role title').fill('Agency night nurse');
    await page.getByLabel('Staff group').selectOption('nursing_and_midwifery');
    await page.getByLabel('Lowest grade').selectOption('band_5');
    await page.getByLabel('Highest grade').selectOption('band_6');
    await page.getByLabel('Date (UK time)').fill(day);
    await page.getByLabel('Start time').fill('03:00');
    await page.getByLabel(/^End time/).fill('04:00');
    await page.getByLabel('Places').fill('1');
    await page.getByRole('button', { name: 'Post shift' }).click();
    await page.getByRole('heading', { name: 'Agency night nurse – Ward 8 Acute Medicine' }).waitFor();

    await page.getByLabel('Why the bank cannot fill this shift').fill('Nobody available after two hours');
    await page.getByLabel('Agreed agency rate, pounds an hour').fill('65');
    await page.getByLabel('Agency name or reference (optional)').fill('Medics Direct');
    await page.getByRole('button', { name: 'Check the cost of releasing to agency' }).click();
    await page.getByRole('heading', { name: 'Confirm the release to agency' }).waitFor();
    const main = await page.locator('main').textContent();
    assert.match(main, /Cost of this release\s*£65\.00/);
    assert.match(main, /Headroom before\s*£10\.00/);
    assert.match(main, /Headroom after\s*-£55\.00/);
    await page.getByText('Over the agency cap').waitFor();
    await checkAccessibility(page, 'break-glass confirmation over the cap');
    await page.getByLabel('Why this release must go over the cap').fill('Two nurses off sick; patient safety');
    await page.getByRole('button', { name: 'Break glass: release to agency' }).click();
    await page.getByText(/^Released to agency/).waitFor();

    // The spend page counts it as committed, and offers the CSV.
    await goTo(page, 'Agency spend');
    await page.getByRole('heading', { name: 'Agency spend', exact: true }).waitFor();
    assert.match(await page.locator('main').textContent(), /Committed \(released, still to come\)\s*£65\.00/);
    await checkAccessibility(page, 'agency spend page with spend');
    const href = await page.getByRole('link', { name: 'Download this report (CSV)' }).getAttribute('href');
    const csv = await page.request.get(`${base}${href}`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /^text\/csv/);
    assert.match(await csv.text(), /^Section,Item,Fills,Pence\r\n/);
    await context.close();
  });
}
