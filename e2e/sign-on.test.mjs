// Sign-on at the ward in a real headless Chromium. A booker posts a shift starting within the
// hour and the demo worker books it; the worker accepts a passport credential, which makes its
// key in their phone's browser; the ward manager shows the one-time sign-on code; the worker's
// phone opens it and signs the challenge with that key; the ward sees them signed on and signs
// them off. Every page has no WCAG 2.2 AA violation.
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

/** A moment as the booking form takes it: the UK date and time to the minute. */
function ukDateTime(at) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type) => parts.find((p) => p.type === type).value;
  return { day: `${part('year')}-${part('month')}-${part('day')}`, time: `${part('hour')}:${part('minute')}` };
}

test('the booked worker signs on at the ward with the passport key in their phone', async () => {
  const base = await startDemo();

  // A shift starting in 40 minutes, an hour long.
  const booker = await (await browser.newContext({ bypassCSP: true })).newPage();
  await signIn(booker, base, 'booker@rxl.demo.staffbank.test');
  await booker.goto(`${base}/manage/shifts/new`);
  const start = ukDateTime(new Date(Date.now() + 40 * 60 * 1000));
  const end = ukDateTime(new Date(Date.now() + 100 * 60 * 1000));
  await booker.getByLabel('Ward').selectOption({ label: 'Ward 8 Acute Medicine, Blackpool Victoria Hospital' });
  await booker.getByLabel('Post to bank').selectOption({ label: 'Blackpool Teaching Hospitals Staff Bank' });
  await booker.getByLabel('Role title').fill('Ward sign-on nurse');
  await booker.getByLabel('Staff group').selectOption('nursing_and_midwifery');
  await booker.getByLabel('Lowest grade').selectOption('band_5');
  await booker.getByLabel('Highest grade').selectOption('band_6');
  await booker.getByLabel('Date (UK time)').fill(start.day);
  await booker.getByLabel('Start time').fill(start.time);
  await booker.getByLabel(/^End time/).fill(end.time);
  await booker.getByRole('button', { name: 'Post shift' }).click();
  await booker.getByRole('heading', { name: /^Ward sign-on nurse/ }).waitFor();

  // The worker books it and accepts a credential: its key is made in this browser.
  const phone = await (await browser.newContext({ viewport: { width: 375, height: 812 }, bypassCSP: true })).newPage();
  await signIn(phone, base, 'worker@demo.staffbank.test');
  await phone.waitForURL(/\/shifts$/);
  await phone.locator('.nhsuk-card', { hasText: 'Ward sign-on nurse' })
    .getByRole('button', { name: /Book this shift/ }).click();
  await phone.waitForURL(/\/bookings\?booked=1$/);
  await phone.goto(`${base}/passport`);
  await phone.locator('[data-offer]', { hasText: 'Professional registration' })
    .getByRole('button', { name: 'Accept into my passport' }).click();
  await phone.waitForURL(/\/passport\?accepted=1$/);

  // The ward shows the code; the phone opens it (as scanning it would) and signs.
  const ward = await (await browser.newContext({ bypassCSP: true })).newPage();
  await signIn(ward, base, 'ward.manager@rxl.demo.staffbank.test');
  await ward.goto(`${base}/manage/ward`);
  await ward.getByRole('button', { name: /^Show sign-on code for Amira Hassan/ }).click();
  await ward.getByRole('heading', { name: 'Sign on: Amira Hassan' }).waitFor();
  await checkAccessibility(ward, 'sign-on code page');
  const url = await ward.locator('[data-sign-on-url]').getAttribute('data-sign-on-url');
  assert.match(url, /\/sign-on\/[0-9a-f-]+\?nonce=/);
  await phone.goto(url);
  await phone.getByRole('heading', { name: 'Sign on to your shift' }).waitFor();
  await checkAccessibility(phone, 'worker sign-on page');
  await phone.getByRole('button', { name: 'Sign on' }).click();
  await phone.getByRole('heading', { name: 'You are signed on' }).waitFor();
  await checkAccessibility(phone, 'signed on');

  // The code works once.
  await phone.goto(url);
  await phone.getByRole('button', { name: 'Sign on' }).click();
  await phone.getByText(/There is a problem|already|used|expired/).first().waitFor();

  // The ward signs them off, which starts their timesheet from the two times.
  await ward.goto(`${base}/manage/ward`);
  await ward.getByText(/^Signed on by wallet at \d\d:\d\d\.$/).waitFor();
  await checkAccessibility(ward, 'ward page with a worker signed on');
  await ward.getByRole('button', { name: /^Sign off Amira Hassan/ }).click();
  await ward.getByRole('heading', { name: 'Timesheets and escalations' }).waitFor();
  assert.equal(await ward.getByRole('button', { name: /^Sign off Amira Hassan/ }).count(), 0);
  assert.equal(await ward.locator('.nhsuk-error-summary').count(), 0);
});
