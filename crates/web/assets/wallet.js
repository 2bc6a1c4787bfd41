// The built-in wallet. The holder's key is made here, in the browser, with WebCrypto (ECDSA
// P-256, private half non-extractable) and kept in IndexedDB: the server never sees it. It signs
// the proof of possession when a credential is accepted (an OpenID4VCI 1.0 `openid4vci-proof+jwt`,
// section 8.2.1.1) and the key-binding JWT when details are shared (RFC 9901 section 4.3:
// `kb+jwt` with nonce, aud, iat and sd_hash, the base64url SHA-256 of the presented SD-JWT),
// passing on only the disclosures the verifier asked for. At the ward it signs the sign-on
// challenge (`staffbank-sign-on+jwt`: nonce, aud, iat, and the public key as jwk) with the key of a
// credential it holds, so the server can check the key is bound to the booked worker's passport.
(function () {
  'use strict';
  if (!window.crypto || !window.crypto.subtle || !window.indexedDB) return;
  const encoder = new TextEncoder();
  const b64u = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const unb64u = (text) => {
    let s = text.replace(/-/g, '+').replace(/_/g, '/');
    while (s.length % 4) s += '=';
    return new TextDecoder().decode(Uint8Array.from(atob(s), (c) => c.charCodeAt(0)));
  };
  const jsonPart = (value) => b64u(encoder.encode(JSON.stringify(value)));

  function keys(mode) {
    return new Promise((resolve, reject) => {
      const open = indexedDB.open('staffbank-wallet', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('keys');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => resolve(open.result.transaction('keys', mode).objectStore('keys'));
    });
  }
  const request = (r) => new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const keep = async (id, pair) => request((await keys('readwrite')).put(pair, id));
  const find = async (id) => request((await keys('readonly')).get(id));

  async function sign(privateKey, header, payload) {
    const input = `${jsonPart(header)}.${jsonPart(payload)}`;
    const signature = await crypto.subtle.sign(
      { name: 'ECDSA', hash: 'SHA-256' }, privateKey, encoder.encode(input));
    return `${input}.${b64u(signature)}`;
  }
  const now = () => Math.floor(Date.now() / 1000);

  async function proofFor(form) {
    const pair = await crypto.subtle.generateKey(
      { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    await keep(form.dataset.credential, pair);
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    return sign(pair.privateKey,
      { typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: { kty, crv, x, y } },
      { aud: form.dataset.issuer, iat: now(), nonce: form.dataset.nonce });
  }

  async function presentationFor(form) {
    const pair = await find(form.dataset.credential);
    if (!pair) throw new Error('the key for this credential is not in this browser; share it from the device you accepted it on');
    const [jwt, ...rest] = form.dataset.sdJwt.split('~');
    const wanted = new Set(JSON.parse(form.dataset.claims).map((path) => path.split('.').pop()));
    const chosen = rest.filter((d) => {
      if (!d) return false;
      try {
        const parts = JSON.parse(unb64u(d));
        return parts.length === 3 && wanted.has(parts[1]);
      } catch (_) {
        return false;
      }
    });
    const presented = `${[jwt, ...chosen].join('~')}~`;
    const sdHash = b64u(await crypto.subtle.digest('SHA-256', encoder.encode(presented)));
    const kb = await sign(pair.privateKey, { typ: 'kb+jwt', alg: 'ES256' },
      { nonce: form.dataset.nonce, aud: form.dataset.aud, iat: now(), sd_hash: sdHash });
    return presented + kb;
  }

  async function signOnFor(form) {
    let pair;
    for (const id of JSON.parse(form.dataset.credentials)) {
      pair = await find(id);
      if (pair) break;
    }
    if (!pair) throw new Error('your passport key is not in this browser; sign on from the device you accepted your credentials on, or use your smartcard');
    const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', pair.publicKey);
    return sign(pair.privateKey,
      { typ: 'staffbank-sign-on+jwt', alg: 'ES256', jwk: { kty, crv, x, y } },
      { nonce: form.dataset.nonce, aud: form.dataset.aud, iat: now() });
  }

  const steps = {
    accept: ['proof', proofFor],
    present: ['presentation', presentationFor],
    'sign-on': ['proof', signOnFor],
  };
  for (const form of document.querySelectorAll('form[data-wallet]')) {
    const [field, make] = steps[form.dataset.wallet] || [];
    if (!make) continue;
    const status = form.querySelector('[data-wallet-status]');
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button');
      button.disabled = true;
      status.textContent = 'Signing with your key…';
      try {
        form.elements[field].value = await make(form);
        form.submit();
      } catch (error) {
        status.textContent = `Could not sign: ${error.message}`;
        button.disabled = false;
      }
    });
  }
})();
