// Signing in with an organisation's OpenID Connect provider, in the browser, against a real
// provider (oidc-provider) with its own login and consent pages: the button, the provider's
// pages, landing signed in; and the refusals: an unverified email, another organisation's
// provider, a made-up or replayed state, an ID token made for another nonce, and password
// sign-in once the organisation turns passwords off; then changing and removing a provider.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startDemo, checkAccessibility, signIn, cleanUp, apiAs } from './support.mjs';
import { startProvider, CLIENT_ID, CLIENT_SECRET } from './oidc-provider.mjs';

const ADMIN = 'admin@demo.staffbank.test';
const BOOKER = 'booker@rxl.demo.staffbank.test';

let browser;
let base;
let provider;
let admin;
let orgs;

before(async () => {
  browser = await launch();
  base = await startDemo();
  provider = await startProvider(`${base}/sign-in/oidc/callback`);
  admin = await apiAs(base, ADMIN);
  orgs = (await admin.get('/api/v1/organisations')).body;
});

after(async () => {
  await provider?.stop();
  await cleanUp(browser);
});

function org(ods) {
  const found = orgs.find((o) => o.ods_code === ods);
  assert.ok(found, `the demo has ${ods}`);
  return found.id;
}

async function addProvider(ods, displayName, passwordsOff = false) {
  const added = await admin.send('/api/v1/oidc-providers', 'POST', {
    org_id: org(ods), issuer_url: provider.issuer, client_id: CLIENT_ID, client_secret: CLIENT_SECRET,
    display_name: displayName, passwords_off: passwordsOff,
  });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  assert.equal(added.body.client_secret, undefined, 'the secret is never given back');
  return added.body;
}

/** Clicks a provider's button and gets through the provider's login and consent pages as
 * `login`; resolves with the page where Staffbank left the browser. */
async function signInWithProvider(page, button, login) {
  await page.goto(`${base}/sign-in`);
  await page.getByRole('link', { name: button, exact: true }).click();
  await page.waitForURL((url) => url.origin === provider.issuer);
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => url.origin !== provider.issuer || url.pathname.includes('interaction'));
  if (new URL(page.url()).origin === provider.issuer) {
    await page.locator('button[type="submit"]').click(); // consent: "Continue"
  }
  await page.waitForURL((url) => url.origin === base);
  await page.waitForLoadState('load');
}

/** The page's main heading. */
async function heading(page) {
  return (await page.locator('h1').first().textContent()).trim();
}

test('staff sign in with their organisation provider and land signed in', async () => {
  const rxl = await addProvider('RXL', 'Sign in with NHSmail');
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();

  await page.goto(`${base}/sign-in`);
  await checkAccessibility(page, 'the sign-in page with a provider');
  const callbacks = [];
  page.on('request', (r) => { if (r.url().startsWith(`${base}/sign-in/oidc/callback`)) callbacks.push(r.url()); });

  await signInWithProvider(page, 'Sign in with NHSmail', 'booker');
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  const session = (await context.cookies()).find((c) => c.name === 'staffbank_session');
  assert.ok(session?.httpOnly, 'the usual HttpOnly session cookie');

  // The callback is good once: replayed (even in the same browser) it is refused.
  assert.equal(callbacks.length, 1);
  const replay = await page.goto(callbacks[0]);
  assert.equal(replay.status(), 400);
  assert.equal(await heading(page), 'This sign-in has expired');

  // A state nobody was given is refused.
  const made_up = await page.goto(`${base}/sign-in/oidc/callback?state=made-up&code=anything`);
  assert.equal(made_up.status(), 400);
  await checkAccessibility(page, 'a refused sign-in');
  await context.close();

  // Another browser cannot finish an attempt started in this one (login CSRF, RFC 6749 10.12).
  const starter = await browser.newContext({ bypassCSP: true });
  const startPage = await starter.newPage();
  let stolen;
  startPage.on('request', (r) => { if (r.url().startsWith(`${base}/sign-in/oidc/callback`)) stolen = r.url(); });
  await startPage.route(`${base}/sign-in/oidc/callback**`, (route) => route.abort());
  await signInWithProvider(startPage, 'Sign in with NHSmail', 'booker').catch(() => {});
  assert.ok(stolen, 'the provider sent the browser back with a code');
  const victim = await (await browser.newContext({ bypassCSP: true })).newPage();
  const answer = await victim.goto(stolen);
  assert.equal(answer.status(), 400);
  await starter.close();

  const listed = (await admin.get('/api/v1/oidc-providers')).body;
  assert.ok(listed.some((p) => p.id === rxl.id));
  assert.ok(listed.every((p) => p.client_secret === undefined));
});

test('an ID token made for another nonce is refused', async () => {
  // The authorisation request leaves the browser with a different nonce (as if an attacker
  // injected a token minted for another sign-in): the provider's answer is otherwise genuine,
  // with the right state, code and PKCE verifier, so only the nonce check can refuse it.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  let swapped = false;
  // The browser follows Staffbank's redirect to the provider itself, so the swap is made in
  // that redirect's Location.
  await page.route(`${base}/sign-in/oidc/**`, async (route) => {
    if (route.request().url().includes('/callback')) return route.continue();
    const response = await route.fetch({ maxRedirects: 0 });
    const headers = response.headers();
    const location = new URL(headers.location);
    if (location.searchParams.has('nonce')) {
      location.searchParams.set('nonce', 'a-nonce-staffbank-never-issued');
      swapped = true;
    }
    return route.fulfill({ response, headers: { ...headers, location: location.toString() } });
  });
  await signInWithProvider(page, 'Sign in with NHSmail', 'booker');
  assert.ok(swapped, 'the request carried a nonce to swap');
  assert.equal(await heading(page), "Your organisation's sign-in did not work");
  assert.equal((await context.cookies()).some((c) => c.name === 'staffbank_session'), false);
  await context.close();
});

