// Registering as a bank worker in the browser: the form, "check your email", the emailed link,
// the page that confirms it, and signing in afterwards; each page accessible at phone and desktop
// widths (and 320 px). Signing in before confirming is refused with a message that says why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, cleanUp, emailsTo } from './support.mjs';

const VIEWPORTS = [['phone', { width: 390, height: 844 }], ['desktop', { width: 1280, height: 900 }]];
const PASSWORD = 'lantern orchard 42 quietly';

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await cleanUp(browser);
});

/** Signs in with `email` and this test's password. */
async function signInAs(page, base, email) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits up to 20 s for the demo to email `email` a confirmation link; its token. */
async function confirmationToken(base, email) {
  for (let i = 0; i < 80; i += 1) {
    for (const text of emailsTo(base, email)) {
      const match = text.match(/confirm-email\?token=([A-Za-z0-9_-]+)/);
      if (match) return match[1];
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no confirmation email to ${email}`);
}

for (const [name, viewport] of VIEWPORTS) {
  test(`a nurse registers, confirms by email and signs in (${name})`, async () => {
    const base = await startDemo();
    const page = await (await browser.newContext({ viewport, bypassCSP: true })).newPage();
    const email = `robin.ash.${name}@example.test`;

    await page.goto(`${base}/sign-in`);
    await page.getByRole('link', { name: 'Register as a bank worker' }).click();
    await page.getByRole('heading', { name: 'Register as a bank worker', level: 1 }).waitFor();
    await checkAccessibility(page, 'registration page');

    // A mistake is shown beside the form and nothing is registered.
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password (at least 10 characters)').fill('short');
    await page.getByLabel('Your name, as bookers will see it').fill('Robin Ash');
    await page.getByLabel('Staff group').selectOption({ label: 'Nursing and midwifery' });
    await page.getByLabel('Grade').selectOption({ label: 'Band 5' });
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'There is a problem' }).waitFor();
    await checkAccessibility(page, 'registration error');

    await page.getByLabel('Password (at least 10 characters)').fill(PASSWORD);
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Check your email', level: 1 }).waitFor();
    await page.getByText(email).waitFor();
    await checkAccessibility(page, 'check your email');

    // Not confirmed yet: sign-in is refused and says to confirm first.
    await signInAs(page, base, email);
    await page.getByText(/confirm your email address first/).waitFor();

    const token = await confirmationToken(base, email);
    await page.goto(`${base}/confirm-email?token=${token}`);
    await page.getByRole('heading', { name: 'Confirm your email address', level: 1 }).waitFor();
    await checkAccessibility(page, 'confirm email page');
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await page.getByRole('heading', { name: 'Your account is ready', level: 1 }).waitFor();
    await checkAccessibility(page, 'account ready');

    // The link works once.
    await page.goto(`${base}/confirm-email?token=${token}`);
    await page.getByRole('button', { name: 'Confirm my email address' }).click();
    await page.getByRole('heading', { name: 'This link does not work', level: 1 }).waitFor();

    await signInAs(page, base, email);
    await page.waitForURL(/\/shifts$/);
    assert.match(await page.locator('h1').innerText(), /Shifts/);
  });
}
