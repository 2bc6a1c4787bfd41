// Importing workers from an ESR staff extract in the browser: a file with problems shows every
// one by row and column and imports nothing; a good file is checked, confirmed and imported with a
// message after it; the same file again adds nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo } from './support.mjs';

const BOOKER = 'booker@rxl.demo.staffbank.test';
const BANK = 'Blackpool Teaching Hospitals Staff Bank';
const VIEWPORTS = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]];
const HEADER = 'Assignment number,Name,Email,Staff group,Grade,Registration body,Registration number,Contract type,Banks\n';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

async function upload(page, text) {
  await page.locator('#workers-file').setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(text) });
  await page.getByRole('button', { name: 'Check the file' }).click();
}

/** The writing progress bar stands at its total, `total`. */
async function writtenInFull(page, total) {
  const bar = page.locator('#write-progress');
  assert.equal(await bar.getAttribute('max'), String(total));
  assert.equal(await bar.getAttribute('value'), String(total));
  assert.match(await page.locator('main').innerText(), new RegExp(`${total.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')} workers written`));
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a booker imports workers from a file, after correcting it (${name})`, async () => {
    const base = await startDemo();
    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(page, base, BOOKER);
    await page.waitForURL(/\/manage\/shifts$/);
    await goTo(page, 'Import workers');
    await page.getByRole('heading', { name: 'Import workers', level: 1 }).waitFor();
    await checkAccessibility(page, 'import workers');

    const tag = `${name}${Date.now()}`;
    const good = `${HEADER}9${tag.length}000001,Amina Patel,amina.${tag}@example.nhs.uk,Nursing and midwifery,Band 5,NMC,18A1234E,Bank,${BANK}\n`
      + `9${tag.length}000002,Tom Jones,tom.${tag}@example.nhs.uk,Healthcare support,Band 3,,,Bank,${BANK}\n`;
    const bad = `${good}93000003,Sam Lee,not-an-email,Nursing and midwifery,Band 12,,,Bank,${BANK}\n`;
    await upload(page, bad);
    await page.locator('.nhsuk-error-summary').waitFor();
    const problems = page.locator('#import-problems');
    assert.match(await problems.innerText(), /4[\s\S]*Email/);
    assert.match(await problems.innerText(), /4[\s\S]*Grade[\s\S]*Band 12 is not a grade/);
    await checkAccessibility(page, 'import workers with problems');

    await upload(page, good);
    await page.getByRole('heading', { name: 'Import 2 workers?' }).waitFor();
    await checkAccessibility(page, 'confirm the import');
    await page.getByRole('button', { name: 'Import the workers' }).click();
    const notice = page.getByRole('status');
    await notice.waitFor();
    assert.match(await notice.innerText(), /2 added, 0 already present/);
    await writtenInFull(page, 2);
    await checkAccessibility(page, 'workers imported');

    await page.getByRole('link', { name: 'Import another file' }).click();
    await upload(page, good);
    await page.getByRole('heading', { name: 'Import 0 workers?' }).waitFor();
    assert.match(await page.locator('main').innerText(), /2 already imported will be left as they are/);
    assert.match(await page.locator('main').innerText(), /nothing new to import/);
  });
}

test('a large file is written with a progress bar that reaches its total', async () => {
  const base = await startDemo();
  const page = await (await browser.newContext({ viewport: VIEWPORTS[1][1], bypassCSP: true })).newPage();
  await signIn(page, base, BOOKER);
  await page.waitForURL(/\/manage\/shifts$/);
  await goTo(page, 'Import workers');
  const rows = Array.from({ length: 1500 }, (_, i) => `8${String(i).padStart(7, '0')},Worker ${i},large.${i}@example.nhs.uk,Healthcare support,Band 3,,,Bank,${BANK}\n`);
  await upload(page, HEADER + rows.join(''));
  await page.getByRole('heading', { name: 'Import 1,500 workers?' }).waitFor();
  await page.getByRole('button', { name: 'Import the workers' }).click();
  await page.waitForURL(/\/manage\/imports\/[0-9a-f-]+$/);
  const notice = page.getByRole('status');
  await notice.waitFor({ timeout: 60000 });
  assert.match(await notice.innerText(), /1,500 added, 0 already present/);
  await writtenInFull(page, 1500);
  await checkAccessibility(page, 'a large import written');
});
