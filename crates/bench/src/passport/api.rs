//! The passport's figures through the HTTP API of a real server on PostgreSQL: credentials issued
//! (a worker accepting an offer with a proof of possession, which is when the SD-JWT VC is signed)
//! and presentations verified with every check on, the status list cached as the server caches it.

use std::time::Instant;

use chrono::Utc;
use futures::StreamExt;
use p256::ecdsa::SigningKey;
use serde_json::{json, Map, Value};
use staffbank_app::{App, SystemClock};
use staffbank_domain::credential::CredentialKind;
use staffbank_domain::credential_claims::vct;
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::text::Email;
use staffbank_domain::{OrgId, UserId};
use staffbank_ledger::keys::MasterKey;
use staffbank_passport::jws::{self, Jwk};
use staffbank_passport::key_binding::{bind, Binding};
use staffbank_passport::sd_jwt::SdJwt;
use staffbank_store::User;
use uuid::Uuid;

use crate::ledger::{percentile, text};
use crate::matching::burst::{fixture, BurstSize};
use crate::matching::{master, sign_in, Server, ServerBinary};
use crate::open_store;

/// Requests in flight at once.
const CONCURRENCY: usize = 16;

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let reply = request.send().await?;
        let status = reply.status();
        let body: Value = reply.json().await.unwrap_or(Value::Null);
        anyhow::ensure!(status.is_success(), "{path}: {status} {body}");
        Ok(body)
    }
}

async fn user_with(app: &App, email: &str, grants: Vec<Grant>) -> anyhow::Result<String> {
    let user = User {
        id: UserId(Uuid::now_v7()),
        email: Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?,
        display_name: text("Bench officer")?,
        password_hash: None,
        grants,
        created_at: Utc::now(),
    };
    app.store().create_user(&user, &[]).await?;
    sign_in(app, user.id).await
}

fn proof(key: &SigningKey, aud: &str, nonce: &str) -> anyhow::Result<String> {
    let mut header = jws::header("openid4vci-proof+jwt", None);
    header.insert(
        "jwk".into(),
        serde_json::to_value(Jwk::from_key(key.verifying_key(), None))?,
    );
    let claims: Map<String, Value> =
        json!({"aud": aud, "nonce": nonce, "iat": Utc::now().timestamp()})
            .as_object()
            .cloned()
            .unwrap_or_default();
    Ok(jws::sign(header, &claims, key))
}

/// Runs the timed requests `range`, `in_flight` at a time; rate per second, p50 and p99 ms.
async fn timed<F, Fut>(
    range: std::ops::Range<usize>,
    in_flight: usize,
    each: F,
) -> anyhow::Result<(f64, f64, f64)>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let count = range.len();
    let started = Instant::now();
    let mut samples: Vec<f64> = futures::stream::iter(range)
        .map(|i| {
            let run = each(i);
            async move {
                let t = Instant::now();
                run.await.map(|()| t.elapsed().as_secs_f64() * 1000.0)
            }
        })
        .buffer_unordered(in_flight)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<anyhow::Result<_>>()?;
    let rate = count as f64 / started.elapsed().as_secs_f64();
    Ok((
        rate,
        percentile(&mut samples.clone(), 50.0),
        percentile(&mut samples, 99.0),
    ))
}

