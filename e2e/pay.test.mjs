// In a real headless Chromium: a worker's pay page (what is owed, advances, total rewards,
// payslips), a payroll officer closing a pay run and seeing its export, a ward manager's
// timesheets and escalations, and a worker's timesheet from start to approval. Every page has no WCAG 2.2 AA violation according to axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

test('pay pages for the worker, the payroll officer and the ward manager', async () => {
  const base = await startDemo();
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, bypassCSP: true });
  const page = await context.newPage();

  await signIn(page, base, 'worker@demo.staffbank.test');
  await page.goto(`${base}/pay`);
  await page.getByRole('heading', { name: 'My pay' }).waitFor();
  await page.getByText('Employer pension contributions').waitFor();
  await checkAccessibility(page, 'my pay page');

  const officer = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const payroll = await officer.newPage();
  await signIn(payroll, base, 'payroll@rxl.demo.staffbank.test');
  // A payroll officer lands on the pay runs.
  await payroll.waitForURL(/\/manage\/pay-runs$/);
  await payroll.getByRole('heading', { name: 'Pay runs' }).waitFor();
  await checkAccessibility(payroll, 'pay runs page');
  await payroll.getByRole('button', { name: 'Close the last ended period' }).click();
  await payroll.getByRole('table', { name: 'Closed runs and their exports' }).waitFor();
  const link = payroll.getByRole('link', { name: /^payroll-RXL-.*\.csv$/ });
  await link.waitFor();
  // Closing the same period again is refused, with the reason shown.
  await payroll.getByRole('button', { name: 'Close the last ended period' }).click();
  await payroll.getByText('already closed').waitFor();
  await checkAccessibility(payroll, 'pay runs page with an error');
  const file = await payroll.request.get(await link.getAttribute('href').then((h) => `${base}${h}`));
  assert.equal(file.status(), 200);
  assert.match(await file.text(), /^record_type,pay_run,employer,/);

  const ward = await (await browser.newContext({ bypassCSP: true })).newPage();
  await signIn(ward, base, 'ward.manager@rxl.demo.staffbank.test');
  // A ward manager lands on their ward's page.
  await ward.waitForURL(/\/manage\/ward$/);
  await ward.getByRole('heading', { name: 'Timesheets and escalations' }).waitFor();
  await checkAccessibility(ward, 'ward page');
});

test('a worker fills in a timesheet and the ward manager approves it', async () => {
  const base = await startDemo();
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, base, 'worker@demo.staffbank.test');
  await page.goto(`${base}/bookings`);
  await page.getByRole('link', { name: /^Timesheet for / }).click();
  await page.getByRole('heading', { name: 'My timesheet' }).waitFor();
  await checkAccessibility(page, 'timesheet before it is started');
  await page.getByRole('button', { name: 'Start timesheet' }).click();

  // A long day with no break: saved as stated, with the rule cited for the ward manager.
  const started = await page.getByLabel('Started (UK time)').inputValue();
  const day = started.slice(0, 10);
  await page.getByLabel('Finished (UK time)').fill(`${day}T20:30`);
  await page.getByLabel('Why it ran past the booked end (if it did)').fill('Handover ran late after a cardiac arrest');
  await page.getByRole('button', { name: 'Save hours' }).click();
  await page.getByText(/regulation 12/).waitFor();
  await checkAccessibility(page, 'timesheet with a break warning');

  // With a 30-minute break the warning goes; then it is submitted.
  await page.getByLabel('Unpaid break from (optional)').fill(`${day}T12:00`);
  await page.getByLabel('Unpaid break to').fill(`${day}T12:30`);
  await page.getByRole('button', { name: 'Save hours' }).click();
  await page.getByText('Handover ran late after a cardiac arrest').waitFor();
  assert.equal(await page.getByText(/regulation 12/).count(), 0);
  await page.getByRole('button', { name: 'Submit to the ward' }).click();
  await page.getByText('submitted', { exact: true }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Save hours' }).count(), 0, 'no edits once submitted');
  await checkAccessibility(page, 'submitted timesheet');

  const ward = await (await browser.newContext({ bypassCSP: true })).newPage();
  await signIn(ward, base, 'ward.manager@rxl.demo.staffbank.test');
  await ward.goto(`${base}/manage/ward`);
  // The manager sees whose hours they are, where, booked beside claimed, and what approval pays.
  const card = ward.locator('.nhsuk-card', { hasText: 'Handover ran late after a cardiac arrest' });
  await card.waitFor();
  await card.getByText('Why it overran').waitFor();
  await card.getByText('Booked', { exact: true }).waitFor();
  await card.getByText('Claimed', { exact: true }).waitFor();
  const pays = (await card.getByRole('heading', { name: /^Approving pays £[\d,]+\.\d\d$/ }).textContent()).trim();
  const amount = pays.replace('Approving pays ', '');
  await checkAccessibility(ward, 'ward page with a timesheet to decide');
  await card.getByRole('button', { name: `Approve and pay ${amount}` }).click();
  await ward.getByText('No timesheets are waiting.').waitFor();

  // Approved, it is owed at once: an advance may be drawn on it.
  await page.goto(`${base}/pay`);
  await page.getByText(/You may draw now/).waitFor();
  assert.equal(await page.getByText('Nothing is waiting to be paid.').count(), 0);
});
