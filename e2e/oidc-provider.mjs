// A real OpenID Connect provider for tests (the `oidc-provider` package, certified by the OpenID
// Foundation), with its development login and consent pages, one confidential client and a few
// test accounts. Run on its own (`node e2e/oidc-provider.mjs <redirect URI>`, which prints the
// issuer) or imported by a browser test.
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

export const CLIENT_ID = 'staffbank';
export const CLIENT_SECRET = 'staffbank-test-client-secret';

/** The test accounts: the login name on the provider's page is the account's subject. */
export const ACCOUNTS = {
  booker: { email: 'booker@rxl.demo.staffbank.test', email_verified: true },
  unverified: { email: 'ward.booker@rxl.demo.staffbank.test', email_verified: false },
  stranger: { email: 'nobody@nhs.test', email_verified: true },
};

/** Starts the provider on a free port of this machine; resolves with its issuer and a stop. */
export async function startProvider(redirectUri, accounts = ACCOUNTS) {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [redirectUri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: true } },
    pkce: { required: () => true },
    cookies: { keys: ['staffbank-test-cookie-key'] },
    async findAccount(_ctx, id) {
      const account = accounts[id];
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
  });
  server.on('request', provider.callback());
  return { issuer, stop: () => new Promise((resolve) => server.close(resolve)) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { issuer } = await startProvider(process.argv[2]);
  console.log(`issuer at ${issuer}`);
}