/// Issues and verifies `count` credentials through the API on the PostgreSQL at `url`.
pub async fn run(url: &str, count: usize, server: &ServerBinary) -> anyhow::Result<()> {
    let store = open_store(url).await?;
    let master_key = MasterKey::generate_base64(&mut rand::rngs::OsRng);
    let app = App::new(
        store.clone(),
        std::sync::Arc::new(SystemClock),
        master(&master_key)?,
    );
    let size = BurstSize {
        workers: count,
        shifts: 1,
        concurrency: CONCURRENCY,
    };
    let fx = fixture(&app, size, "PPT").await?;
    let (first_worker, _) = fx
        .workers
        .first()
        .ok_or_else(|| anyhow::anyhow!("no workers"))?;
    let worker = store
        .worker(*first_worker)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no worker"))?;
    let bank = store
        .bank(worker.banks[0])
        .await?
        .ok_or_else(|| anyhow::anyhow!("no bank"))?;
    let org: OrgId = bank.lead_org_id;
    let tag = Uuid::new_v4().simple().to_string();
    let officer = user_with(
        &app,
        &format!("officer-{tag}@passport.bench"),
        vec![Grant {
            role: Role::ComplianceOfficer,
            scope: Scope::Organisation(org),
        }],
    )
    .await?;
    let admin = user_with(
        &app,
        &format!("admin-{tag}@passport.bench"),
        vec![Grant {
            role: Role::PlatformAdmin,
            scope: Scope::Platform,
        }],
    )
    .await?;
    let server = Server::start(server, url, None, &master_key).await?;
    let client = Client {
        http: reqwest::Client::new(),
        base: server.base.clone(),
    };
    use reqwest::Method;
    client
        .call(
            Method::POST,
            &format!("/api/v1/organisations/{}/issuer-keys", org.0),
            &officer,
            Some(json!({})),
        )
        .await?;
    let dbs = vct(CredentialKind::DbsCheck);
    client
        .call(
            Method::PUT,
            "/api/v1/trust-framework",
            &admin,
            Some(json!({"org_id": org.0, "vct": dbs, "trusted": true})),
        )
        .await?;

    // Offers, then each worker's nonce: set-up, not timed.
    let claims = json!({"type": "dbs_check", "level": "enhanced_barred", "workforce": "adult",
        "certificate_date": "2025-03-01", "update_service": true});
    let mut offers = Vec::with_capacity(count);
    for (worker, token) in &fx.workers {
        let offer = client
            .call(
                Method::POST,
                &format!("/api/v1/workers/{}/passport-offers", worker.0),
                &officer,
                Some(json!({"claims": claims})),
            )
            .await?;
        let mine = client
            .call(Method::GET, "/api/v1/me/passport", token, None)
            .await?;
        offers.push((
            offer["id"].as_str().unwrap_or_default().to_owned(),
            offer["issuer"].as_str().unwrap_or_default().to_owned(),
            mine[0]["nonce"].as_str().unwrap_or_default().to_owned(),
            token.clone(),
            SigningKey::random(&mut rand::rngs::OsRng),
        ));
    }
    let held = tokio::sync::Mutex::new(vec![None; count]);
    let (rate, p50, p99) = timed(0..count, CONCURRENCY, |i| {
        let (id, issuer, nonce, token, key) = &offers[i];
        let (client, held) = (&client, &held);
        async move {
            let proof = proof(key, issuer, nonce)?;
            let accepted = client
                .call(
                    Method::POST,
                    &format!("/api/v1/me/passport/{id}/accept"),
                    token,
                    Some(json!({"proof": proof})),
                )
                .await?;
            let sd = SdJwt::parse(accepted["sd_jwt"].as_str().unwrap_or_default())?;
            held.lock().await[i] = Some(sd);
            Ok(())
        }
    })
    .await?;
    println!("credential issuance through the API ({CONCURRENCY} in flight): {rate:.0}/s, p50 {p50:.1} ms, p99 {p99:.1} ms ({count} issued)");
    let held = held.into_inner();

    // Requests, and each worker's presentation bound to its nonce: set-up, not timed.
    let mut presentations = Vec::with_capacity(count);
    for (i, (worker, token)) in fx.workers.iter().enumerate() {
        let request = client
            .call(
                Method::POST,
                &format!("/api/v1/workers/{}/presentation-requests", worker.0),
                &officer,
                Some(json!({"vct": dbs, "claims": ["level"], "purpose": "Bench"})),
            )
            .await?;
        let id = request["id"].as_str().unwrap_or_default().to_owned();
        let mine = client
            .call(Method::GET, "/api/v1/me/presentation-requests", token, None)
            .await?;
        let nonce = mine[0]["nonce"].as_str().unwrap_or_default().to_owned();
        let audience = mine[0]["audience"].as_str().unwrap_or_default().to_owned();
        let sd = held[i]
            .clone()
            .ok_or_else(|| anyhow::anyhow!("credential {i} not held"))?;
        let key = &offers[i].4;
        let presentation = bind(
            sd.disclosing(&["level"]),
            &Binding {
                aud: audience,
                nonce,
                iat: Utc::now().timestamp(),
            },
            key,
        )
        .compact();
        presentations.push((id, token.clone(), presentation));
    }
    // A third one at a time (latency); a third each at 8 and at CONCURRENCY in flight
    // (throughput, and its latency under load). Each presentation can be verified once only.
    let present = |i: usize| {
        let (id, token, presentation) = &presentations[i];
        let client = &client;
        async move {
            let done = client
                .call(
                    Method::POST,
                    &format!("/api/v1/me/presentation-requests/{id}/present"),
                    token,
                    Some(json!({"presentation": presentation})),
                )
                .await?;
            anyhow::ensure!(done["state"] == "verified", "not verified: {done}");
            Ok(())
        }
    };
    let third = count / 3;
    let (_, p50, p99) = timed(0..third, 1, present).await?;
    println!("presentation verification through the API, every check on, one at a time: p50 {p50:.1} ms, p99 {p99:.1} ms ({third} verified)");
    for (in_flight, range) in [(8, third..2 * third), (CONCURRENCY, 2 * third..count)] {
        let verified = range.len();
        let (rate, p50, p99) = timed(range, in_flight, present).await?;
        println!("presentation verification through the API, every check on ({in_flight} in flight): {rate:.0}/s, p50 {p50:.1} ms, p99 {p99:.1} ms ({verified} verified)");
    }
    let keys: Vec<SigningKey> = offers.into_iter().map(|o| o.4).collect();
    sign_on(&app, &client, &fx, &keys, &tag).await?;
    drop(server);
    Ok(())
}

