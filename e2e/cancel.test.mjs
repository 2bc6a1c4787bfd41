// A booker cancelling a booking inside the notice period is told what the trust will pay and
// confirms first; the worker is then owed a cancellation payment, seen through the API and on
// their own pay page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
  test(`a late cancellation by the trust is confirmed with its cost, then paid (${name})`, async () => {
    const base = await startDemo();
    const booker = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(booker, base, 'booker@rxl.demo.staffbank.test');
    await booker.waitForURL(/\/manage\/shifts$/);
    await goTo(booker, 'Post a shift');
    // Tomorrow 03:00-04:00, inside the 48-hour notice (the demo never seeds a shift at that hour).
    const day = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
    await booker.getByLabel('Ward').selectOption({ label: 'Ward 8 Acute Medicine, Blackpool Victoria Hospital' });
    await booker.getByLabel('Post to bank').selectOption({ label: 'Blackpool Teaching Hospitals Staff Bank' });
    await booker.getByLabel('Role title').fill('Early cover');
    await booker.getByLabel('Staff group').selectOption('nursing_and_midwifery');
    await booker.getByLabel('Lowest grade').selectOption('band_5');
    await booker.getByLabel('Highest grade').selectOption('band_6');
    await booker.getByLabel('Date (UK time)').fill(day);
    await booker.getByLabel('Start time').fill('03:00');
    await booker.getByLabel(/^End time/).fill('04:00');
    await booker.getByLabel('Places').fill('1');
    await booker.getByRole('button', { name: 'Post shift' }).click();
    await booker.getByRole('heading', { name: 'Early cover – Ward 8 Acute Medicine' }).waitFor();
    const shiftUrl = booker.url();

    const worker = await apiAs(base, 'worker@demo.staffbank.test');
    const shiftId = shiftUrl.split('/').pop();
    const booked = await worker.send(`/api/v1/shifts/${shiftId}/bookings`, 'POST', {});
    assert.equal(booked.status, 201, JSON.stringify(booked.body));

    await booker.goto(shiftUrl);
    await booker.getByText('Inside the notice period').waitFor();
    await booker.getByLabel('Reason for cancelling').fill('Ward closed for deep cleaning');
    await booker.getByRole('button', { name: 'Cancel this booking' }).click();

    // Nothing is cancelled yet: the cost is shown and must be confirmed.
    await booker.getByRole('heading', { name: "Cancel Amira Hassan's booking?" }).waitFor();
    const warning = await booker.locator('.nhsuk-warning-callout').textContent();
    const amount = warning.match(/£[\d,]+\.\d\d/)?.[0];
    assert.ok(amount, `the cost is stated: ${warning}`);
    await checkAccessibility(booker, 'late cancellation confirmation');
    const still = await worker.get('/api/v1/me/bookings');
    assert.equal(still.body.items.find((b) => b.shift_id === shiftId)?.status, 'active', 'not cancelled before confirming');

    await booker.getByRole('button', { name: 'Cancel the booking and pay' }).click();
    await booker.getByText(/The booking is cancelled and the place is open again/).waitFor();
    await booker.getByText(/The cancellation was late/).waitFor();
    await checkAccessibility(booker, 'shift page after a late cancellation');

    const lines = (await worker.get('/api/v1/me/pay-lines')).body;
    const line = lines.find((l) => l.shift_id === shiftId);
    assert.equal(line?.kind, 'cancellation');
    assert.equal(line?.amount, amount, 'the worker is owed what the booker was told');

    // The worker sees it on their pay page, in words, at the same amount.
    const pay = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(pay, base, 'worker@demo.staffbank.test');
    await pay.waitForURL(/\/shifts$/);
    await goTo(pay, 'My pay');
    await pay.getByRole('heading', { name: 'My pay' }).waitFor();
    const row = pay.locator('tr', { hasText: 'Late cancellation by the trust' });
    await row.first().waitFor();
    assert.ok((await row.allTextContents()).some((t) => t.includes(amount)), 'the payment is listed at its amount');
    assert.equal(await pay.getByText('cancellation', { exact: true }).count(), 0, 'no kind code');
    await checkAccessibility(pay, 'my pay with a cancellation payment');
  });
}