test('an unverified email, an unknown person and another organisation provider are refused', async () => {
  await addProvider('RXN', 'Sign in with Preston NHSmail');
  // Each attempt in a browser of its own, so the provider asks who it is every time.
  const attempt = async (button, login) => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await signInWithProvider(page, button, login);
    const signedIn = (await context.cookies()).some((c) => c.name === 'staffbank_session');
    return { page, context, signedIn };
  };

  const unverified = await attempt('Sign in with NHSmail', 'unverified');
  assert.equal(await heading(unverified.page), 'Your email address is not verified');
  await checkAccessibility(unverified.page, 'the unverified email page');
  assert.equal(unverified.signedIn, false);
  await unverified.context.close();

  const stranger = await attempt('Sign in with NHSmail', 'stranger');
  assert.equal(await heading(stranger.page), 'Your account is not linked to Staffbank');
  assert.equal(stranger.signedIn, false);
  await stranger.context.close();

  // The RXL booker's verified email does not sign them in through RXN's provider.
  const elsewhere = await attempt('Sign in with Preston NHSmail', 'booker');
  assert.equal(await heading(elsewhere.page), 'Your account is not linked to Staffbank');
  assert.equal(elsewhere.signedIn, false);
  await elsewhere.context.close();
});

test('a linked subject signs in; passwords off refuses the organisation password sign-in', async () => {
  const providers = (await admin.get('/api/v1/oidc-providers')).body;
  const rxl = providers.find((p) => p.display_name === 'Sign in with NHSmail');
  const me = await (await apiAs(base, 'ward.booker@rxl.demo.staffbank.test')).get('/api/v1/me');
  const linked = await admin.send(`/api/v1/oidc-providers/${rxl.id}/links`, 'POST',
    { user_id: me.body.user_id ?? me.body.id, subject: 'unverified' });
  assert.equal(linked.status, 204, JSON.stringify(linked.body));

  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await signInWithProvider(page, 'Sign in with NHSmail', 'unverified');
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await context.close();

  const off = await admin.send(`/api/v1/oidc-providers/${rxl.id}`, 'PUT', {
    org_id: rxl.org_id, issuer_url: rxl.issuer_url, client_id: rxl.client_id,
    display_name: rxl.display_name, passwords_off: true,
  });
  assert.equal(off.status, 200, JSON.stringify(off.body));

  const passwordPage = await (await browser.newContext({ bypassCSP: true })).newPage();
  await signIn(passwordPage, base, BOOKER);
  await passwordPage.getByText('Your organisation has turned off Staffbank passwords').first().waitFor();
  await checkAccessibility(passwordPage, 'the password refusal');
  // The platform administrator belongs to no trust, so keeps their password.
  await signIn(passwordPage, base, ADMIN);
  await passwordPage.getByRole('button', { name: 'Sign out' }).waitFor();

  // The administrators' page lists the providers, and adds one.
  await passwordPage.goto(`${base}/manage/sign-in-providers`);
  await passwordPage.getByRole('heading', { name: 'Sign-in providers' }).waitFor();
  await checkAccessibility(passwordPage, 'the sign-in providers page');
  await passwordPage.getByLabel('Button words').fill('Sign in with NHS CIS2');
  await passwordPage.getByLabel('Issuer URL').fill(provider.issuer);
  await passwordPage.getByLabel('Client ID').fill(CLIENT_ID);
  await passwordPage.getByLabel('Client secret').fill(CLIENT_SECRET);
  await passwordPage.getByRole('button', { name: 'Add provider' }).click();
  await passwordPage.getByText('Provider added').waitFor();
});

test('an administrator changes a provider and removes it, after confirming', async () => {
  const added = await addProvider('RXR', 'Sign in with Blackburn NHSmail');
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, base, ADMIN);
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${base}/manage/sign-in-providers`);
    await page.getByRole('link', { name: 'Change or remove Sign in with Blackburn NHSmail' }).click();
    await page.getByRole('heading', { name: 'Change Sign in with Blackburn NHSmail' }).waitFor();
    await checkAccessibility(page, `changing a provider at ${width} px`);
  }
  // A bad issuer is named beside its field and nothing changes.
  await page.getByLabel('Issuer URL').fill('not an address');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.locator('.nhsuk-error-summary').waitFor();
  assert.equal((await admin.get(`/api/v1/oidc-providers/${added.id}`)).body.issuer_url, provider.issuer);

  await page.getByLabel('Issuer URL').fill(provider.issuer);
  await page.getByLabel('Button words').fill('Sign in with ELHT NHSmail');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('Provider changed.').waitFor();
  const changed = (await admin.get(`/api/v1/oidc-providers/${added.id}`)).body;
  assert.equal(changed.display_name, 'Sign in with ELHT NHSmail');
  assert.equal(changed.client_id, CLIENT_ID, 'the rest is kept, the secret too');

  await page.getByRole('link', { name: 'Change or remove Sign in with ELHT NHSmail' }).click();
  await page.getByRole('link', { name: 'Remove provider' }).click();
  await page.getByRole('heading', { name: 'Remove Sign in with ELHT NHSmail?' }).waitFor();
  await checkAccessibility(page, 'confirming a removal');
  await page.getByRole('button', { name: 'Remove provider' }).click();
  await page.getByText('Provider removed.').waitFor();
  assert.equal((await admin.get(`/api/v1/oidc-providers/${added.id}`)).status, 404);
  await page.goto(`${base}/sign-in`);
  assert.equal(await page.getByRole('link', { name: 'Sign in with ELHT NHSmail' }).count(), 0);
  await context.close();
});