/// Sign-on at the ward: every worker booked on a shift starting in half an hour; the ward's
/// challenges made (set-up, not timed); then each worker's wallet proof verified through the
/// API, a half one at a time and a half 8 in flight.
async fn sign_on(
    app: &App,
    client: &Client,
    fx: &crate::matching::burst::BurstFixture,
    keys: &[SigningKey],
    tag: &str,
) -> anyhow::Result<()> {
    use reqwest::Method;
    let count = fx.workers.len();
    let template = fx
        .shifts
        .first()
        .ok_or_else(|| anyhow::anyhow!("no shift"))?;
    let start = Utc::now() + chrono::Duration::minutes(30);
    let per_shift = usize::from(staffbank_domain::Places::MAX);
    let mut shifts = Vec::new();
    for _ in 0..count.div_ceil(per_shift) {
        shifts.push(staffbank_store::Shift {
            id: staffbank_domain::ShiftId(Uuid::now_v7()),
            window: staffbank_domain::ShiftWindow::new(start, start + chrono::Duration::hours(8))
                .map_err(|e| anyhow::anyhow!("{e}"))?,
            places: staffbank_domain::Places::new(i64::from(staffbank_domain::Places::MAX))
                .ok_or_else(|| anyhow::anyhow!("places"))?,
            ..template.clone()
        });
    }
    app.store().post_shifts(&shifts, &[]).await?;
    let shift = &shifts[0];
    let manager = user_with(
        app,
        &format!("ward-{tag}@passport.bench"),
        vec![Grant {
            role: Role::WardManager,
            scope: Scope::Organisation(shift.org_id),
        }],
    )
    .await?;
    let mut challenges = Vec::with_capacity(count);
    for (i, (_, token)) in fx.workers.iter().enumerate() {
        let who = app
            .authenticate(token)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let booked = app
            .book(&who, shifts[i / per_shift].id, &format!("sign-on-{i}"))
            .await
            .map_err(|e| anyhow::anyhow!("booking {i}: {e}"))?;
        let challenge = client
            .call(
                Method::POST,
                &format!("/api/v1/bookings/{}/sign-on-challenges", booked.booking.id),
                &manager,
                None,
            )
            .await?;
        let text = |name: &str| challenge[name].as_str().unwrap_or_default().to_owned();
        challenges.push((text("id"), text("audience"), text("nonce"), token.clone()));
    }
    let answer = |i: usize| {
        let (id, aud, nonce, token) = &challenges[i];
        let key = &keys[i];
        async move {
            let mut header = jws::header(staffbank_app::sign_on::PROOF_TYPE, None);
            header.insert(
                "jwk".into(),
                serde_json::to_value(Jwk::from_key(key.verifying_key(), None))?,
            );
            let claims: Map<String, Value> =
                json!({"aud": aud, "nonce": nonce, "iat": Utc::now().timestamp()})
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
            let proof = jws::sign(header, &claims, key);
            let signed = client
                .call(
                    Method::POST,
                    &format!("/api/v1/sign-on-challenges/{id}/proof"),
                    token,
                    Some(json!({"proof": proof})),
                )
                .await?;
            anyhow::ensure!(signed["method"] == "wallet", "not signed on: {signed}");
            Ok(())
        }
    };
    let half = count / 2;
    let (_, p50, p99) = timed(0..half, 1, answer).await?;
    println!("sign-on verification through the API, one at a time: p50 {p50:.1} ms, p99 {p99:.1} ms ({half} signed on)");
    let (rate, p50, p99) = timed(half..count, 8, answer).await?;
    println!("sign-on verification through the API (8 in flight): {rate:.0}/s, p50 {p50:.1} ms, p99 {p99:.1} ms ({} signed on; target p99 under 50 ms)", count - half);
    Ok(())
}
