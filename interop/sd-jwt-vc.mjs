// Interoperability harness for Staffbank's passport crate against an
// independent SD-JWT VC implementation: the OpenWallet Foundation's sd-jwt-js
// (@sd-jwt/sd-jwt-vc, @sd-jwt/crypto-nodejs, @sd-jwt/jwt-status-list).
//
//   node interop/sd-jwt-vc.mjs verify  < request.json
//   node interop/sd-jwt-vc.mjs issue   < request.json
//   node interop/sd-jwt-vc.mjs present < request.json
//
// Reads one JSON object on stdin and writes one JSON object on stdout.
// Exit code: 0 for any answer (including {"ok": false}); 2 when the request
// itself is unusable (bad mode, bad JSON, missing fields); 1 if issuing fails.
import { ES256, digest, generateSalt } from '@sd-jwt/crypto-nodejs';
import { StatusList, createHeaderAndPayload } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';

const KID = 'interop-1';
const SD_JWT_TYP = 'dc+sd-jwt';
const STATUS_LIST_TYP = 'statuslist+jwt';

class UnusableInput extends Error {}

function need(cond, message) {
  if (!cond) throw new UnusableInput(message);
}

// Only the public EC members, so stray members such as key_ops or alg in a
// caller's JWK cannot make WebCrypto's import fail.
const publicJwk = ({ kty, crv, x, y }) => ({ kty, crv, x, y });

const b64url = (text) => Buffer.from(text, 'utf8').toString('base64url');
const decodeHeader = (jwt) =>
  JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'));

async function verify(input) {
  need(typeof input.presentation === 'string', 'presentation must be a string');
  need(input.issuer_jwk && typeof input.issuer_jwk === 'object', 'issuer_jwk must be a JWK object');
  need(typeof input.nonce === 'string' && input.nonce, 'nonce must be a non-empty string');
  need(typeof input.aud === 'string' && input.aud, 'aud must be a non-empty string');
  const statusListToken = input.status_list_token ?? null;
  need(statusListToken === null || typeof statusListToken === 'string', 'status_list_token must be a string or null');

  let issuerVerifier;
  try {
    issuerVerifier = await ES256.getVerifier(publicJwk(input.issuer_jwk));
  } catch (err) {
    throw new UnusableInput(`issuer_jwk is not a usable P-256 key: ${err.message}`);
  }

  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    // Issuer signature on the SD-JWT, and (statusVerifier) on the status list token.
    verifier: issuerVerifier,
    statusVerifier: issuerVerifier,
    // Holder signature on the KB-JWT: the library hands us the verified,
    // processed credential payload, whose cnf.jwk is the holder key.
    kbVerifier: async (data, signature, payload) => {
      const holderJwk = payload?.cnf?.jwk;
      if (!holderJwk) throw new Error('credential has no cnf.jwk to verify key binding');
      return (await ES256.getVerifier(publicJwk(holderJwk)))(data, signature);
    },
    // Instead of fetching status.status_list.uri, hand back the token the
    // caller supplied. The library verifies its signature (statusVerifier) and
    // exp, then reads the entry at idx; any non-zero status is rejected.
    // It does not check typ or sub, so we do that here.
    statusListFetcher: async (uri) => {
      if (statusListToken === null) {
        throw new Error(`credential references status list ${uri} but no status_list_token was supplied`);
      }
      const typ = decodeHeader(statusListToken).typ;
      if (typ !== STATUS_LIST_TYP) throw new Error(`status list token typ is ${typ}, expected ${STATUS_LIST_TYP}`);
      const sub = JSON.parse(Buffer.from(statusListToken.split('.')[1], 'base64url').toString('utf8')).sub;
      if (sub !== uri) throw new Error(`status list token sub ${sub} does not match status uri ${uri}`);
      return statusListToken;
    },
  });

  try {
    // Passing keyBindingNonce makes a KB-JWT mandatory. The library then checks
    // its typ (kb+jwt), signature, nonce and sd_hash.
    const result = await sdjwt.verify(input.presentation, { keyBindingNonce: input.nonce });
    // Checks the library leaves to the caller:
    if (result.header?.typ !== SD_JWT_TYP) {
      throw new Error(`SD-JWT typ is ${result.header?.typ}, expected ${SD_JWT_TYP}`);
    }
    if (result.kb?.payload?.aud !== input.aud) {
      throw new Error(`KB-JWT aud ${JSON.stringify(result.kb?.payload?.aud)} does not match ${input.aud}`);
    }
    return { ok: true, claims: result.payload };
  } catch (err) {
    return { ok: false, error: err?.message ?? String(err) };
  }
}

