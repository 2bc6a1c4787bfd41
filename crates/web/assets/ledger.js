// Checks a ledger entry's inclusion proof and its tree head's signature in the browser, with
// WebCrypto only (SHA-256, Ed25519), so an auditor need not trust the server's own check.
// RFC 6962 / RFC 9162: leaf hash SHA-256(0x00 || entry), node hash SHA-256(0x01 || left || right);
// inclusion verification as in RFC 9162 section 2.1.3.2.
(function () {
  'use strict';
  const el = document.getElementById('browser-check');
  if (!el || !window.crypto || !window.crypto.subtle) return;

  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const concat = (...parts) => {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
  };
  const sha256 = async (data) => new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  const equal = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  const u64 = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigUint64(0, BigInt(n)); return b; };
  const i64 = (n) => { const b = new Uint8Array(8); new DataView(b.buffer).setBigInt64(0, BigInt(n)); return b; };

  async function rootFromProof(index, size, leaf, proof) {
    let f = BigInt(index);
    let s = BigInt(size) - 1n;
    let r = leaf;
    for (const p of proof) {
      if (s === 0n) return null;
      if ((f & 1n) === 1n || f === s) {
        r = await sha256(concat([1], p, r));
        while ((f & 1n) === 0n && f !== 0n) { f >>= 1n; s >>= 1n; }
      } else {
        r = await sha256(concat([1], r, p));
      }
      f >>= 1n; s >>= 1n;
    }
    return s === 0n ? r : null;
  }

  async function check() {
    const d = el.dataset;
    const body = bytes(d.body);
    const proof = d.proof ? d.proof.split(',').map(bytes) : [];
    const root = bytes(d.root);
    const leaf = await sha256(concat([0], body));
    const computed = await rootFromProof(d.index, d.size, leaf, proof);
    if (!computed || !equal(computed, root)) return 'The proof does NOT lead to the signed root.';
    const message = concat(new TextEncoder().encode('staffbank-tree-head-v1\n'), u64(d.size), root, i64(d.timestamp));
    const key = await crypto.subtle.importKey('raw', bytes(d.publicKey), { name: 'Ed25519' }, false, ['verify']);
    const signed = await crypto.subtle.verify({ name: 'Ed25519' }, key, bytes(d.signature), message);
    if (!signed) return 'The tree head signature does NOT verify.';
    return 'Verified in your browser: the entry is in the signed tree of ' + d.size + ' entries.';
  }

  check()
    .then((text) => { el.textContent = text; el.hidden = false; })
    .catch((e) => { el.textContent = 'Your browser could not check the proof: ' + e.message; el.hidden = false; });
})();
