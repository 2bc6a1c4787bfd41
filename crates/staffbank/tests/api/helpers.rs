//! Spawning the real app and driving it over HTTP.

use std::sync::Arc;

use chrono::{Duration, DurationRound, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::Connection;
use staffbank_app::auth::token_hash;
use staffbank_app::App;
use staffbank_domain::role::{Grant, Role, Scope};
use staffbank_domain::text::{Email, Label};
use staffbank_domain::{OrgId, UserId};
use staffbank_ledger::keys::MasterKey;
use staffbank_store::{Session, Store, User};
use staffbank_store_postgres::PgStore;
use staffbank_store_sqlite::SqliteStore;
use staffbank_web::WebConfig;
use uuid::Uuid;

/// The app's clock: the real time plus an offset a test can move forward.
#[derive(Default)]
pub struct TestClock {
    offset_ms: std::sync::atomic::AtomicI64,
}

impl staffbank_app::Clock for TestClock {
    fn now(&self) -> chrono::DateTime<Utc> {
        Utc::now()
            + Duration::milliseconds(self.offset_ms.load(std::sync::atomic::Ordering::SeqCst))
    }
}

/// Which database the app runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running app.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub admin: String,
    pub admin_id: UserId,
    pub master: MasterKey,
    /// The database's URL and the master key (base64), for running the binary beside the app.
    pub database_url: String,
    pub master_text: String,
    pub clock: Arc<TestClock>,
    /// The app itself, for the background jobs a test runs by hand (offers).
    pub app: App,
    /// The folder the server writes the email it sends at once (account confirmations) to.
    pub mail: std::path::PathBuf,
}

/// A response: status, headers and JSON body (or `null`).
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts this is a problem document of `slug` with `status`.
    pub fn assert_problem(&self, status: u16, slug: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(
            self.headers
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/problem+json"),
            "body: {}",
            self.body
        );
        assert_eq!(
            self.body["type"],
            format!("/api/v1/problems/{slug}"),
            "body: {}",
            self.body
        );
        assert_eq!(self.body["status"], status);
    }
}

