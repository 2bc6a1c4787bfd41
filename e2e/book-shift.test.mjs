// In a real headless Chromium, at phone and desktop widths: a bank worker signs in and books a
// shift; a booker posts a shift, a worker books it and the booker sees who; a worker requests a
// shift on a ward that approves its bookings and the booker approves it. Every page visited has
// no WCAG 2.2 AA violation according to axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

for (const [name, viewport] of [['phone', { width: 375, height: 812 }], ['desktop', { width: 1280, height: 900 }]]) {
  test(`a worker signs in and books a shift (${name})`, async () => {
    const base = await startDemo();
    // axe is injected as a script, which the page's Content-Security-Policy would rightly refuse.
    const context = await browser.newContext({ viewport, bypassCSP: true });
    const page = await context.newPage();

    await page.goto(`${base}/`);
    assert.match(page.url(), /\/sign-in$/);
    await checkAccessibility(page, 'sign-in page');

    await page.getByLabel('Email address').fill('worker@demo.staffbank.test');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Enter a correct email address and password').waitFor();
    await checkAccessibility(page, 'sign-in error page');

    await page.getByLabel('Password').fill('staffbank-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/shifts$/);
    await page.getByRole('heading', { name: 'Shifts for me' }).waitFor();
    await checkAccessibility(page, 'shifts page');

    // The first shift booked at once (some demo wards approve their bookings instead).
    const firstCard = page
      .locator('.nhsuk-card', { has: page.getByRole('button', { name: /Book this shift/ }) })
      .first();
    const heading = (await firstCard.locator('h3').textContent()).trim();
    const before = await page.getByRole('button', { name: /Book this shift/ }).count();
    assert.ok(before > 0, 'the worker has shifts to book');
    await firstCard.getByRole('button', { name: /Book this shift/ }).click();

    await page.waitForURL(/\/bookings\?booked=1$/);
    await page.getByText('You are booked.').waitFor();
    await checkAccessibility(page, 'bookings page');
    const booked = page.locator('.nhsuk-card h2', { hasText: heading });
    assert.ok((await booked.count()) >= 1, `the booked shift "${heading}" is listed`);

    await page.goto(`${base}/shifts`);
    await checkAccessibility(page, 'shifts page after booking');
    await context.close();
  });
}

/** Fills in and sends the booker's "Post a shift" form: a band 5-6 nursing shift at Blackpool
 * Victoria Hospital, 03:00-04:00 on `day` (the demo never seeds a shift at that hour). */
async function postShift(page, ward, role, day, places) {
  await page.getByLabel('Ward').selectOption({ label: `${ward}, Blackpool Victoria Hospital` });
  await page.getByLabel('Post to bank').selectOption({ label: 'Blackpool Teaching Hospitals Staff Bank' });
  await page.getByLabel('Role title').fill(role);
  await page.getByLabel('Staff group').selectOption('nursing_and_midwifery');
  await page.getByLabel('Lowest grade').selectOption('band_5');
  await page.getByLabel('Highest grade').selectOption('band_6');
  await page.getByLabel('Date (UK time)').fill(day);
  await page.getByLabel('Start time').fill('03:00');
  await page.getByLabel(/^End time/).fill('04:00');
  await page.getByLabel('Places').fill(String(places));
  await page.getByRole('button', { name: 'Post shift' }).click();
}

test('a booker posts a shift and sees who booked it (desktop)', async () => {
  const base = await startDemo();
  const booker = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await booker.newPage();
  await signIn(page, base, 'booker@rxl.demo.staffbank.test');
  await page.waitForURL(/\/manage\/shifts$/);
  await checkAccessibility(page, 'trust shifts page');

  await goTo(page, 'Post a shift');
  await checkAccessibility(page, 'post a shift page');
  // Ten days ahead at 03:00-04:00: the demo never seeds a shift at that hour, so it cannot clash.
  const day = new Date(Date.now() + 10 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  await postShift(page, 'Ward 8 Acute Medicine', 'Night practitioner', day, 2);
  await page.getByRole('heading', { name: 'Night practitioner – Ward 8 Acute Medicine' }).waitFor();
  await page.getByText('Nobody has booked this shift yet.').waitFor();
  // Ranked candidates from the demo's bank: the demo worker among them.
  await page.getByRole('heading', { name: 'Candidates' }).waitFor();
  await page.getByRole('cell', { name: 'Amira Hassan', exact: true }).waitFor();
  await checkAccessibility(page, 'shift page');
  const shiftUrl = page.url();

  // A form with an impossible grade range is refused with an error summary, and nothing is posted.
  await page.goto(`${base}/manage/shifts/new`);
  await page.getByLabel('Lowest grade').selectOption('band_7');
  await page.getByLabel('Highest grade').selectOption('band_5');
  await page.getByLabel('Role title').fill('Refused');
  await page.getByLabel('Date (UK time)').fill(day);
  await page.getByLabel('Start time').fill('03:00');
  await page.getByLabel(/^End time/).fill('04:00');
  await page.getByRole('button', { name: 'Post shift' }).click();
  await page.getByText('There is a problem').waitFor();
  await checkAccessibility(page, 'post a shift page with errors');

  const worker = await browser.newContext({ viewport: { width: 375, height: 812 }, bypassCSP: true });
  const phone = await worker.newPage();
  await signIn(phone, base, 'worker@demo.staffbank.test');
  await phone.waitForURL(/\/shifts$/);
  const card = phone.locator('.nhsuk-card', { hasText: 'Night practitioner' });
  await card.getByRole('button', { name: /Book this shift/ }).click();
  await phone.waitForURL(/\/bookings\?booked=1$/);

  await page.goto(shiftUrl);
  await page.getByRole('heading', { name: 'Amira Hassan (Band 5)' }).waitFor();
  assert.match(await page.locator('main').textContent(), /1 of 2 places booked/);
  // The booker sees the cancellation rule before cancelling: ten days ahead is outside the notice.
  assert.match(await page.locator('main').textContent(),
    /less than \d+ hours before the start is recorded as late, and the trust pays the worker/);
  await checkAccessibility(page, 'shift page with a booking');
  // The last place goes unfilled: break glass to agency, with a reason and the agency's rate,
  // confirmed after seeing the cost.
  await page.getByLabel('Why the bank cannot fill this shift').fill('Nobody available after two hours');
  await page.getByLabel('Agreed agency rate, pounds an hour').fill('65.00');
  await page.getByRole('button', { name: 'Check the cost of releasing to agency' }).click();
  await page.getByRole('heading', { name: 'Confirm the release to agency' }).waitFor();
  await checkAccessibility(page, 'break-glass confirmation page');
  await page.getByRole('button', { name: 'Break glass: release to agency' }).click();
  await page.getByText(/^Released to agency/).waitFor();
  // The bank office's report counts it.
  await goTo(page, 'Cancellations and agency');
  await page.getByRole('heading', { name: 'Cancellations and agency' }).waitFor();
  const agency = page.getByRole('row', { name: /Shifts released to agency/ });
  assert.ok(Number(await agency.getByRole('cell').last().textContent()) >= 1);
  await checkAccessibility(page, 'cancellations and agency report');
  await goTo(page, 'Approvals');
  await page.getByRole('heading', { name: 'Booking requests to approve' }).waitFor();
  await checkAccessibility(page, 'approvals page');
  await booker.close();
  await worker.close();
});

test('a worker requests a shift on a ward that approves its bookings, and the booker approves it', async () => {
  const base = await startDemo();
  const booker = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await booker.newPage();
  await signIn(page, base, 'booker@rxl.demo.staffbank.test');
  await page.waitForURL(/\/manage\/shifts$/);
  // The demo's Critical Care Unit approves each booking; 03:00-04:00 never clashes with the demo's.
  const day = new Date(Date.now() + 11 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  await page.goto(`${base}/manage/shifts/new`);
  await postShift(page, 'Critical Care Unit', 'Outreach nurse', day, 1);
  await page.getByRole('heading', { name: 'Outreach nurse – Critical Care Unit' }).waitFor();

  const worker = await browser.newContext({ viewport: { width: 375, height: 812 }, bypassCSP: true });
  const phone = await worker.newPage();
  await signIn(phone, base, 'worker@demo.staffbank.test');
  await phone.waitForURL(/\/shifts$/);
  const card = phone.locator('.nhsuk-card', { hasText: 'Outreach nurse' });
  await card.getByRole('button', { name: /Request this shift/ }).click();
  await phone.waitForURL(/\/bookings\?requested=1$/);
  await phone.getByText('Your request has gone to the ward.').waitFor();

  await goTo(page, 'Approvals');
  const request = page.locator('.nhsuk-card', { hasText: 'Outreach nurse' });
  await request.waitFor();
  await checkAccessibility(page, 'approvals page with a request');
  await request.getByRole('button', { name: 'Approve Amira Hassan' }).click();
  await page.getByRole('heading', { name: 'Booking requests to approve' }).waitFor();
  assert.equal(await page.locator('.nhsuk-card', { hasText: 'Outreach nurse' }).count(), 0);

  await phone.goto(`${base}/bookings`);
  await phone.locator('.nhsuk-card h2', { hasText: 'Outreach nurse' }).first().waitFor();

  // A booker for Ward 8 alone lands on the shifts they manage: Ward 8's, not the Critical Care Unit's.
  const wardContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const ward = await wardContext.newPage();
  await signIn(ward, base, 'ward.booker@rxl.demo.staffbank.test');
  await ward.waitForURL(/\/manage\/shifts$/);
  await ward.getByRole('heading', { name: 'Trust shifts' }).waitFor();
  const wards = await ward.locator('tbody td:nth-child(2)').allTextContents();
  assert.ok(wards.length > 0, 'Ward 8 has demo shifts');
  assert.ok(wards.every((w) => w.includes('Ward 8 Acute Medicine')), wards.join(' | '));
  await checkAccessibility(ward, 'trust shifts for a ward booker');
  // Their wards page lists their ward alone.
  await goTo(ward, 'Wards');
  const listed = await ward.locator('tbody tr').allTextContents();
  assert.equal(listed.length, 1, listed.join(' | '));
  assert.match(listed[0], /Ward 8 Acute Medicine/);
  await wardContext.close();

  // The bank office turns a ward over to booking by request from its wards page.
  await goTo(page, 'Wards');
  await page.getByRole('heading', { name: "How each ward's shifts are booked" }).waitFor();
  const respiratory = () => page.getByRole('row', { name: /Ward 16 Respiratory/ });
  assert.match(await respiratory().textContent(), /At once/);
  await respiratory().getByRole('button', { name: /Book by request/ }).click();
  await page.getByText(/^Saved\./).waitFor();
  assert.match(await respiratory().textContent(), /By request/);
  await checkAccessibility(page, 'wards page');
  await booker.close();
  await worker.close();
});

/** Fails when a page shows a person machine text: an ISO timestamp, raw JSON or a snake_case code. */
async function plainWords(page, what) {
  const text = await page.locator('main').innerText();
  assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, `${what} shows an ISO timestamp`);
  assert.doesNotMatch(text, /[{[]\s*"/, `${what} shows raw JSON`);
  assert.doesNotMatch(text, /\b[a-z]+_[a-z0-9_]+\b/, `${what} shows a snake_case code`);
}

for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
  test(`an auditor looks up an entry and its proof is verified in the browser; a worker reads their record (${name})`, async () => {
    const base = await startDemo();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    await signIn(page, base, 'worker@demo.staffbank.test');
    await page.waitForURL(/\/shifts$/);
    await page.getByRole('button', { name: /Book this shift/ }).first().click();
    await page.waitForURL(/\/bookings\?booked=1$/);
    await goTo(page, 'My record');
    await page.getByRole('heading', { name: 'Booking made' }).waitFor();
    await checkAccessibility(page, 'my record page');
    await context.close();

    const auditorContext = await browser.newContext({ viewport, bypassCSP: true });
    const auditor = await auditorContext.newPage();
    await signIn(auditor, base, 'auditor@demo.staffbank.test');
    await auditor.waitForURL(/\/ledger$/);
    await auditor.getByRole('heading', { name: 'Current signed tree head' }).waitFor();
    await checkAccessibility(auditor, 'audit ledger page');
    await plainWords(auditor, 'audit ledger page');
    // The booking's entry may take a moment to be sequenced; entry 0 is there from the start.
    await auditor.getByLabel('Entry index').fill('0');
    await auditor.getByRole('button', { name: 'Look up entry' }).click();
    await auditor.getByText('Checked by the server: the proof leads to the signed root.').waitFor();
    await auditor.getByText(/^Verified in your browser/).waitFor();
    await checkAccessibility(auditor, 'audit ledger entry page');
    await plainWords(auditor, 'audit ledger entry page');
    await auditor.getByLabel('Entry index').fill('not a number');
    await auditor.getByRole('button', { name: 'Look up entry' }).click();
    await auditor.getByText('Enter an entry index, a whole number').waitFor();
    await auditorContext.close();
  });
}
