// Importing credentials in the browser as a trust's compliance officer: a file with problems
// shows every one by row and column and records nothing; a good file is checked, confirmed and
// recorded with a message after it, which the worker then sees through the API; the same file
// again records nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, checkReflow, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const OFFICER = 'compliance@rxl.demo.staffbank.test';
const WORKER = 'worker@demo.staffbank.test';
const VIEWPORTS = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]];
const HEADER = 'Assignment number,Email,Credential,DBS level,Valid from,Valid until\n';
const GOOD = `${HEADER},${WORKER},Core skills training,,03/02/2026,02/02/2027\n`;
const BAD = `${GOOD},nobody@example.test,Shoe size,,31/02/2026,\n`;

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

async function upload(page, text) {
  await page.locator('#credentials-file').setInputFiles({ name: 'credentials.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  await page.getByRole('button', { name: 'Check the file' }).click();
}

/** The worker's core skills training credentials valid from 3 February 2026, as their API shows them. */
async function recorded(base) {
  const worker = await apiAs(base, WORKER);
  const mine = await worker.get('/api/v1/me/credentials');
  assert.equal(mine.status, 200);
  return mine.body.filter((c) => c.kind === 'core_skills_training' && c.valid_from.startsWith('2026-02-03'));
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a compliance officer imports credentials from a file, after correcting it (${name})`, async () => {
    const base = await startDemo();
    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(page, base, OFFICER);
    await page.waitForURL(/\/manage\/workers$/);
    await goTo(page, 'Import credentials');
    await page.getByRole('heading', { name: 'Import credentials', level: 1 }).waitFor();
    await checkAccessibility(page, 'import credentials');

    await upload(page, BAD);
    await page.locator('.nhsuk-error-summary').waitFor();
    const problems = await page.locator('#import-problems').innerText();
    assert.match(problems, /3[\s\S]*Email[\s\S]*not one of this trust's workers/);
    assert.match(problems, /3[\s\S]*Credential[\s\S]*Shoe size/);
    assert.match(problems, /3[\s\S]*Valid from/);
    await checkAccessibility(page, 'import credentials with problems');
    await checkReflow(page, 'import credentials with problems');
    assert.equal((await recorded(base)).length, 0, 'nothing recorded');

    await upload(page, GOOD);
    await page.getByRole('heading', { name: 'Record 1 credential?' }).waitFor();
    await checkAccessibility(page, 'confirm the credentials');
    await page.getByRole('button', { name: 'Record the credentials' }).click();
    const notice = page.getByRole('status');
    await notice.waitFor();
    assert.match(await notice.innerText(), /1 added, 0 already present/);
    const bar = page.locator('#write-progress');
    assert.equal(await bar.getAttribute('max'), '1');
    assert.equal(await bar.getAttribute('value'), '1');
    await checkAccessibility(page, 'credentials imported');
    const held = await recorded(base);
    assert.equal(held.length, 1);
    assert.match(held[0].valid_until, /^2027-02-0[23]/);

    await page.getByRole('link', { name: 'Import another file' }).click();
    await upload(page, GOOD);
    await page.getByRole('heading', { name: 'Record 0 credentials?' }).waitFor();
    assert.match(await page.locator('main').innerText(), /nothing new to record/);
    assert.equal((await recorded(base)).length, 1);
  });
}
