// In a real headless Chromium, at phone and desktop widths: a bank worker sees what a shift would
// pay before booking it, opens the shift to see how the pay adds up, withdraws a request after
// confirming, filters the list and views it a week at a time, and sets their preferences and
// availability (a mistake is shown against its field first). Each outcome is checked through
// the API, and every page has no WCAG 2.2 AA violation according to axe-core.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const WORKER = 'worker@demo.staffbank.test';
let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
  test(`a worker sees a shift's pay, withdraws a request, filters the list and sets their availability (${name})`, async () => {
    const base = await startDemo();
    // axe is injected as a script, which the page's Content-Security-Policy would rightly refuse.
    const context = await browser.newContext({ viewport, bypassCSP: true });
    const page = await context.newPage();
    const api = await apiAs(base, WORKER);

    await signIn(page, base, WORKER);
    await page.waitForURL(/\/shifts$/);
    const card = page.locator('.nhsuk-card', { hasText: 'Estimated pay:' }).first();
    await card.waitFor();
    await checkAccessibility(page, 'shifts with their pay');

    await card.getByRole('link', { name: /^How the pay adds up/ }).click();
    await page.waitForURL(/\/shifts\/[0-9a-f-]+$/);
    await page.getByRole('heading', { name: 'Estimated pay' }).waitFor();
    await checkAccessibility(page, 'a shift with its pay');
    const id = page.url().split('/').pop();
    const estimate = await api.get(`/api/v1/me/shifts/${id}/pay-estimate`);
    assert.equal(estimate.status, 200);
    const total = page.locator('.nhsuk-summary-list__row', { hasText: 'Total' });
    assert.equal((await total.locator('dd').textContent()).trim(), estimate.body.shown[1]);
    await page.getByRole('link', { name: 'Back to shifts for me' }).click();

    // A request on a ward that approves its bookings, then withdrawn after confirming.
    const booker = await apiAs(base, 'booker@rxl.demo.staffbank.test');
    let ccu;
    for (let cursor = ''; !ccu;) {
      const listed = (await booker.get(`/api/v1/shifts?limit=200${cursor}`)).body;
      ccu = listed.items.find((s) => s.ward_name === 'Critical Care Unit');
      if (!listed.next_cursor) break;
      cursor = `&cursor=${encodeURIComponent(listed.next_cursor)}`;
    }
    assert.ok(ccu, 'the demo has a Critical Care Unit shift');
    const start = new Date(Date.now() + 11 * 24 * 3600 * 1000);
    start.setUTCHours(3, 0, 0, 0);
    const end = new Date(start.getTime() + 3600 * 1000);
    const made = await booker.send('/api/v1/shifts', 'POST', { shifts: [{
      ward_id: ccu.ward_id, bank_id: ccu.bank_id, role: 'Outreach nurse', staff_group: 'nursing_and_midwifery',
      grade_min: 'band_5', grade_max: 'band_6', starts_at: start.toISOString(), ends_at: end.toISOString(),
    }] });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    await page.goto(`${base}/shifts`);
    await page.locator('.nhsuk-card', { hasText: 'Outreach nurse' })
      .getByRole('button', { name: /Request this shift/ }).click();
    await page.waitForURL(/\/bookings\?requested=1$/);
    await goTo(page, 'My requests');
    await page.getByRole('heading', { name: 'My requests' }).waitFor();
    await checkAccessibility(page, 'my requests');
    await page.locator('.nhsuk-card', { hasText: 'Outreach nurse' })
      .getByRole('button', { name: /^Withdraw request/ }).click();
    await page.getByRole('heading', { name: 'Withdraw your request?' }).waitFor();
    await checkAccessibility(page, 'withdraw confirmation');
    const pending = await api.get('/api/v1/me/requests');
    assert.equal(pending.body[0].status, 'pending', 'nothing changes before confirming');
    await page.getByRole('button', { name: 'Yes, withdraw my request' }).click();
    await page.getByText('Your request is withdrawn.').waitFor();
    await checkAccessibility(page, 'request withdrawn');
    const withdrawn = await api.get('/api/v1/me/requests');
    assert.equal(withdrawn.body[0].status, 'withdrawn');
    assert.deepEqual((await booker.get('/api/v1/approvals')).body, []);

    // Filters, a week at a time, and the reasons behind a shift they cannot book.
    await goTo(page, 'Shifts for me');
    await page.getByText('Search and filter shifts').click();
    await page.getByLabel('Search by role, ward, hospital or trust').fill('no ward is called this');
    await page.getByRole('button', { name: 'Filter shifts' }).click();
    await page.getByText('There are no open shifts you can book with these filters.').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('search'), 'no ward is called this');
    await page.getByLabel('Search by role, ward, hospital or trust').fill('');
    await page.getByRole('button', { name: 'Filter shifts' }).click();

    // The bookable cards of the list (not offers, not the shifts they cannot book).
    const listed = () => page.locator('.nhsuk-card', { hasNotText: /Offered to you|Why can't I book this\?/ })
      .locator('h3').allTextContents();
    // Page 2 shows the next shifts, as the API pages them.
    const pageOne = await api.get('/api/v1/me/shift-matches');
    assert.equal(pageOne.body.more, true, 'the demo worker has more than a page of shifts');
    await page.goto(`${base}/shifts`);
    const firstPage = await listed();
    await page.getByRole('link', { name: /Next\W+Page 2/ }).click();
    await page.waitForURL(/page=2/);
    const secondPage = await listed();
    const pageTwo = (await api.get('/api/v1/me/shift-matches?page=2')).body.bookable;
    const offers = new Set((await api.get('/api/v1/me/offers')).body.offers.map((o) => o.shift.id));
    assert.equal(secondPage.length, pageTwo.filter((m) => !offers.has(m.shift.id)).length);
    assert.ok(secondPage.length > 0);
    const ids = new Set(pageOne.body.bookable.map((m) => m.shift.id));
    assert.ok(pageTwo.every((m) => !ids.has(m.shift.id)), 'page 2 holds other shifts');
    assert.notDeepEqual(secondPage, firstPage);
    await checkAccessibility(page, 'shifts for me, page 2');

    // Hospital, ward and grade, as the booker's list has them; the list is the API's.
    const chosen = pageOne.body.bookable[0].shift;
    await page.goto(`${base}/shifts`);
    await page.getByText('Search and filter shifts').click();
    await page.getByLabel('Hospital', { exact: true }).selectOption({ label: chosen.site_name });
    await page.getByLabel('Ward', { exact: true }).selectOption(chosen.ward_id);
    await page.getByLabel('Open to grade').selectOption('band_5');
    await page.getByRole('button', { name: 'Filter shifts' }).click();
    await page.waitForURL(/grade=band_5/);
    await checkAccessibility(page, 'shifts for me by hospital, ward and grade');
    const site = new URL(page.url()).searchParams.get('site');
    const filtered = await api.get(`/api/v1/me/shift-matches?site=${site}&ward=${chosen.ward_id}&grade=band_5`);
    assert.equal(filtered.status, 200, JSON.stringify(filtered.body));
    assert.ok(filtered.body.bookable.length > 0);
    assert.ok(filtered.body.bookable.every((m) => m.shift.ward_id === chosen.ward_id));
    // Offers are listed on their own, above, whatever the filters. The demo keeps making offers
    // as release stages open, so one made between reading the page and asking the API is read
    // again.
    let onWard;
    let expected;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      if (attempt > 0) await page.reload();
      onWard = await listed();
      const offered = new Set((await api.get('/api/v1/me/offers')).body.offers.map((o) => o.shift.id));
      const now = await api.get(`/api/v1/me/shift-matches?site=${site}&ward=${chosen.ward_id}&grade=band_5`);
      expected = now.body.bookable.filter((m) => !offered.has(m.shift.id)).length;
      if (onWard.length === expected) break;
    }
    assert.equal(onWard.length, expected);
    for (const heading of onWard) assert.ok(heading.endsWith(` – ${chosen.ward_name}`), heading);
    // A grade no shift on the list takes: none, said in words.
    await page.goto(`${base}/shifts?grade=consultant`);
    await page.getByText('There are no open shifts you can book with these filters.').waitFor();
    await page.goto(`${base}/shifts`);

    await page.getByRole('link', { name: 'Show a week at a time' }).click();
    await page.getByRole('heading', { name: /^Week starting / }).waitFor();
    await checkAccessibility(page, 'a week of shifts');
    await page.getByRole('link', { name: 'Next week' }).click();
    await page.waitForURL(/view=week&week=\d{4}-\d{2}-\d{2}/);
    const monday = new URL(page.url()).searchParams.get('week');
    const sunday = new Date(Date.parse(`${monday}T12:00:00Z`) + 6 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    const week = await api.get(`/api/v1/me/shift-matches?from=${monday}&to=${sunday}&limit=200`);
    assert.equal(week.status, 200);
    const cards = await page.locator('.nhsuk-card h3').allTextContents();
    for (const m of week.body.bookable) {
      assert.ok(cards.some((c) => c.includes(`${m.shift.role} – ${m.shift.ward_name}`)), `${m.shift.id} is in the week`);
    }
    await page.getByRole('link', { name: 'Show as a list' }).click();
    await page.getByRole('heading', { name: 'Shifts for me' }).waitFor();

    // Booked on a two-place shift, a shift at the same hours cannot be booked, with the reason;
    // their own booking is never listed as a clash with itself.
    const ward8 = (await booker.get('/api/v1/wards')).body.find((w) => w.name === 'Ward 8 Acute Medicine');
    const own = new Date(Date.now() + 15 * 24 * 3600 * 1000);
    own.setUTCHours(3, 0, 0, 0);
    const ownEnd = new Date(own.getTime() + 3600 * 1000);
    const posted = await booker.send('/api/v1/shifts', 'POST', { shifts: ['Zephyr own', 'Zephyr clash'].map((role, i) => ({
      ward_id: ward8.id, bank_id: ccu.bank_id, role, staff_group: 'nursing_and_midwifery',
      grade_min: 'band_5', grade_max: 'band_6', starts_at: own.toISOString(), ends_at: ownEnd.toISOString(), places: 2 - i,
    })) });
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const mine = await api.send(`/api/v1/shifts/${posted.body[0].id}/bookings`, 'POST', {});
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    await page.goto(`${base}/shifts?search=Zephyr&times=any`);
    const why = page.locator('.nhsuk-card', { hasText: 'Zephyr clash' }).locator('details', { hasText: "Why can't I book this?" });
    await why.locator('summary').click();
    const reasons = await why.locator('li').allTextContents();
    assert.ok(reasons.some((r) => /already booked/.test(r)), reasons.join('; '));
    assert.equal(await page.locator('.nhsuk-card', { hasText: 'Zephyr own' }).count(), 0, 'never a clash with itself');
    await checkAccessibility(page, 'a reason shown');

    await goTo(page, 'Preferences');
    await page.getByRole('heading', { name: 'Preferences and availability' }).waitFor();
    await checkAccessibility(page, 'preferences');
    await page.getByLabel('Saturday').uncheck();
    await page.getByLabel('Sunday').uncheck();
    await page.getByLabel('Dates you cannot work').fill('25/12/2099\nnot a date');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    const summary = page.locator('.nhsuk-error-summary');
    await summary.getByRole('link', { name: /Dates you cannot work/ }).waitFor();
    await checkAccessibility(page, 'preferences with a mistake');
    const unchanged = await api.get('/api/v1/me/preferences');
    assert.equal(unchanged.body.days.length, 7, 'a refused change changes nothing');

    await summary.getByRole('link', { name: /Dates you cannot work/ }).click();
    await page.getByLabel('Dates you cannot work').fill('25/12/2099');
    await page.getByLabel('Furthest you will travel, in kilometres').fill('40');
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Your preferences are saved.').waitFor();
    await checkAccessibility(page, 'preferences saved');
    const saved = await api.get('/api/v1/me/preferences');
    assert.deepEqual(saved.body.days, ['monday', 'tuesday', 'wednesday', 'thursday', 'friday']);
    assert.deepEqual(saved.body.unavailable_dates, ['2099-12-25']);
    assert.equal(saved.body.max_travel_km, 40);

    // The list follows them: no shift starting on a Saturday or Sunday.
    const matches = await api.get('/api/v1/me/shift-matches');
    for (const m of matches.body.bookable) {
      const day = new Date(m.shift.starts_at).toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'Europe/London' });
      assert.ok(!['Saturday', 'Sunday'].includes(day), `${m.shift.id} starts on a ${day}`);
    }
    await context.close();
  });
}

