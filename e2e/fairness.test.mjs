// The fairness pages in a real headless Chromium, at phone and desktop widths, each checked with
// axe and for reflow at 320 px: the bank office records a member's contract, reads its bank's
// fairness report, changes what counts as a desirable shift and downloads the CSV; a worker reads
// why equality questions are asked, is told when consent is missing, declares, and withdraws.
// Each outcome is read back through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const BOOKER = 'booker@rxl.demo.staffbank.test';
const WORKER = 'worker@demo.staffbank.test';
const VIEWPORTS = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]];

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

async function signedIn(base, viewport, email) {
  const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
  await signIn(page, base, email);
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  return page;
}

for (const [name, viewport] of VIEWPORTS) {
  test(`the bank office records a contract, reads the fairness report and sets what is desirable (${name})`, async () => {
    const base = await startDemo();
    const page = await signedIn(base, viewport, BOOKER);
    const api = await apiAs(base, BOOKER);

    // A member's contract is recorded where the bank office finds its members.
    await goTo(page, 'Priority tiers');
    await page.getByLabel('Find a bank member by name or email').fill('Amira');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByRole('button', { name: /^Set part-time\s*: Amira Hassan$/ }).first().click();
    await page.getByText('Contract recorded.').waitFor();
    await checkAccessibility(page, 'priority tiers after recording a contract');
    const found = (await api.get('/api/v1/tiers?search=Amira')).body.flatMap((b) => b.found);
    assert.equal(found.find((m) => m.name === 'Amira Hassan')?.contract, 'part_time');

    await goTo(page, 'Fairness');
    await page.getByRole('heading', { name: 'Fairness', level: 1 }).waitFor();
    // One part-time member is too few to show.
    await page.getByRole('cell', { name: /Part-time staff/ }).first().waitFor();
    await page.getByRole('heading', { name: 'What stands out', level: 2 }).waitFor();
    await page.getByRole('heading', { name: 'Contract', level: 2 }).waitFor();
    await checkAccessibility(page, 'fairness report');
    const bank = await page.getByLabel('Bank', { exact: true }).inputValue();
    const before = await api.get(`/api/v1/banks/${bank}/fairness/settings`);
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.equal(before.body.exclude_weekends, true);

    // Weekends count too, and only the first low-acuity ward listed.
    await page.getByLabel('Weekdays only (not Saturday or Sunday)').uncheck();
    const ward = page.locator('input[name="ward"]').first();
    const wardId = await ward.getAttribute('value');
    await ward.check();
    await page.getByRole('button', { name: 'Save what counts as desirable' }).click();
    await page.getByText('Definition of a desirable shift saved.').waitFor();
    await checkAccessibility(page, 'fairness report after saving');
    const after = await api.get(`/api/v1/banks/${bank}/fairness/settings`);
    assert.equal(after.body.own, true);
    assert.equal(after.body.exclude_weekends, false);
    assert.equal(after.body.day_shifts_only, true);
    assert.deepEqual(after.body.low_acuity_wards, [wardId]);

    // A period the wrong way round is explained, and the page still shows a report.
    await page.getByLabel('From (first day)').fill('2026-12-20');
    await page.getByLabel('To (last day)').fill('2026-12-01');
    await page.getByRole('button', { name: 'Show this report' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkAccessibility(page, 'fairness report with a wrong period');

    const href = await page.getByRole('link', { name: 'Download this report (CSV)' }).getAttribute('href');
    const csv = await page.request.get(`${base}${href}`);
    assert.equal(csv.status(), 200);
    assert.match(csv.headers()['content-type'], /^text\/csv/);
    assert.match(await csv.text(), /^grouping,group,members,member_share,measure,/);
  });

  test(`a worker declares equality answers and withdraws them (${name})`, async () => {
    const base = await startDemo();
    const page = await signedIn(base, viewport, WORKER);
    const api = await apiAs(base, WORKER);

    await goTo(page, 'Equality monitoring');
    await page.getByRole('heading', { name: 'Equality monitoring', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'What is kept and who sees it' }).waitFor();
    await checkAccessibility(page, 'equality page');

    const choose = async (question, answer) =>
      page.getByRole('group', { name: question }).getByLabel(answer, { exact: true }).check();
    await choose('Sex', 'Female');
    await choose('Ethnic group', 'Prefer not to say');
    await choose('Disability', 'No');
    await choose('Age band', '35 to 44');
    await page.getByRole('button', { name: 'Save my answers' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkAccessibility(page, 'equality page without consent');
    assert.equal((await api.get('/api/v1/me/equality')).body.declared, false, 'nothing kept without consent');

    await page.getByLabel(/^I agree to these answers being used/).check();
    await page.getByRole('button', { name: 'Save my answers' }).click();
    await page.getByText(/^Thank you\. Your answers are saved/).waitFor();
    await checkAccessibility(page, 'equality page after declaring');
    const mine = await api.get('/api/v1/me/equality');
    assert.equal(mine.body.declared, true);
    assert.equal(mine.body.declaration.sex, 'female');
    assert.equal(mine.body.declaration.age_band, '35_44');

    await page.getByRole('button', { name: 'Withdraw consent and delete my answers' }).click();
    await page.getByText(/^Your consent is withdrawn and your answers are deleted/).waitFor();
    await checkAccessibility(page, 'equality page after withdrawing');
    const gone = await api.get('/api/v1/me/equality');
    assert.equal(gone.body.declared, false);
    assert.equal(gone.body.declaration, null);
  });
}
