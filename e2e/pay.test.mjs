// In a real headless Chromium: a worker's pay page (what is owed, advances, total rewards,
// payslips), a payroll officer previewing a pay run, confirming what it pays and reading it back
// itemised (and an empty period refused), a ward manager's timesheets and escalations, and a
// worker's timesheet from start to approval. Every page has no WCAG 2.2 AA violation according to axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, apiAs, goTo } from './support.mjs';

const VIEWPORTS = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]];

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

test('pay pages for the worker and the ward manager', async () => {
  const base = await startDemo();
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, bypassCSP: true });
  const page = await context.newPage();

  await signIn(page, base, 'worker@demo.staffbank.test');
  await page.goto(`${base}/pay`);
  await page.getByRole('heading', { name: 'My pay' }).waitFor();
  await page.getByText('Employer pension contributions').waitFor();
  await checkAccessibility(page, 'my pay page');

  const ward = await (await browser.newContext({ bypassCSP: true })).newPage();
  await signIn(ward, base, 'ward.manager@rxl.demo.staffbank.test');
  // A ward manager lands on their ward's page.
  await ward.waitForURL(/\/manage\/ward$/);
  await ward.getByRole('heading', { name: 'Timesheets and escalations' }).waitFor();
  await checkAccessibility(ward, 'ward page');
});

