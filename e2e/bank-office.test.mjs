// The bank office's jobs in the browser: posting a batch of shifts from a form of rows and from a
// roster file (checked row by row, confirmed, posted whole), and the outcome read through the API.
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

/** Every upcoming shift of the booker's trust, through the API. */
async function trustShifts(api) {
  const all = [];
  let cursor = '';
  for (;;) {
    const page = await api.get(`/api/v1/shifts?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    all.push(...page.body.items);
    if (!page.body.next_cursor) return all;
    cursor = page.body.next_cursor;
  }
}

/** A day `days` from now, as the form's date field and as a roster file write it. */
function day(days) {
  const d = new Date(Date.now() + days * 24 * 3600 * 1000);
  const iso = d.toISOString().slice(0, 10);
  const [y, m, dd] = iso.split('-');
  return { iso, uk: `${dd}/${m}/${y}` };
}

async function booker(base, viewport) {
  const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
  await signIn(page, base, BOOKER);
  await page.waitForURL(/\/manage\/shifts$/);
  return page;
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a booker posts several shifts from the form, after correcting a row (${name})`, async () => {
    const base = await startDemo();
    const page = await booker(base, viewport);
    const api = await apiAs(base, BOOKER);
    await goTo(page, 'Post several shifts');
    await page.getByRole('heading', { name: 'Post shifts', level: 1 }).waitFor();
    await checkAccessibility(page, 'post shifts');

    const date = day(5).iso;
    for (const row of [0, 1]) {
      await page.locator(`#row-${row}-ward`).selectOption({ label: 'Ward 8 Acute Medicine, Blackpool Victoria Hospital' });
      await page.locator(`#row-${row}-date`).fill(date);
      await page.locator(`#row-${row}-start`).fill(row === 0 ? '07:30' : '19:30');
      await page.locator(`#row-${row}-role`).fill('Batch staff nurse');
      await page.locator(`#row-${row}-staff-group`).selectOption({ label: 'Nursing and midwifery' });
      await page.locator(`#row-${row}-grade`).selectOption({ label: 'Band 5' });
    }
    await page.locator('#row-0-end').fill('19:30');
    // The second row has no end time: nothing is posted, and the problem is named by row and field.
    await page.getByRole('button', { name: 'Check these shifts' }).click();
    const summary = page.locator('.nhsuk-error-summary');
    await summary.waitFor();
    await summary.getByRole('link', { name: /Shift 2, end time.*enter the end time/i }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'row-1-end', 'the summary links to the field');
    await checkAccessibility(page, 'post shifts with a problem');
    assert.equal((await trustShifts(api)).filter((s) => s.role === 'Batch staff nurse').length, 0);

    await page.locator('#row-1-end').fill('07:30');
    await page.getByRole('button', { name: 'Check these shifts' }).click();
    await page.getByRole('heading', { name: 'Post 2 shifts?' }).waitFor();
    await checkAccessibility(page, 'confirm the shifts');
    assert.equal((await trustShifts(api)).filter((s) => s.role === 'Batch staff nurse').length, 0, 'nothing posted before confirming');

    await page.getByRole('button', { name: 'Post 2 shifts' }).click();
    await page.getByText('2 shifts posted.').waitFor();
    await checkAccessibility(page, 'trust shifts after posting');
    const posted = (await trustShifts(api)).filter((s) => s.role === 'Batch staff nurse');
    assert.equal(posted.length, 2);
    assert.ok(posted.every((s) => s.ward_name === 'Ward 8 Acute Medicine' && s.places === 1));
  });

  test(`a booker uploads a roster file: every problem by row, then all posted at once (${name})`, async () => {
    const base = await startDemo();
    const page = await booker(base, viewport);
    const api = await apiAs(base, BOOKER);
    await goTo(page, 'Post several shifts');

    const template = await page.request.get(`${base}/manage/shifts/post/template.csv`);
    assert.equal(template.status(), 200);
    assert.match(await template.text(), /^Ward,Date,Start,End,Role,Staff group,Grade,Highest grade/);

    const header = 'Ward,Date,Start,End,Role,Staff group,Grade,Highest grade,Places\n';
    const good = [
      `Ward 8 Acute Medicine,${day(6).uk},07:30,19:30,Roster support worker,Healthcare support,Band 3,Band 4,2`,
      `Ward 16 Respiratory,${day(6).uk},20:00,08:00,Roster support worker,Healthcare support,Band 3,,1`,
      `"Ward 8 Acute Medicine",${day(7).iso},08:00,16:00,Roster support worker,Healthcare support,Band 3,,1`,
    ];
    const bad = [...good, `Ward 99 Nowhere,${day(7).uk},25:00,16:00,Roster support worker,Porters,Band 3,,1`];
    await page.locator('#roster').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(header + bad.join('\n')) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.locator('#roster-problems').waitFor();
    const problems = await page.locator('#roster-problems tbody tr').allTextContents();
    for (const column of ['Ward', 'Start', 'Staff group']) {
      assert.ok(problems.some((p) => p.includes('5') && p.includes(column)), `row 5 ${column} named: ${problems}`);
    }
    await page.getByText('4 rows checked: 3 ready to post, 1 with problems').waitFor();
    await page.locator('.nhsuk-error-summary').getByRole('link').click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'roster');
    await checkAccessibility(page, 'a roster with problems');
    assert.equal((await trustShifts(api)).filter((s) => s.role === 'Roster support worker').length, 0, 'nothing posted');

    await page.locator('#roster').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(header + good.join('\r\n')) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await page.getByRole('heading', { name: 'Post 3 shifts?' }).waitFor();
    await checkAccessibility(page, 'confirm a roster');
    await page.getByRole('button', { name: 'Post 3 shifts' }).click();
    await page.getByText('3 shifts posted.').waitFor();
    const posted = (await trustShifts(api)).filter((s) => s.role === 'Roster support worker');
    assert.equal(posted.length, 3);
    assert.deepEqual(posted.map((s) => s.places).sort(), [1, 1, 2]);
  });
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a booker changes the trust's release policy, corrected field by field (${name})`, async () => {
    const base = await startDemo();
    const page = await booker(base, viewport);
    const api = await apiAs(base, BOOKER);
    const orgs = (await api.get('/api/v1/organisations')).body;
    const rxl = orgs.find((o) => o.ods_code === 'RXL');
    const other = orgs.find((o) => o.kind === 'trust' && o.ods_code !== 'RXL');
    const before = (await api.get(`/api/v1/organisations/${rxl.id}/release-policy`)).body;

    await goTo(page, 'Release policy');
    await page.getByRole('heading', { name: 'Release policy', level: 1 }).waitFor();
    assert.equal(await page.getByLabel(/^Release shifts at most this far ahead/).inputValue(), String(before.horizon_days));
    await checkAccessibility(page, 'release policy');

    await page.getByLabel(/^Release shifts at most this far ahead/).fill('400');
    await page.getByLabel(/^Early window for priority tiers/).fill('ten');
    await page.getByRole('button', { name: 'Save the release policy' }).click();
    const summary = page.locator('.nhsuk-error-summary');
    await summary.waitFor();
    await summary.getByRole('link', { name: /Early window for priority tiers: enter a whole number/ }).waitFor();
    await page.getByLabel(/^Early window for priority tiers/).fill('30');
    await page.getByRole('button', { name: 'Save the release policy' }).click();
    await summary.getByRole('link', { name: /Release shifts at most this far ahead: must be between 1 and 366 days/ }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'horizon-days');
    await checkAccessibility(page, 'release policy with a problem');
    assert.deepEqual((await api.get(`/api/v1/organisations/${rxl.id}/release-policy`)).body, before, 'a refused change changes nothing');

    await page.getByLabel(/^Release shifts at most this far ahead/).fill('21');
    await page.getByLabel(/^Hours in 13 weeks that earn the core tier/).fill('150');
    await page.getByRole('button', { name: 'Save the release policy' }).click();
    await page.getByText('Release policy saved.').waitFor();
    await checkAccessibility(page, 'release policy saved');
    const after = (await api.get(`/api/v1/organisations/${rxl.id}/release-policy`)).body;
    assert.deepEqual(after, { ...before, horizon_days: 21, priority_window_minutes: 30, core_tier_hours: 150 });

    // Another trust's policy is neither shown nor changed.
    const csrf = await page.locator('input[name=csrf]').first().inputValue();
    const shown = await page.request.get(`${base}/manage/release-policy?trust=${other.id}`);
    assert.equal(shown.status(), 404);
    const changed = await page.request.post(`${base}/manage/organisations/${other.id}/release-policy`, {
      form: { csrf, horizon_days: '5', collaborative_after_hours: '1', collaborative_lead_hours: '1',
        priority_window_minutes: '0', core_tier_hours: '', cancellation_notice_hours: '1' },
    });
    assert.equal(changed.status(), 404);
  });
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a booker adds a ward and changes its name (${name})`, async () => {
    const base = await startDemo();
    const page = await booker(base, viewport);
    const api = await apiAs(base, BOOKER);
    await goTo(page, 'Wards');
    await page.getByRole('heading', { name: 'Add a ward' }).waitFor();
    await checkAccessibility(page, 'wards');

    // No name: refused, and the summary links to the field.
    await page.getByRole('button', { name: 'Add the ward' }).click();
    await page.locator('.nhsuk-error-summary').getByRole('link', { name: /Ward name/ }).click();
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'new-ward-name');
    await checkAccessibility(page, 'add a ward with a problem');
    const before = (await api.get('/api/v1/wards')).body;

    await page.getByLabel('Ward name').fill('Discharge Lounge');
    await page.getByLabel('Site').selectOption({ label: 'Blackpool Victoria Hospital' });
    await page.getByLabel('By request, approved by a booker').check();
    await page.getByRole('button', { name: 'Add the ward' }).click();
    await page.getByText('Ward added.').waitFor();
    let wards = (await api.get('/api/v1/wards')).body;
    assert.equal(wards.length, before.length + 1);
    const added = wards.find((w) => w.name === 'Discharge Lounge');
    assert.equal(added?.site_name, 'Blackpool Victoria Hospital');
    assert.equal(added?.instant_booking, false);

    await page.getByRole('link', { name: /Change name or site.*Discharge Lounge/ }).click();
    await page.getByRole('heading', { name: 'Change Discharge Lounge' }).waitFor();
    await checkAccessibility(page, 'change a ward');
    await page.getByLabel('Ward name').fill('Discharge Lounge and Transfer');
    await page.getByRole('button', { name: 'Save the ward' }).click();
    await page.getByText('Ward saved.').waitFor();
    wards = (await api.get('/api/v1/wards')).body;
    const changed = wards.find((w) => w.id === added.id);
    assert.equal(changed.name, 'Discharge Lounge and Transfer');
    assert.equal(changed.instant_booking, false, 'its booking mode is kept');

    // Another trust's ward (seen in a worker's open shifts) is neither shown nor changed.
    const worker = await apiAs(base, 'worker@demo.staffbank.test');
    const open = (await worker.get('/api/v1/me/open-shifts?limit=200')).body.items;
    const theirs = open.find((s) => s.org_ods_code !== 'RXL');
    assert.ok(theirs, 'the worker sees another trust\'s shift in the collaborative bank');
    assert.equal((await page.request.get(`${base}/manage/wards/${theirs.ward_id}/edit`)).status(), 404);
    const refused = await api.send(`/api/v1/wards/${theirs.ward_id}`, 'PUT', { name: 'Mine now', site_id: changed.site_id });
    assert.equal(refused.status, 404);
    const still = (await worker.get(`/api/v1/shifts/${theirs.id}`)).body;
    assert.equal(still.ward_name, theirs.ward_name);
  });
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a booker offers a shift to a candidate, who finds it in their inbox (${name})`, async () => {
    const base = await startDemo();
    const page = await booker(base, viewport);
    const api = await apiAs(base, BOOKER);
    const wards = (await api.get('/api/v1/wards')).body;
    const ward = wards.find((w) => w.name === 'Ward 8 Acute Medicine');
    const banks = (await api.get('/api/v1/banks')).body;
    const bank = banks.find((b) => b.name === 'Blackpool Teaching Hospitals Staff Bank');
    const start = new Date(Date.now() + 3 * 24 * 3600 * 1000);
    start.setUTCHours(3, 0, 0, 0);
    const end = new Date(start.getTime() + 3600 * 1000);
    const posted = await api.send('/api/v1/shifts', 'POST', { shifts: [{
      ward_id: ward.id, bank_id: bank.id, role: 'Offer test nurse', staff_group: 'nursing_and_midwifery',
      grade_min: 'band_5', grade_max: 'band_6', starts_at: start.toISOString(), ends_at: end.toISOString(), places: 1,
    }] });
    assert.equal(posted.status, 201, JSON.stringify(posted.body));
    const shiftId = posted.body[0].id;

    // While Amira has said she cannot work that date, she is shown as not available, with the
    // date in words, and cannot be offered the shift.
    const worker = await apiAs(base, 'worker@demo.staffbank.test');
    const own = (await worker.get('/api/v1/me/preferences')).body;
    const date = start.toISOString().slice(0, 10);
    const marked = await worker.send('/api/v1/me/preferences', 'PUT', { ...own, unavailable_dates: [date] });
    assert.equal(marked.status, 204, JSON.stringify(marked.body));
    await page.goto(`${base}/manage/shifts/${shiftId}`);
    await page.getByRole('heading', { name: 'Not available' }).waitFor();
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const words = `${days[start.getUTCDay()]} ${start.getUTCDate()} ${months[start.getUTCMonth()]}`;
    await page.getByText(`Has said they cannot work on ${words}`).waitFor();
    assert.equal(await page.getByRole('button', { name: /Offer this shift to Amira Hassan/ }).count(), 0);
    await checkAccessibility(page, 'a candidate who is not available');
    const candidates = (await api.get(`/api/v1/shifts/${shiftId}/candidates`)).body;
    assert.ok(!candidates.eligible.some((c) => c.name === 'Amira Hassan'), JSON.stringify(candidates.eligible));
    const amira = candidates.not_available.find((c) => c.name === 'Amira Hassan');
    assert.ok(amira, JSON.stringify(candidates.not_available));
    const refused = await api.send(`/api/v1/shifts/${shiftId}/offers`, 'POST', { worker_id: amira.worker_id });
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal((await worker.get('/api/v1/me/offers')).body.offers.some((o) => o.shift.id === shiftId), false);

    // Once she clears the date, she can be offered it.
    const cleared = await worker.send('/api/v1/me/preferences', 'PUT', { ...own, unavailable_dates: [] });
    assert.equal(cleared.status, 204, JSON.stringify(cleared.body));
    await page.goto(`${base}/manage/shifts/${shiftId}`);
    await page.getByRole('heading', { name: 'Candidates' }).waitFor();
    await page.getByRole('button', { name: /Offer this shift to Amira Hassan/ }).click();
    await page.getByText(/Offered\. It is in the worker's inbox/).waitFor();
    await checkAccessibility(page, 'shift page after an offer');

    const inbox = (await worker.get('/api/v1/me/offers')).body.offers;
    assert.ok(inbox.some((o) => o.shift.id === shiftId), JSON.stringify(inbox.map((o) => o.shift?.id)));

    // Once she books it, the candidates say once that it is filled.
    assert.equal((await worker.send(`/api/v1/shifts/${shiftId}/bookings`, 'POST', {})).status, 201);
    await page.goto(`${base}/manage/shifts/${shiftId}`);
    await page.getByText('This shift is filled: every place is booked.').waitFor();
    assert.equal(await page.getByText(/shift is filled/i).count(), 1, 'said once');
    assert.equal(await page.getByText(/\byou\b/).count(), 0, 'no reason speaks to the booker as the worker');
    await checkAccessibility(page, 'a filled shift');
  });
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a booker gives a bank member the silver tier and takes it away (${name})`, async () => {
    const base = await startDemo();
    const api = await apiAs(base, BOOKER);
    const page = await booker(base, viewport);
    await goTo(page, 'Priority tiers');
    await page.getByRole('heading', { name: 'Priority tiers', level: 1 }).waitFor();
    await checkAccessibility(page, 'priority tiers');

    await page.getByLabel('Find a bank member by name or email').fill('Amira');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByRole('button', { name: /^Give silver tier\s*: Amira Hassan$/ }).first().click();
    await page.getByText('Tier changed.').waitFor();
    await checkAccessibility(page, 'priority tiers after a change');
    const holders = async () => (await api.get('/api/v1/tiers')).body.flatMap((b) => b.holders);
    const amira = (await holders()).find((m) => m.name === 'Amira Hassan');
    assert.equal(amira?.tier, 'silver');

    await page.getByRole('button', { name: /^Take tier away\s*: Amira Hassan$/ }).first().click();
    await page.getByText('Tier changed.').waitFor();
    assert.ok(!(await holders()).some((m) => m.name === 'Amira Hassan'));

    // A worker may not read the bank's tiers; a bad search is explained.
    const worker = await apiAs(base, 'worker@demo.staffbank.test');
    assert.equal((await worker.get('/api/v1/tiers')).status, 403);
    assert.equal((await api.get('/api/v1/tiers?search=a')).status, 422);
    await page.context().close();
  });
}