async fn fresh_postgres() -> (Arc<dyn Store>, String) {
    let admin = std::env::var("STAFFBANK_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://root@127.0.0.1:5432/test".into());
    let name = format!("staffbank_test_{}", Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL is reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let (server, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{server}/{name}");
    (Arc::new(PgStore::connect(&url).await.unwrap()), url)
}

async fn fresh_sqlite() -> (Arc<dyn Store>, String) {
    let path = std::env::temp_dir().join(format!("staffbank-api-{}.sqlite", Uuid::new_v4()));
    let url = format!("sqlite://{}", path.display());
    (Arc::new(SqliteStore::connect(&url).await.unwrap()), url)
}

/// The bearer token test servers serve `/metrics` behind.
pub const METRICS_TOKEN: &str = "metrics-token-for-the-tests";

/// Serves `app`'s API and UI on 127.0.0.1:0; the base URL.
async fn serve(app: App) -> String {
    serve_with(app, false).await
}

/// Serves `app` as `serve` does, with cookies marked Secure or not.
pub async fn serve_with(app: App, secure_cookies: bool) -> String {
    let router = staffbank_web::router(
        app,
        WebConfig {
            nhsuk_assets: None,
            secure_cookies,
            trusted_proxies: vec![],
            metrics: Some(staffbank_web::metrics::MetricsEndpoint {
                handle: staffbank_web::metrics::recorder().unwrap(),
                token: METRICS_TOKEN.into(),
            }),
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    base
}

/// How the mail folder's file names end for messages to `to` (characters other than letters,
/// digits, dots and `@` written as `_`).
fn mail_file_suffix(to: &str) -> String {
    let safe: String = to
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '@' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("-{safe}.eml")
}

impl TestApp {
    /// Another server over the same database, clock and master key, as a deployment's second
    /// process would be, with its caches cold; its base URL.
    pub async fn another_server(&self) -> String {
        let app = App::new(
            self.store.clone(),
            self.clock.clone(),
            MasterKey::from_base64(&self.master_text).unwrap(),
        );
        serve(app).await
    }

    /// Another server over the same database configured as behind HTTPS (Secure cookies); its
    /// base URL.
    pub async fn https_configured_server(&self) -> String {
        let app = App::new(
            self.store.clone(),
            self.clock.clone(),
            MasterKey::from_base64(&self.master_text).unwrap(),
        );
        serve_with(app, true).await
    }

    /// Starts the server on 127.0.0.1:0 over a fresh database, with a platform admin signed in.
    pub async fn spawn(backend: Backend) -> Self {
        let (store, database_url) = match backend {
            Backend::Sqlite => fresh_sqlite().await,
            Backend::Postgres => fresh_postgres().await,
        };
        Self::spawn_over(store, database_url).await
    }

    /// Starts the server on 127.0.0.1:0 over a store the test opened itself (on
    /// `database_url`), with a platform admin signed in.
    pub async fn spawn_over(store: Arc<dyn Store>, database_url: String) -> Self {
        let key = MasterKey::generate_base64(&mut rand::rngs::OsRng);
        let clock = Arc::new(TestClock::default());
        let app = App::new(
            store.clone(),
            clock.clone(),
            MasterKey::from_base64(&key).unwrap(),
        );
        tokio::spawn(app.clone().run_sequencer());
        let mail = std::env::temp_dir().join(format!("staffbank-api-mail-{}", Uuid::new_v4()));
        let server = app.clone().with_notifier(staffbank_app::notify::Notifier {
            mailer: staffbank_app::notify::Mailer::to_folder(
                mail.clone(),
                "Staffbank <bank@staffbank.test>",
            )
            .unwrap(),
            policy: staffbank_app::notify::RetryPolicy::default(),
        });
        let base = serve(server).await;
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(300)
            .build()
            .unwrap();
        let master = MasterKey::from_base64(&key).unwrap();
        let mut test = Self {
            base,
            http,
            store,
            admin: String::new(),
            admin_id: UserId(Uuid::nil()),
            master,
            database_url,
            master_text: key.clone(),
            clock,
            app,
            mail,
        };
        let (admin_id, admin) = test
            .user_and_session(
                "admin@platform.test",
                vec![Grant {
                    role: Role::PlatformAdmin,
                    scope: Scope::Platform,
                }],
            )
            .await;
        test.admin = admin;
        test.admin_id = admin_id;
        test
    }

    /// Records the standard checks for a band 5 nurse straight in the store, vouched for by the
    /// lead trust of `bank` and valid from a year ago for `valid_days` from now (`None`: no end).
    pub async fn give_credentials(
        &self,
        worker: staffbank_domain::WorkerId,
        bank: &str,
        valid_days: Option<i64>,
    ) {
        use staffbank_domain::credential::{default_requirements, CredentialStatus, DbsLevel};
        let bank = self
            .store
            .bank(staffbank_domain::BankId(Uuid::parse_str(bank).unwrap()))
            .await
            .unwrap()
            .unwrap();
        let now = Utc::now();
        for requirement in default_requirements(staffbank_domain::StaffGroup::NursingAndMidwifery) {
            let credential = staffbank_store::Credential {
                id: staffbank_domain::CredentialId(Uuid::now_v7()),
                worker_id: worker,
                kind: requirement.kind(),
                dbs_level: requirement.min_dbs().map(|_| DbsLevel::EnhancedBarred),
                issuer_org_id: bank.lead_org_id,
                valid_from: now - Duration::days(365),
                valid_until: valid_days.map(|d| now + Duration::days(d)),
                status: CredentialStatus::Active,
                revoked_at: None,
                recorded_by: self.admin_id,
                recorded_at: now,
            };
            self.store
                .record_credential(&credential, &[])
                .await
                .unwrap();
        }
    }

    /// The worker id of a signed-in worker.
    pub async fn worker_id(&self, token: &str) -> staffbank_domain::WorkerId {
        let me = self.get("/api/v1/me", token).await;
        staffbank_domain::WorkerId(
            Uuid::parse_str(me.body["worker"]["id"].as_str().unwrap()).unwrap(),
        )
    }

    /// Creates a user straight in the store with a session, returning its bearer token (fast:
    /// no password hashing). Used for actors whose sign-in is not under test.
    pub async fn user_with_session(&self, email: &str, grants: Vec<Grant>) -> String {
        self.user_and_session(email, grants).await.1
    }

    /// As [`TestApp::user_with_session`], also returning the user's id.
    pub async fn user_and_session(&self, email: &str, grants: Vec<Grant>) -> (UserId, String) {
        let user = User {
            id: UserId(Uuid::now_v7()),
            email: Email::parse(email).unwrap(),
            display_name: Label::parse("Test user", 100).unwrap(),
            password_hash: None,
            grants,
            created_at: Utc::now(),
        };
        self.store.create_user(&user, &[]).await.unwrap();
        (user.id, self.session_for(user.id).await)
    }

    /// A new session token for a user.
    pub async fn session_for(&self, user: UserId) -> String {
        let token = Uuid::new_v4().simple().to_string();
        let session = Session {
            token_hash: token_hash(&token),
            user_id: user,
            csrf_token: "csrf".into(),
            // long enough to outlive any clock a test moves forward
            expires_at: Utc::now() + Duration::days(400),
            absolute_expires_at: None,
        };
        self.store.create_session(&session).await.unwrap();
        token
    }

    /// Moves the app's clock forward.
    pub fn advance(&self, by: Duration) {
        self.clock
            .offset_ms
            .fetch_add(by.num_milliseconds(), std::sync::atomic::Ordering::SeqCst);
    }

    /// Sends a request; `body` of `None` sends none.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.call_with(method, path, token, body, &[]).await
    }

    /// Sends a request with extra headers.
    pub async fn call_with(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// The worker starts and submits the booking's timesheet as booked, and the ward manager
    /// approves it; the approval's reply (with its pay line).
    pub async fn work_and_approve(&self, booking: &str, worker: &str, manager: &str) -> Reply {
        let started = self
            .post(
                &format!("/api/v1/bookings/{booking}/timesheet"),
                worker,
                json!({}),
            )
            .await;
        let id = started.body["id"].as_str().unwrap().to_owned();
        self.post(
            &format!("/api/v1/timesheets/{id}/submit"),
            worker,
            json!({}),
        )
        .await;
        self.post(
            &format!("/api/v1/timesheets/{id}/decision"),
            manager,
            json!({"decision": "approve"}),
        )
        .await
    }

    /// Revokes, as `officer`, the credential of `kind` in a listing of credentials.
    pub async fn revoke_kind(&self, officer: &str, listed: &Value, kind: &str, reason: &str) {
        let id = listed
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {listed}"))["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let revoked = self
            .post(
                &format!("/api/v1/credentials/{id}/revoke"),
                officer,
                json!({"reason": reason}),
            )
            .await;
        assert_eq!(revoked.status, StatusCode::OK, "{}", revoked.body);
    }

    /// Every ledger entry so far with the given action, as a platform auditor reads it (a head
    /// is signed first, so everything appended is in the tree).
    pub async fn ledger_entries(&self, action: &str) -> Vec<Value> {
        let head = self
            .call(
                Method::POST,
                "/api/v1/ledger/heads",
                Some(&self.admin),
                None,
            )
            .await;
        assert_eq!(head.status, StatusCode::CREATED, "{}", head.body);
        let size = head.body["size"].as_u64().unwrap();
        let auditor = self
            .user_with_session(
                &format!("auditor-{}@platform.test", Uuid::new_v4()),
                vec![Grant {
                    role: Role::Auditor,
                    scope: Scope::Platform,
                }],
            )
            .await;
        let listed = self
            .get(
                &format!("/api/v1/ledger/entries?from=0&limit={size}"),
                &auditor,
            )
            .await;
        assert_eq!(listed.status, StatusCode::OK, "{}", listed.body);
        listed
            .body
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == action)
            .cloned()
            .collect()
    }

    /// Books a shift with an idempotency key.
    pub async fn book(&self, token: &str, shift: &str, key: &str) -> Reply {
        self.call_with(
            Method::POST,
            &format!("/api/v1/shifts/{shift}/bookings"),
            Some(token),
            None,
            &[("idempotency-key", key)],
        )
        .await
    }
}

/// A trust with a site, a ward, its own bank and a booker.
#[derive(Clone)]
pub struct Trust {
    pub id: String,
    pub ward: String,
    pub bank: String,
    pub booker: String,
}

impl TestApp {
    /// A signed-in member of staff holding `role` over a whole trust; their token.
    pub async fn staff(&self, email: &str, role: Role, trust: &Trust) -> String {
        let org = OrgId(Uuid::parse_str(&trust.id).unwrap());
        self.user_with_session(
            email,
            vec![Grant {
                role,
                scope: Scope::Organisation(org),
            }],
        )
        .await
    }

    /// Registers a trust with one site, ward, own bank and booker.
    pub async fn trust(&self, ods: &str) -> Trust {
        let org = self
            .post(
                "/api/v1/organisations",
                &self.admin,
                json!({"ods_code": ods, "name": format!("Trust {ods}"), "kind": "trust"}),
            )
            .await;
        assert_eq!(org.status, StatusCode::CREATED, "{}", org.body);
        let id = org.body["id"].as_str().unwrap().to_owned();
        let site = self
            .post(
                &format!("/api/v1/organisations/{id}/sites"),
                &self.admin,
                json!({"name": "General", "lat": 53.8, "lon": -2.7}),
            )
            .await;
        let site_id = site.body["id"].as_str().unwrap().to_owned();
        let ward = self
            .post(
                &format!("/api/v1/sites/{site_id}/wards"),
                &self.admin,
                json!({"name": "Ward 1"}),
            )
            .await;
        assert_eq!(ward.status, StatusCode::CREATED, "{}", ward.body);
        let bank = self
            .post(
                "/api/v1/banks",
                &self.admin,
                json!({"name": format!("{ods} bank"), "kind": "own", "lead_org_id": id}),
            )
            .await;
        assert_eq!(bank.status, StatusCode::CREATED, "{}", bank.body);
        let org_uuid = Uuid::parse_str(&id).unwrap();
        let booker = self
            .user_with_session(
                &format!("booker@{}.test", ods.to_lowercase()),
                vec![Grant {
                    role: Role::Booker,
                    scope: Scope::Organisation(staffbank_domain::OrgId(org_uuid)),
                }],
            )
            .await;
        Trust {
            id,
            ward: ward.body["id"].as_str().unwrap().to_owned(),
            bank: bank.body["id"].as_str().unwrap().to_owned(),
            booker,
        }
    }

    /// The text of the email sent to `to` whose subject starts with `subject`, once the server
    /// has written it (it sends in the background), with quoted-printable soft breaks undone.
    pub async fn email(&self, to: &str, subject: &str) -> String {
        let to = to.to_lowercase();
        let wanted = format!("Subject: {subject}");
        for _ in 0..200 {
            // Named by time-ordered ids: the latest such email is the last.
            let mut paths: Vec<_> = std::fs::read_dir(&self.mail)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.to_string_lossy().ends_with(&mail_file_suffix(&to)))
                .collect();
            paths.sort();
            let found = paths
                .iter()
                .rev()
                .filter_map(|p| std::fs::read_to_string(p).ok())
                .find(|text| text.contains(&wanted) && text.contains("\r\n\r\n"));
            if let Some(text) = found {
                return text
                    .replace("=\r\n", "")
                    .replace("=\n", "")
                    .replace("=3D", "=");
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("no email to {to} about {subject:?}");
    }

    /// How many emails the server has sent to `to`.
    pub fn emails_to(&self, to: &str) -> usize {
        let to = to.to_lowercase();
        std::fs::read_dir(&self.mail)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .ends_with(&mail_file_suffix(&to))
            })
            .count()
    }

    /// The token of the confirmation link emailed to `to` on registering.
    pub async fn confirmation_token(&self, to: &str) -> String {
        let text = self
            .email(to, "Confirm your email address for Staffbank")
            .await;
        let at = text
            .find("/confirm-email?token=")
            .expect("a confirmation link")
            + 21;
        text[at..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    /// Confirms the account registered for `email` with the link emailed to it.
    pub async fn confirm_email(&self, email: &str) {
        let token = self.confirmation_token(email).await;
        let confirmed = self
            .call(
                Method::POST,
                "/api/v1/account-confirmations",
                None,
                Some(json!({ "token": token })),
            )
            .await;
        assert_eq!(
            confirmed.status,
            StatusCode::NO_CONTENT,
            "{}",
            confirmed.body
        );
    }

    /// A band 5 nurse registered through the API, confirmed with the emailed link and signed in,
    /// member of `banks`.
    pub async fn worker(&self, email: &str, banks: &[&str]) -> String {
        let reply = self
            .call(
                Method::POST,
                "/api/v1/workers",
                None,
                Some(json!({"email": email, "password": "correct horse battery", "display_name": "Nurse Test",
                    "staff_group": "nursing_and_midwifery", "grade": "band_5"})),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        self.confirm_email(email).await;
        let user = UserId(Uuid::parse_str(reply.body["id"].as_str().unwrap()).unwrap());
        let token = self.session_for(user).await;
        for bank in banks {
            let joined = self
                .post("/api/v1/me/banks", &token, json!({"bank_id": bank}))
                .await;
            assert_eq!(joined.status, StatusCode::OK, "{}", joined.body);
        }
        if let Some(bank) = banks.first() {
            let id = self.worker_id(&token).await;
            self.give_credentials(id, bank, None).await;
        }
        token
    }

    /// Posts one band 5-6 nursing shift `hours_ahead` from now, `length` hours long.
    pub async fn shift(
        &self,
        trust: &Trust,
        bank: &str,
        hours_ahead: i64,
        length: i64,
        places: i64,
    ) -> String {
        let start = (Utc::now() + Duration::hours(hours_ahead)).to_rfc3339();
        let end = (Utc::now() + Duration::hours(hours_ahead + length)).to_rfc3339();
        let reply = self
            .post(
                "/api/v1/shifts",
                &trust.booker,
                json!({"shifts": [{"ward_id": trust.ward, "bank_id": bank, "role": "Staff nurse",
                    "staff_group": "nursing_and_midwifery", "grade_min": "band_5", "grade_max": "band_6",
                    "starts_at": start, "ends_at": end, "places": places}]}),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body[0]["id"].as_str().unwrap().to_owned()
    }
}

impl TestApp {
    /// Runs one SQL statement straight on the database, as someone with database access
    /// (not the app) would: for tests of what the app does with records it did not write.
    pub async fn sql(&self, statement: &str) {
        use sqlx::Connection;
        if self.database_url.starts_with("postgres") {
            let mut db = sqlx::PgConnection::connect(&self.database_url)
                .await
                .unwrap();
            sqlx::query(statement).execute(&mut db).await.unwrap();
        } else {
            let mut db = sqlx::SqliteConnection::connect(&self.database_url)
                .await
                .unwrap();
            sqlx::query(statement).execute(&mut db).await.unwrap();
        }
    }

    /// Sets a trust's release policy through the API, from the defaults with `changes` applied.
    pub async fn set_policy(&self, trust: &Trust, changes: Value) {
        let mut policy = json!({"horizon_days": 28, "collaborative_after_hours": 24,
            "collaborative_lead_hours": 72, "priority_window_minutes": 0,
            "cancellation_notice_hours": 48});
        for (key, value) in changes.as_object().unwrap() {
            policy[key] = value.clone();
        }
        let reply = self
            .call(
                Method::PUT,
                &format!("/api/v1/organisations/{}/release-policy", trust.id),
                Some(&trust.booker),
                Some(policy),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
}

/// A worker registered straight in the store (no password hashing), with a session.
pub async fn quick_worker(app: &TestApp, bank: &str, n: usize) -> String {
    use staffbank_domain::worker::Skill;
    use staffbank_domain::{BankId, Grade, StaffGroup, WorkerId};
    let user = User {
        id: UserId(Uuid::now_v7()),
        email: Email::parse(&format!("w{n}-{}@workers.test", Uuid::new_v4().simple())).unwrap(),
        display_name: Label::parse(&format!("Worker {n}"), 100).unwrap(),
        password_hash: None,
        grants: vec![],
        created_at: Utc::now(),
    };
    let worker = staffbank_store::Worker {
        id: WorkerId(Uuid::now_v7()),
        user_id: user.id,
        display_name: user.display_name.clone(),
        staff_group: StaffGroup::NursingAndMidwifery,
        grade: Grade::parse("band_5").unwrap(),
        pay_point: 1,
        skills: Skill::parse_list::<&str>(&[]).unwrap(),
        home: None,
        banks: vec![],
        weekly_limit_opt_out: false,
        tiered: vec![],
        max_travel_km: None,
        shift_times: staffbank_domain::ranking::ShiftTimes::Any,
    };
    app.store
        .register_worker(&user, &worker, &[])
        .await
        .unwrap();
    app.store
        .join_bank(
            worker.id,
            BankId(Uuid::parse_str(bank).unwrap()),
            Utc::now(),
            &[],
        )
        .await
        .unwrap();
    app.give_credentials(worker.id, bank, None).await;
    app.session_for(user.id).await
}

/// Posts shifts at `trust` starting at the given offsets (hours from `base`), `length` hours each.
pub async fn post_at(
    app: &TestApp,
    trust: &Trust,
    base: chrono::DateTime<Utc>,
    offsets: &[i64],
    length: i64,
) -> Vec<String> {
    let shifts: Vec<_> = offsets
        .iter()
        .map(|h| {
            let start = base + Duration::hours(*h);
            json!({"ward_id": trust.ward, "bank_id": trust.bank, "role": "Staff nurse",
                "staff_group": "nursing_and_midwifery", "grade_min": "band_5", "grade_max": "band_6",
                "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(length)).to_rfc3339()})
        })
        .collect();
    let reply = app
        .post("/api/v1/shifts", &trust.booker, json!({"shifts": shifts}))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Midnight UTC `days` from now: shifts whose time of day matters start from it.
pub fn midnight_in_days(days: i64) -> chrono::DateTime<Utc> {
    (Utc::now() + Duration::days(days))
        .duration_trunc(Duration::days(1))
        .unwrap()
}