for (const [name, viewport] of [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]]) {
  test(`a booker filters and pages their trust's shifts (${name})`, async () => {
    const base = await startDemo();
    const context = await browser.newContext({ viewport, bypassCSP: true });
    const page = await context.newPage();
    const api = await apiAs(base, 'booker@rxl.demo.staffbank.test');
    await signIn(page, base, 'booker@rxl.demo.staffbank.test');
    await page.waitForURL(/\/manage\/shifts$/);
    await page.getByRole('heading', { name: 'Trust shifts' }).waitFor();
    await checkAccessibility(page, 'trust shifts with filters');

    await page.getByText('Search and filter shifts').click();
    await page.getByLabel('Days or nights').selectOption('nights');
    await page.getByLabel('Open to grade').selectOption('band_5');
    await page.getByRole('button', { name: 'Filter shifts' }).click();
    await page.waitForURL(/times=nights/);
    const listed = await api.get('/api/v1/trust-shifts?times=nights&grade=band_5');
    assert.equal(listed.status, 200);
    const rows = page.locator('tbody tr');
    assert.equal(await rows.count(), listed.body.items.length);
    if (listed.body.total > 0) {
      await page.getByRole('table', { name: new RegExp(`\\(${listed.body.total} in all\\)`) }).waitFor();
    }
    await checkAccessibility(page, 'trust shifts filtered');

    // Page 2 of every shift shows other shifts than page 1, as the API pages them.
    await page.goto(`${base}/manage/shifts`);
    const firstRows = await rows.allTextContents();
    await page.getByRole('link', { name: /Next\W+Page 2/ }).click();
    await page.waitForURL(/page=2/);
    const secondRows = await rows.allTextContents();
    assert.ok(secondRows.length > 0);
    assert.notDeepEqual(secondRows, firstRows);
    const pageTwo = await api.get('/api/v1/trust-shifts?page=2');
    assert.equal(pageTwo.status, 200, JSON.stringify(pageTwo.body));
    assert.equal(secondRows.length, pageTwo.body.items.length);
    await checkAccessibility(page, 'trust shifts, page 2');

    // A mistake is explained, not refused.
    await page.goto(`${base}/manage/shifts?from=2026-13-45`);
    await page.locator('.nhsuk-error-summary').getByText('From must be a real date').waitFor();
    await checkAccessibility(page, 'trust shifts with a mistake');

    // One ward's shifts, then that ward a week at a time.
    const wards = (await api.get('/api/v1/wards')).body;
    const ward = wards.find((w) => w.name === 'Ward 8 Acute Medicine');
    await page.goto(`${base}/manage/shifts`);
    await page.getByText('Search and filter shifts').click();
    await page.getByLabel('Ward', { exact: true }).selectOption(ward.id);
    await page.getByRole('button', { name: 'Filter shifts' }).click();
    await page.waitForURL(/ward=/);
    const onWard = await api.get(`/api/v1/trust-shifts?ward=${ward.id}`);
    assert.ok(onWard.body.total > 0);
    assert.ok(onWard.body.items.every((s) => s.ward_id === ward.id));
    assert.equal(await rows.count(), onWard.body.items.length);
    for (const row of await rows.allTextContents()) assert.match(row, /Ward 8 Acute Medicine/);
    await page.getByRole('link', { name: 'Show a week at a time' }).click();
    await page.getByRole('heading', { name: /^Week starting / }).waitFor();
    await page.getByRole('link', { name: 'Next week' }).click();
    await page.waitForURL(/week=\d{4}-\d{2}-\d{2}/);
    const monday = new URL(page.url()).searchParams.get('week');
    const sunday = new Date(Date.parse(`${monday}T12:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
    const week = await api.get(`/api/v1/trust-shifts?ward=${ward.id}&from=${monday}&to=${sunday}`);
    assert.equal(await rows.count(), week.body.total);
    assert.equal(await page.getByRole('heading', { level: 3 }).count(), 7);
    await checkAccessibility(page, 'trust shifts a week at a time');
    await context.close();
  });
}