async function issue(input) {
  const now = Math.floor(Date.now() / 1000);
  need(typeof input.iss === 'string' && typeof input.vct === 'string', 'iss and vct must be strings');
  const claims = input.claims ?? {};
  need(typeof claims === 'object' && !Array.isArray(claims), 'claims must be an object');
  const reserved = ['iss', 'vct', 'iat', 'exp', 'nbf', 'cnf', 'status'];
  need(!Object.keys(claims).some((k) => reserved.includes(k)), `claims must not contain ${reserved.join(', ')}`);
  const disclosable = input.disclosable ?? [];
  const disclose = input.disclose ?? [];
  need(Array.isArray(disclosable) && Array.isArray(disclose), 'disclosable and disclose must be arrays');
  need(typeof input.nonce === 'string' && typeof input.aud === 'string', 'nonce and aud must be strings');
  const status = input.status;
  need(status && typeof status.uri === 'string' && Number.isInteger(status.idx) && status.idx >= 0, 'status must be {uri, idx}');
  const bits = input.status_bits ?? 1;
  need([1, 2, 4, 8].includes(bits), 'status_bits must be 1, 2, 4 or 8');

  // Fresh issuer and holder key pairs (WebCrypto P-256, exported as JWKs).
  const issuerKeys = await ES256.generateKeyPair();
  const holderKeys = await ES256.generateKeyPair();
  const issuerSigner = await ES256.getSigner(issuerKeys.privateKey);
  const issuerPublic = { ...publicJwk(issuerKeys.publicKey), kid: KID };
  const holderPublic = publicJwk(holderKeys.publicKey);

  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    hashAlg: 'sha-256',
    // The library asks for 16 hex chars (64 bits); RFC 9901 recommends 128.
    saltGenerator: () => generateSalt(32),
    signer: issuerSigner,
    signAlg: ES256.alg,
    kbSigner: await ES256.getSigner(holderKeys.privateKey),
    kbSignAlg: ES256.alg,
  });

  const payload = {
    iss: input.iss,
    vct: input.vct,
    iat: input.iat ?? now,
    ...(input.exp !== undefined && { exp: input.exp }),
    cnf: { jwk: holderPublic },
    status: { status_list: { uri: status.uri, idx: status.idx } },
    ...claims,
  };
  // Top-level claims named in `disclosable` become selectively disclosable.
  const credential = await sdjwt.issue(payload, { _sd: disclosable }, {
    header: { typ: SD_JWT_TYP, kid: KID },
  });

  // The holder reveals only `disclose` and appends a KB-JWT; the library adds
  // typ kb+jwt and sd_hash.
  const presentation = await sdjwt.present(
    credential,
    Object.fromEntries(disclose.map((name) => [name, true])),
    { kb: { payload: { iat: input.kb_iat ?? now, aud: input.aud, nonce: input.nonce } } },
  );

  // Status list: at least 1024 entries, all valid (0) except possibly idx.
  const entries = new Array(Math.max(1024, status.idx + 1)).fill(0);
  entries[status.idx] = input.revoked ? 1 : 0;
  const list = new StatusList(entries, bits);
  // The library builds header and payload (typ, status_list {bits, lst}).
  // Signing is done here: compact JWS, with ES256 raw r||s from WebCrypto.
  const { header: slHeader, payload: slPayload } = createHeaderAndPayload(
    list,
    { iss: input.iss, sub: status.uri, iat: now, exp: now + 3600, ttl: 300 },
    { alg: ES256.alg, typ: STATUS_LIST_TYP, kid: KID },
  );
  const signingInput = `${b64url(JSON.stringify(slHeader))}.${b64url(JSON.stringify(slPayload))}`;
  const statusListToken = `${signingInput}.${await issuerSigner(signingInput)}`;

  return {
    presentation,
    issuer_jwk: issuerPublic,
    holder_jwk: holderPublic,
    status_list_token: statusListToken,
  };
}

// The holder's side alone: a credential someone else issued, the holder's private key, the
// claims to reveal, and a KB-JWT for the verifier's nonce and audience.
async function present(input) {
  need(typeof input.credential === 'string', 'credential must be a string');
  need(input.holder_jwk && typeof input.holder_jwk.d === 'string', 'holder_jwk must be a private JWK');
  need(Array.isArray(input.disclose), 'disclose must be an array');
  need(typeof input.nonce === 'string' && typeof input.aud === 'string', 'nonce and aud must be strings');
  const { kty, crv, x, y, d } = input.holder_jwk;
  const sdjwt = new SDJwtVcInstance({
    hasher: digest,
    kbSigner: await ES256.getSigner({ kty, crv, x, y, d }),
    kbSignAlg: ES256.alg,
  });
  const presentation = await sdjwt.present(
    input.credential,
    Object.fromEntries(input.disclose.map((name) => [name, true])),
    { kb: { payload: { iat: input.kb_iat ?? Math.floor(Date.now() / 1000), aud: input.aud, nonce: input.nonce } } },
  );
  return { presentation };
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  const mode = process.argv[2];
  try {
    const modes = { verify, issue, present };
    need(Object.hasOwn(modes, mode ?? ''), 'usage: node interop/sd-jwt-vc.mjs <verify|issue|present> < request.json');
    let input;
    try {
      input = JSON.parse(await readStdin());
    } catch (err) {
      throw new UnusableInput(`stdin is not JSON: ${err.message}`);
    }
    need(input && typeof input === 'object' && !Array.isArray(input), 'stdin must be a JSON object');
    const output = await modes[mode](input);
    process.stdout.write(`${JSON.stringify(output)}\n`);
  } catch (err) {
    process.stdout.write(`${JSON.stringify({ ok: false, error: err?.message ?? String(err) })}\n`);
    process.exitCode = err instanceof UnusableInput ? 2 : 1;
  }
}

await main();
