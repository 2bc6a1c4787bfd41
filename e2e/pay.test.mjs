// In a real headless Chromium: a worker's pay page (what is owed, advances, total rewards,
// payslips), a payroll officer closing a pay run and seeing its export, and a ward manager's
// timesheets and escalations. Every page has no WCAG 2.2 AA violation according to axe-core.
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
  await payroll.goto(`${base}/manage/pay-runs`);
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
  await ward.goto(`${base}/manage/ward`);
  await ward.getByRole('heading', { name: 'Timesheets and escalations' }).waitFor();
  await checkAccessibility(ward, 'ward page');
});