for (const [name, viewport] of VIEWPORTS) {
  test(`a worker fills in a timesheet and the ward manager approves it (${name})`, async () => {
    const base = await startDemo();
    const context = await browser.newContext({ viewport, bypassCSP: true });
    const page = await context.newPage();
    await signIn(page, base, 'worker@demo.staffbank.test');
    await page.goto(`${base}/bookings`);
    // The long day worked two days ago (the demo's earlier shifts are already paid).
    const worked = new Date(Date.now() - 2 * 24 * 3600 * 1000)
      .toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'Europe/London' });
    await page.getByRole('link', { name: new RegExp(`^Timesheet\\s+for ${worked}`) }).click();
    await page.getByRole('heading', { name: 'My timesheet' }).waitFor();
    const bookingId = new URL(page.url()).pathname.split('/')[2];
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
    await page.getByText('Waiting for the ward manager', { exact: true }).waitFor();
    assert.equal(await page.getByText('submitted', { exact: true }).count(), 0, 'no state code');
    assert.equal(await page.getByRole('button', { name: 'Save hours' }).count(), 0, 'no edits once submitted');
    await checkAccessibility(page, 'submitted timesheet');

    // Until the ward decides, the payroll officer's preview of its period lists it as waiting.
    const payroll = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(payroll, base, 'payroll@rxl.demo.staffbank.test');
    await payroll.waitForURL(/\/manage\/pay-runs$/);
    const picker = payroll.getByLabel('Pay period');
    const firstDays = await picker.locator('option').evaluateAll((os) => os.map((o) => o.value));
    const period = firstDays.filter((d) => d <= day).sort().pop();
    const org = (await payroll.locator('form[action$="/pay-runs/preview"]').getAttribute('action')).split('/')[3];
    await picker.selectOption(period);
    await payroll.getByRole('button', { name: 'Preview the pay run' }).click();
    const callout = payroll.locator('.nhsuk-warning-callout', { hasText: 'Not approved yet' });
    await callout.getByText(/Amira Hassan, .*: waiting for approval/).waitFor();
    await checkAccessibility(payroll, 'pay run preview with a timesheet waiting');
    const payrollApi = await apiAs(base, 'payroll@rxl.demo.staffbank.test');
    const preview = await payrollApi.get(`/api/v1/organisations/${org}/pay-runs/preview?first_day=${period}`);
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.ok(preview.body.waiting.some((w) => w.state === 'submitted' && w.worker_name === 'Amira Hassan'),
      JSON.stringify(preview.body.waiting));

    const ward = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
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
    await checkAccessibility(ward, 'ward page after an approval');

    // Through the API: the timesheet is approved, and its pay line is owed at the amount shown.
    const worker = await apiAs(base, 'worker@demo.staffbank.test');
    const timesheet = await worker.send(`/api/v1/bookings/${bookingId}/timesheet`, 'POST', {});
    assert.equal(timesheet.status, 201, JSON.stringify(timesheet.body));
    assert.equal(timesheet.body.state, 'approved');
    const lines = (await worker.get('/api/v1/me/pay-lines')).body;
    const line = lines.find((l) => l.timesheet_id === timesheet.body.id);
    assert.ok(line, JSON.stringify(lines));
    assert.equal(line.amount, amount);
    assert.equal(line.pay_run_id, null, 'owed, not yet paid by a run');
    const manager = await apiAs(base, 'ward.manager@rxl.demo.staffbank.test');
    assert.ok(!(await manager.get('/api/v1/timesheets')).body.some((t) => t.id === timesheet.body.id));

    // The worker's timesheet says so in words.
    await page.goto(`${base}/bookings/${bookingId}/timesheet`);
    await page.getByText('Approved', { exact: true }).waitFor();
    assert.equal(await page.getByText('approved', { exact: true }).count(), 0, 'no state code');

    // Approved, it is owed at once: an advance may be drawn on it.
    await page.goto(`${base}/pay`);
    await page.getByText(/You may draw now/).waitFor();
    assert.equal(await page.getByText('Nothing is waiting to be paid.').count(), 0);
  });
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a payroll officer previews a pay run, confirms what it pays and reads it back (${name})`, async () => {
    const base = await startDemo();
    const payroll = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(payroll, base, 'payroll@rxl.demo.staffbank.test');
    // A payroll officer lands on the pay runs, with the demo's run of a fortnight ago listed.
    await payroll.waitForURL(/\/manage\/pay-runs$/);
    await payroll.getByRole('heading', { name: 'Pay runs' }).waitFor();
    await payroll.getByRole('table', { name: 'Closed runs and their exports' }).waitFor();
    await checkAccessibility(payroll, 'pay runs page');
    const action = await payroll.locator('form[action$="/pay-runs/preview"]').getAttribute('action');
    const org = action.split('/')[3];
    const api = await apiAs(base, 'payroll@rxl.demo.staffbank.test');
    const before = await api.get(`/api/v1/organisations/${org}/pay-runs`);
    assert.equal(before.body.length, 1, 'the demo has one closed run');

    // The picker starts on the latest ended period not yet closed: last week.
    await payroll.getByRole('button', { name: 'Preview the pay run' }).click();
    await payroll.getByText('Total to pay').waitFor();
    await payroll.getByRole('heading', { name: /^Amira Hassan: £/ }).waitFor();
    await checkAccessibility(payroll, 'pay run preview');
    const close = payroll.getByRole('button', { name: /^Close pay run and pay £[\d,]+\.\d\d to \d+ workers?$/ });
    const label = (await close.textContent()).trim();
    const [, total, workers] = label.match(/pay (£[\d,]+\.\d\d) to (\d+) workers?$/);
    const previewed = await api.get(`/api/v1/organisations/${org}/pay-runs/preview?first_day=${
      await payroll.locator('input[name="first_day"]').getAttribute('value')}`);
    assert.equal(previewed.body.total, total);
    assert.equal(previewed.body.worker_count, Number(workers));
    assert.equal((await api.get(`/api/v1/organisations/${org}/pay-runs`)).body.length, 1, 'nothing closed by previewing');

    await close.click();
    await payroll.getByText(`Pay run closed: ${total} is being paid to ${workers === '1' ? '1 worker' : `${workers} workers`}.`, { exact: false }).waitFor();
    await payroll.getByRole('heading', { name: /^Amira Hassan: £/ }).waitFor();
    await checkAccessibility(payroll, 'closed pay run');
    const runId = new URL(payroll.url()).pathname.split('/').pop();
    const run = await api.get(`/api/v1/pay-runs/${runId}`);
    assert.equal(run.status, 200);
    assert.equal(run.body.run.total, total);
    assert.equal(run.body.worker_count, Number(workers));
    assert.ok(run.body.workers[0].lines[0].explanation.length > 0, 'each line says how it was worked out');

    // A period with nothing to pay says so, and offers no button; the API refuses to close it.
    await payroll.goto(`${base}/manage/pay-runs`);
    const picker = payroll.getByLabel('Pay period');
    const oldest = await picker.locator('option').last().getAttribute('value');
    await picker.selectOption(oldest);
    await payroll.getByRole('button', { name: 'Preview the pay run' }).click();
    await payroll.getByText('There is nothing to pay in this period').waitFor();
    assert.equal(await payroll.getByRole('button', { name: /^Close pay run/ }).count(), 0);
    await checkAccessibility(payroll, 'empty pay run preview');
    const empty = await api.send(`/api/v1/organisations/${org}/pay-runs`, 'POST', { first_day: oldest });
    assert.equal(empty.status, 409);
    assert.equal(empty.body.type, '/api/v1/problems/pay-run-empty');
    assert.equal((await api.get(`/api/v1/organisations/${org}/pay-runs`)).body.length, 2);
  });
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a worker reads each pay line and payslip, and confirms an advance before drawing it (${name})`, async () => {
    const base = await startDemo();
    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(page, base, 'worker@demo.staffbank.test');
    await page.goto(`${base}/pay`);
    await page.getByRole('heading', { name: 'My pay' }).waitFor();
    // Last week's approved shift waits for the next run, set out part by part.
    const waiting = page.getByRole('table', { name: 'Paid in the next pay run' });
    await waiting.getByText('Bank shift').first().waitFor();
    await waiting.getByText('How it was worked out').first().click();
    await waiting.getByText(/Base rate £[\d,]+\.\d\d\/h from /).first().waitFor();
    // The demo's closed run is a payslip, reachable from the top of the page.
    await page.getByRole('link', { name: 'Payslips' }).click();
    await page.getByRole('heading', { name: /^\w{3} \d+ \w{3} \d{4} to \w{3} \d+ \w{3} \d{4}$/ }).first().waitFor();
    await page.getByText('Gross pay').first().waitFor();
    await checkAccessibility(page, 'my pay page');

    // A missing amount is named, and the message links to the field.
    await page.getByRole('button', { name: 'Draw an advance' }).click();
    const problem = page.locator('.nhsuk-error-summary').getByRole('link', { name: /Enter the amount to draw/ });
    await problem.waitFor();
    await problem.click();
    assert.equal(await page.evaluate(() => document.activeElement?.name), 'pounds');
    await checkAccessibility(page, 'my pay page with an error');

    const api = await apiAs(base, 'worker@demo.staffbank.test');
    const before = (await api.get('/api/v1/me/earnings')).body[0];
    await page.getByLabel('Amount to draw, in pounds').fill('10');
    await page.getByRole('button', { name: 'Draw an advance' }).click();
    await page.getByRole('heading', { name: 'Draw £10.00 now?' }).waitFor();
    await checkAccessibility(page, 'advance confirmation');
    assert.equal((await api.get('/api/v1/me/earnings')).body[0].drawn_pence, before.drawn_pence, 'nothing drawn before confirming');
    await page.getByRole('button', { name: 'Draw £10.00 now' }).click();
    await page.getByText(/You have drawn £10\.00/).waitFor();
    await checkAccessibility(page, 'my pay page after drawing');
    assert.equal((await api.get('/api/v1/me/earnings')).body[0].drawn_pence, before.drawn_pence + 1000);
  });
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a payroll officer changes the trust's pay settings, with mistakes linked to their fields (${name})`, async () => {
    const base = await startDemo();
    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(page, base, 'payroll@rxl.demo.staffbank.test');
    await page.waitForURL(/\/manage\/pay-runs$/);
    await goTo(page, 'Pay settings');
    await page.getByRole('heading', { name: 'Pay settings' }).waitFor();
    await checkAccessibility(page, 'pay settings page');
    const org = await page.locator('input[name="org_id"]').getAttribute('value');
    const api = await apiAs(base, 'payroll@rxl.demo.staffbank.test');
    const before = (await api.get(`/api/v1/organisations/${org}/pay-settings`)).body;

    // A number that is not one, and auto-approval before escalation: each named and linked.
    await page.getByLabel('Premium cap, percent of the base rate').fill('lots');
    await page.getByRole('button', { name: 'Save pay settings' }).click();
    const cap = page.locator('.nhsuk-error-summary').getByRole('link', { name: 'Enter a premium cap from 0 to 200 percent' });
    await cap.waitFor();
    await cap.click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'premium_cap');
    await checkAccessibility(page, 'pay settings with an error');
    await page.getByLabel('Premium cap, percent of the base rate').fill('40');
    await page.getByLabel(/^Hours after which a waiting timesheet is approved/).fill('10');
    await page.getByRole('button', { name: 'Save pay settings' }).click();
    await page.locator('.nhsuk-error-summary').getByRole('link', { name: /^Enter hours more than the escalation hours/ }).waitFor();
    assert.deepEqual((await api.get(`/api/v1/organisations/${org}/pay-settings`)).body, before, 'a refused save changes nothing');

    await page.getByLabel(/^Hours after which a waiting timesheet is approved/).fill('');
    await page.getByLabel('Every two weeks').check();
    await page.getByLabel('Rolled-up holiday pay, percent (optional)').fill('12.07');
    await page.getByRole('button', { name: 'Save pay settings' }).click();
    // Each change is shown beside what it replaces, and nothing is saved until confirmed.
    await page.getByRole('heading', { name: 'Check the new pay settings' }).waitFor();
    await page.getByText('40% of the base rate').waitFor();
    await page.getByText('Was: 35% of the base rate').waitFor();
    await checkAccessibility(page, 'pay settings confirmation');
    assert.deepEqual((await api.get(`/api/v1/organisations/${org}/pay-settings`)).body, before, 'nothing saved before confirming');
    await page.getByRole('button', { name: 'Save these pay settings' }).click();
    await page.getByText('The pay settings are saved.').waitFor();
    await checkAccessibility(page, 'pay settings saved');
    const after = (await api.get(`/api/v1/organisations/${org}/pay-settings`)).body;
    assert.equal(after.premium_cap, 40);
    assert.equal(after.period_weeks, 2);
    assert.equal(after.rolled_up_holiday, 1207);
    assert.equal(after.employer_pension, before.employer_pension);
  });
}

