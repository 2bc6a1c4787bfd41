// The platform administrator sets the Core Skills Training refresher periods in the browser: a
// fresh demo has the framework's periods, a change is saved whole, a bad number is refused with
// nothing changed, and nobody else may open the page; each outcome checked through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const ADMIN = 'admin@demo.staffbank.test';
const VIEWPORTS = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]];

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

/** The months set for a subject at a level, through the API, or undefined. */
async function months(api, subject, level) {
  const periods = await api.get('/api/v1/refresher-periods');
  assert.equal(periods.status, 200, JSON.stringify(periods.body));
  return periods.body.find((p) => p.subject === subject && p.level === level)?.months;
}

for (const [name, viewport] of VIEWPORTS) {
  test(`the platform administrator sets training refresher periods (${name})`, async () => {
    const base = await startDemo();
    const api = await apiAs(base, ADMIN);
    assert.equal(await months(api, 'fire_safety', 1), 24, 'the demo starts with the framework\'s periods');
    assert.equal(await months(api, 'resuscitation', 1), 12);

    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(page, base, ADMIN);
    await page.waitForLoadState();
    await goTo(page, 'Training refresher periods');
    await page.getByRole('heading', { name: 'Training refresher periods', level: 1 }).waitFor();
    await checkAccessibility(page, 'refresher periods');
    const box = (subject, level) =>
      page.getByRole('group', { name: subject, exact: true }).getByLabel(`Level ${level}, months`);
    assert.equal(await box('Fire safety', 1).inputValue(), '24');

    // A number that is not one is refused, and nothing changes.
    await box('Fire safety', 1).fill('a year');
    await page.getByRole('button', { name: 'Save refresher periods' }).click();
    await page.getByText('Fire safety, level 1: enter a whole number of months').waitFor();
    await checkAccessibility(page, 'refresher periods refused');
    assert.equal(await months(api, 'fire_safety', 1), 24);
    // Out of range: the rule's own words, named by subject and level.
    await box('Fire safety', 1).fill('121');
    await page.getByRole('button', { name: 'Save refresher periods' }).click();
    await page.getByText('Fire safety, level 1: must be 1 to 120').waitFor();
    assert.equal(await months(api, 'fire_safety', 1), 24);

    // Yearly fire safety, and no conflict resolution period.
    await box('Fire safety', 1).fill('12');
    await box('Conflict resolution', 1).fill('');
    await page.getByRole('button', { name: 'Save refresher periods' }).click();
    await page.getByText('Refresher periods saved.').waitFor();
    await checkAccessibility(page, 'refresher periods saved');
    assert.equal(await months(api, 'fire_safety', 1), 12);
    assert.equal(await months(api, 'conflict_resolution', 1), undefined);
    assert.equal(await months(api, 'safeguarding_children', 3), 36, 'the rest are kept');
    assert.equal(await box('Fire safety', 1).inputValue(), '12');

    // A compliance officer may read the periods but not set them.
    const officer = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(officer, base, 'compliance@rxl.demo.staffbank.test');
    await officer.waitForLoadState();
    const refused = await officer.goto(`${base}/manage/refresher-periods`);
    assert.equal(refused.status(), 403);
  });
}
