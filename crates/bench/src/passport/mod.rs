//! `staffbank-bench passport`: the cost of the passport's cryptography and rules on one core, in
//! process: issuing an SD-JWT VC, and verifying a presentation with every check on (issuer trust
//! and signature, disclosures, key binding, nonce, audience, freshness, and the status list,
//! whose token is read and its signature checked on every verification). This is the floor under
//! the figures through the API. With `--database-url`, the same through the HTTP API of a real
//! server ([`api`]).

mod api;

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::Instant;

use p256::ecdsa::SigningKey;
use serde_json::json;
use staffbank_domain::credential::CredentialKind;
use staffbank_domain::credential_claims::vct;
use staffbank_passport::jws::Jwk;
use staffbank_passport::key_binding::{bind, Binding};
use staffbank_passport::status_list::{StatusList, StatusListToken};
use staffbank_passport::vc::{self, Issuance, StatusRef};
use staffbank_passport::verify::{verify, Expectations, Sources, TrustedIssuer};

use crate::ledger::percentile;
use crate::matching::ServerBinary;

/// Options of `staffbank-bench passport`.
#[derive(clap::Args)]
pub struct PassportBenchArgs {
    /// Credentials issued, and presentations verified.
    #[arg(long, default_value_t = 2000)]
    pub count: usize,
    /// An empty PostgreSQL database: also measure issuance and verification through the API.
    #[arg(long)]
    pub database_url: Option<String>,
    /// The server to start for the figures through the API.
    #[command(flatten)]
    pub server: ServerBinary,
}

const ISS: &str = "https://staffbank.bench/issuers/rxl";
const LIST: &str = "https://staffbank.bench/issuers/rxl/status/1";
const AUD: &str = "https://staffbank.bench/verifiers/rxn";
/// Entries in the bench's status list: 2 bits each, 32 KiB, as a trust's list would be.
const LIST_SIZE: usize = 131_072;

struct BenchSources {
    issuer: TrustedIssuer,
    list: String,
    used: RefCell<HashSet<String>>,
}

impl Sources for BenchSources {
    fn issuer(&self, iss: &str) -> Option<TrustedIssuer> {
        (iss == self.issuer.iss).then(|| self.issuer.clone())
    }
    fn status_list(&self, uri: &str) -> Option<String> {
        (uri == LIST).then(|| self.list.clone())
    }
    fn use_nonce(&self, nonce: &str) -> bool {
        self.used.borrow_mut().insert(nonce.to_owned())
    }
}

/// Runs the benchmark and prints its figures.
pub async fn run(args: &PassportBenchArgs) -> anyhow::Result<()> {
    if args.database_url.is_some() {
        args.server.resolve()?;
    }
    in_process(args)?;
    if let Some(url) = &args.database_url {
        api::run(url, args.count, &args.server).await?;
    }
    Ok(())
}

fn in_process(args: &PassportBenchArgs) -> anyhow::Result<()> {
    let rng = &mut rand::rngs::OsRng;
    let issuer_key = SigningKey::random(rng);
    let holder_key = SigningKey::random(rng);
    let holder = Jwk::from_key(holder_key.verifying_key(), None);
    let vct = vct(CredentialKind::DbsCheck);
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"level": "enhanced_barred", "workforce": "adult",
        "certificate_date": "2025-03-01", "update_service": true});
    let claims = claims.as_object().cloned().unwrap_or_default();
    let mut issued = Vec::with_capacity(args.count);
    let mut timings = Vec::with_capacity(args.count);
    let started = Instant::now();
    for i in 0..args.count {
        let t = Instant::now();
        let status = StatusRef {
            uri: LIST.into(),
            idx: (i * 7919 % LIST_SIZE) as u64,
        };
        issued.push(vc::issue(
            &Issuance {
                iss: ISS,
                kid: "k1",
                vct: &vct,
                iat: now,
                exp: Some(now + 86_400 * 365),
                holder: Some(&holder),
                status: &status,
                claims: claims.clone(),
                disclosable: &["level", "workforce", "certificate_date", "update_service"],
            },
            &issuer_key,
            rng,
        ));
        timings.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    report("issuance", args.count, started, &mut timings);

    let presentations: Vec<(String, String)> = issued
        .iter()
        .enumerate()
        .map(|(i, sd)| {
            let nonce = format!("nonce-{i}");
            let binding = Binding {
                aud: AUD.into(),
                nonce: nonce.clone(),
                iat: now,
            };
            (
                bind(
                    sd.disclosing(&["level", "workforce"]),
                    &binding,
                    &holder_key,
                )
                .compact(),
                nonce,
            )
        })
        .collect();
    let list = StatusListToken {
        sub: LIST.into(),
        iat: now,
        exp: Some(now + 3600),
        ttl: Some(300),
        list: StatusList::new(2, LIST_SIZE)?,
    };
    let sources = BenchSources {
        issuer: TrustedIssuer {
            iss: ISS.into(),
            keys: vec![Jwk::from_key(issuer_key.verifying_key(), Some("k1".into()))],
            vcts: vec![vct.clone()],
        },
        list: list.sign(&issuer_key, Some("k1")),
        used: RefCell::new(HashSet::new()),
    };
    let mut timings = Vec::with_capacity(args.count);
    let started = Instant::now();
    for (presentation, nonce) in &presentations {
        let t = Instant::now();
        let expect = Expectations {
            now,
            audience: AUD,
            nonce,
            iat_window: 300,
            leeway: 30,
            require_key_binding: true,
        };
        let report = verify(presentation, &expect, &sources);
        anyhow::ensure!(report.is_valid(), "a good presentation failed: {report:?}");
        timings.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    report(
        "verification (every check)",
        args.count,
        started,
        &mut timings,
    );
    Ok(())
}

fn report(what: &str, count: usize, started: Instant, timings: &mut [f64]) {
    println!(
        "{what}, one core, in process: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms ({count} done)",
        count as f64 / started.elapsed().as_secs_f64(),
        percentile(&mut timings.to_vec(), 50.0),
        percentile(timings, 99.0),
    );
}
