// A trust's compliance officer and the NMC's credential issuer at work in the browser: finding
// the demo worker, reading their compliance picture, offering a credential after confirming it,
// and suspending, reinstating or revoking one with a reason; each outcome checked through the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, goTo, apiAs } from './support.mjs';

const WORKER = 'worker@demo.staffbank.test';
const OFFICER = 'compliance@rxl.demo.staffbank.test';
const REGISTRAR = 'issuer@nmc.demo.staffbank.test';
const VIEWPORTS = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]];

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

/** The demo worker accepts the offer of `type` in their own browser (the holder key is made there). */
async function accept(base, type) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, base, WORKER);
  await page.waitForURL(/\/shifts$/);
  await page.goto(`${base}/passport`);
  await page.locator('[data-offer]', { hasText: type }).getByRole('button', { name: 'Accept into my passport' }).click();
  await page.waitForURL(/\/passport\?accepted=1$/);
  await context.close();
}

/** The worker's passport credential of a type, as the worker's API shows it. */
async function held(base, vctPart) {
  const worker = await apiAs(base, WORKER);
  return (await worker.get('/api/v1/me/passport')).body.filter((c) => c.vct.includes(vctPart));
}

/** Changes a credential's status from its card on the worker's page, giving a reason. */
async function changeStatus(page, action, type, reason, done) {
  await page.getByRole('link', { name: `${action} ${type}` }).click();
  await page.getByRole('heading', { name: new RegExp(`^${action} Amira Hassan's ${type}\\?$`) }).waitFor();
  await page.getByRole('button', { name: `${action} the credential` }).click();
  await page.locator('.nhsuk-error-summary').getByRole('link', { name: 'Enter the reason' }).waitFor();
  await checkAccessibility(page, `${action.toLowerCase()} page with an error`);
  await page.getByLabel('Reason').fill(reason);
  await page.getByRole('button', { name: `${action} the credential` }).click();
  await page.getByText(done).waitFor();
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a compliance officer finds a worker, offers a credential and suspends one (${name})`, async () => {
    const base = await startDemo();
    await accept(base, 'DBS check');
    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(page, base, OFFICER);
    await page.waitForURL(/\/manage\/workers$/);
    await checkAccessibility(page, 'find a worker');

    // A search too short is an error that links to the field; part of a name finds them.
    await page.getByLabel('Name, email address or registration number').fill('a');
    await page.getByRole('button', { name: 'Search' }).click();
    assert.equal(await page.locator('.nhsuk-error-summary a').getAttribute('href'), '#q');
    await checkAccessibility(page, 'find a worker with an error');
    await page.getByLabel('Name, email address or registration number').fill('AMIRA');
    await page.getByRole('button', { name: 'Search' }).click();
    await checkAccessibility(page, 'search results');
    await page.getByRole('link', { name: 'Amira Hassan' }).click();
    await page.getByRole('heading', { name: 'Amira Hassan', level: 1 }).waitFor();
    await checkAccessibility(page, "a worker's compliance picture");
    const dbsRow = page.locator('tr', { hasText: 'DBS check (enhanced barred)' });
    assert.match(await dbsRow.textContent(), /Held/);

    // Offer a right to work: the form asks, an empty answer is an error, then a confirmation.
    await page.getByRole('link', { name: 'Offer a credential' }).click();
    await page.getByLabel('Right to work').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Offer: Right to work' }).waitFor();
    await checkAccessibility(page, 'offer form');
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.equal(await page.locator('.nhsuk-error-summary a').first().getAttribute('href'), '#unlimited-yes');
    await checkAccessibility(page, 'offer form with errors');
    await page.getByLabel('Yes').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Offer this credential?' }).waitFor();
    await checkAccessibility(page, 'offer confirmation');
    assert.deepEqual(await held(base, 'right_to_work'), [], 'nothing is offered before confirming');
    await page.getByRole('button', { name: 'Offer the credential' }).click();
    await page.getByText(/Credential offered\. Amira Hassan is asked to accept it/).waitFor();
    await checkAccessibility(page, 'worker page after an offer');
    const offered = await held(base, 'right_to_work');
    assert.equal(offered.length, 1);
    assert.equal(offered[0].state, 'offered');
    assert.deepEqual(offered[0].claims, { type: 'right_to_work', unlimited: true });

    // Suspend the DBS check with a reason, then reinstate it.
    await changeStatus(page, 'Suspend', 'DBS check', 'Awaiting an Update Service check', 'Credential suspended.');
    assert.equal((await held(base, 'dbs_check'))[0].revocation, 'suspended');
    assert.match(await page.locator('.nhsuk-card', { hasText: 'DBS check' }).locator('.nhsuk-tag').textContent(), /Suspended/);
    await checkAccessibility(page, 'worker page after a suspension');
    await changeStatus(page, 'Reinstate', 'DBS check', 'Update Service check came back clear', 'Credential reinstated.');
    assert.equal((await held(base, 'dbs_check'))[0].revocation, 'valid');

    // Training: in a fresh demo each subject's refresher period is already set and shown, and the
    // record ends when the first falls due.
    await page.getByRole('link', { name: 'Offer a credential' }).click();
    await page.getByLabel('Core skills training').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Refresher every 24 months at level 1.').waitFor();
    await checkAccessibility(page, 'training offer form');
    await page.getByLabel('Fire safety level', { exact: true }).selectOption('1');
    await page.getByLabel('Fire safety completed on', { exact: true }).fill('2026-11-02');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Offer this credential?' }).waitFor();
    await page.getByRole('button', { name: 'Offer the credential' }).click();
    await page.getByText(/Credential offered\./).waitFor();
    const training = await held(base, 'core_skills_training');
    assert.deepEqual(training[0].claims.subjects, { fire_safety: { level: 1, completed: '2026-11-02' } });
    assert.equal(training[0].expires_at.slice(0, 7), '2028-11', 'it ends when the refresher falls due');
  });

  test(`the NMC's issuer finds a worker by registration number, offers and revokes (${name})`, async () => {
    const base = await startDemo();
    await accept(base, 'Professional registration');
    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    await signIn(page, base, REGISTRAR);
    await page.waitForURL(/\/issue$/);
    await page.getByText('The trust framework trusts your organisation for: Professional registration.').waitFor();
    await checkAccessibility(page, "an issuer's start page");
    await goTo(page, 'Issue credentials');
    await page.getByLabel('Name, email address or registration number').fill('18c04');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Amira Hassan' }).click();
    await page.getByRole('heading', { name: 'Amira Hassan', level: 1 }).waitFor();
    await checkAccessibility(page, "an issuer's view of a worker");
    assert.equal(await page.getByText('What they need to book shifts').count(), 0, 'an issuer sees only what it issued');

    // Only the type it is trusted for is offered; a wrong number is an error on that field.
    await page.getByRole('link', { name: 'Offer a credential' }).click();
    assert.equal(await page.getByRole('radio').count(), 1);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Regulator').selectOption('nmc');
    await page.getByLabel('Registration number').fill('12345');
    await page.getByRole('radio', { name: 'Yes' }).check();
    await page.getByLabel('Renewal or revalidation date').fill('2027-09-30');
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.equal(await page.locator('.nhsuk-error-summary a').getAttribute('href'), '#number');
    await checkAccessibility(page, 'registration offer with an error');
    await page.getByLabel('Registration number').fill('18C0427E');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Offer this credential?' }).waitFor();
    await page.getByRole('button', { name: 'Offer the credential' }).click();
    await page.getByText(/Credential offered\./).waitFor();
    const registrations = await held(base, 'professional_registration');
    assert.equal(registrations.length, 2);
    assert.ok(registrations.some((c) => c.state === 'offered' && c.claims.renewal === '2027-09-30'));

    // Revoke the accepted registration with a reason: final, and the worker's passport says so.
    await changeStatus(page, 'Revoke', 'Professional registration', 'Removed from the register', 'Credential revoked.');
    await checkAccessibility(page, 'worker page after a revocation');
    const after = await held(base, 'professional_registration');
    assert.equal(after.find((c) => c.state === 'accepted').revocation, 'revoked');
  });
}