test('a payroll officer corrects a pay point after checking it (320 px)', async () => {
  const base = await startDemo();
  const context = await browser.newContext({ viewport: { width: 320, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, base, 'payroll@rxl.demo.staffbank.test');
  await page.waitForURL(/\/manage\/pay-runs$/);
  assert.ok(await page.locator('a[href="/manage/pay-points"]').count() > 0, 'in the menu');
  await page.goto(`${base}/manage/pay-points`);
  await page.getByRole('heading', { name: 'Pay points' }).waitFor();
  await page.getByLabel('Find a bank member by name or email').fill('Amira Hassan');
  await page.getByRole('button', { name: 'Find' }).click();
  const choice = page.getByLabel('New pay point for Amira Hassan').first();
  await choice.waitFor();
  await checkAccessibility(page, 'pay points found by a search');

  // Band 5 has three points on the default card, each with its hourly rate in pounds.
  const options = await choice.locator('option').allTextContents();
  assert.equal(options.length, 3, options.join(' | '));
  assert.match(options[0], /^Point 1: £\d+\.\d\d an hour$/);
  const now = Number(await choice.inputValue());
  const next = now === 3 ? 1 : now + 1;
  await choice.selectOption(String(next));
  await page.getByRole('button', { name: /^Check the change/ }).first().click();

  // Nothing changes until it is confirmed, with the point it replaces beside it.
  await page.getByRole('heading', { name: 'Check the pay point' }).waitFor();
  await page.getByText(`Point ${next}: £`).waitFor();
  await page.getByText(`Was: Point ${now}: £`).waitFor();
  await checkAccessibility(page, 'pay point confirmation');
  await page.getByRole('button', { name: 'Change the pay point' }).click();

  await page.getByText('Pay point changed. Shifts approved from now on are paid at it.').waitFor();
  assert.equal(
    Number(await page.getByLabel('New pay point for Amira Hassan').first().inputValue()),
    next,
    'the list shows the corrected point',
  );
  await checkAccessibility(page, 'pay points after a correction');
});
