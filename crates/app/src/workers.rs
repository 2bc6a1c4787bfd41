//! Bank workers: registering once, joining banks, and seeing their own profile.

use serde::Deserialize;
use serde_json::json;
use staffbank_domain::text::Email;
use staffbank_domain::worker::{GeoPoint, Skill};
use staffbank_domain::*;
use staffbank_store::{User, Worker};
use uuid::Uuid;

use crate::audit::Change;

use crate::admin::name;
use crate::auth::{check_password, hash_password};
use crate::error::Fields;
use crate::views::UserView;
use crate::{App, AppError, Principal};

/// A worker registering themselves.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterWorker {
    /// Sign-in email.
    pub email: String,
    /// Password (at least 10 characters).
    pub password: String,
    /// Name shown to bookers.
    pub display_name: String,
    /// Staff group, e.g. `nursing_and_midwifery`.
    pub staff_group: String,
    /// Grade, e.g. `band_5` or `fy2`.
    pub grade: String,
    /// Pay point within the band (1 = entry).
    #[serde(default = "first_point")]
    pub pay_point: u8,
    /// Skills and competencies, e.g. `iv_therapy`.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Home latitude, for travel distance.
    pub home_lat: Option<f64>,
    /// Home longitude.
    pub home_lon: Option<f64>,
}

fn first_point() -> u8 {
    1
}

/// Join a bank.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinBank {
    /// The bank.
    pub bank_id: Uuid,
}

/// A worker's choice about the 48-hour average weekly limit.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingTimeChoice {
    /// True to opt out of the 48-hour average (Working Time Regulations reg. 5); false to opt back
    /// in. Rest rules and the night-work limit apply either way.
    pub weekly_limit_opt_out: bool,
}

impl App {
    /// Records the signed-in worker's opt-out (or opt-in) of the weekly average limit.
    #[tracing::instrument(skip_all)]
    pub async fn set_working_time_choice(
        &self,
        who: &Principal,
        input: WorkingTimeChoice,
    ) -> Result<UserView, AppError> {
        let worker = who.require_worker()?;
        let record = self
            .audit_record(Change {
                action: "worker.weekly_limit_opt_out",
                actor: Some(who.user.id),
                tenant: None,
                subject: Some(who.user.id),
                facts: json!({"worker": worker.id, "before": worker.weekly_limit_opt_out,
                    "after": input.weekly_limit_opt_out}),
                personal: None,
            })
            .await?;
        self.store
            .set_weekly_limit_opt_out(worker.id, input.weekly_limit_opt_out, &[record])
            .await?;
        let worker = self
            .store
            .worker(worker.id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(UserView::new(&who.user, Some(&worker)))
    }

    /// Registers a worker account and profile, unconfirmed until the link emailed to it is used
    /// (see [`crate::confirmation`]). Open to anyone: joining a bank is the gate. An email that
    /// already has an account gets the same answer and changes nothing; that address is told
    /// someone tried to register with it.
    #[tracing::instrument(skip_all)]
    pub async fn register_worker(&self, input: RegisterWorker) -> Result<UserView, AppError> {
        let mut fields = Fields::default();
        let email = fields.take("email", Email::parse(&input.email));
        fields.take(
            "password",
            check_password(&input.password, &[&input.email, &input.display_name]),
        );
        let display_name = name(&mut fields, "display_name", &input.display_name);
        let group = fields.take(
            "staff_group",
            StaffGroup::parse(&input.staff_group).ok_or("unknown staff group"),
        );
        let grade = fields.take("grade", Grade::parse(&input.grade).ok_or("unknown grade"));
        if let (Some(group), Some(grade)) = (group, grade) {
            if !grade.fits_group(group) {
                fields.push("grade", "does not fit the staff group");
            }
        }
        if !(1..=20).contains(&input.pay_point) {
            fields.push("pay_point", "must be between 1 and 20");
        }
        let skills = fields.take("skills", Skill::parse_list(&input.skills));
        let home = match (input.home_lat, input.home_lon) {
            (Some(lat), Some(lon)) => fields.take("home_lat", GeoPoint::new(lat, lon)),
            (None, None) => None,
            _ => {
                fields.push("home_lon", "give both latitude and longitude, or neither");
                None
            }
        };
        fields.finish()?;
        let (Some(email), Some(display_name), Some(staff_group), Some(grade), Some(skills)) =
            (email, display_name, group, grade, skills)
        else {
            return Err(AppError::field("body", "invalid"));
        };
        // An unconfirmed account whose link lapsed is taken over (see the store): the audit
        // entry names its ids, while the answer names new ones, as for any address in use.
        let prior = self.store.user_by_email(email.as_str()).await?;
        let prior_worker = match &prior {
            Some(u) => self.store.worker_for_user(u.id).await?.map(|w| w.id),
            None => None,
        };
        let fresh = (UserId(Uuid::now_v7()), WorkerId(Uuid::now_v7()));
        let user = User {
            id: prior.as_ref().map_or(fresh.0, |u| u.id),
            email,
            display_name: display_name.clone(),
            password_hash: Some(hash_password(&input.password).await?),
            grants: vec![],
            created_at: self.now(),
        };
        let worker = Worker {
            id: prior_worker.unwrap_or(fresh.1),
            user_id: user.id,
            display_name,
            staff_group,
            grade,
            pay_point: input.pay_point,
            skills,
            home,
            banks: vec![],
            weekly_limit_opt_out: false,
            tiered: vec![],
            max_travel_km: None,
            shift_times: staffbank_domain::ranking::ShiftTimes::Any,
        };
        let record = self
            .audit_record(Change {
                action: "worker.registered",
                actor: Some(user.id),
                tenant: None,
                subject: Some(user.id),
                facts: json!({"user": user.id, "worker": worker.id, "staff_group": worker.staff_group,
                    "grade": worker.grade, "pay_point": worker.pay_point}),
                personal: Some(json!({"email": user.email.as_str(), "name": worker.display_name.as_str()})),
            })
            .await?;
        let token = crate::auth::new_secret();
        let now = self.now();
        let confirmation = staffbank_store::AccountConfirmation {
            token_hash: crate::auth::token_hash(&token),
            expires_at: now + crate::confirmation::LINK_LIFETIME,
        };
        let registered = self
            .store
            .register_unconfirmed_worker(&user, &worker, &confirmation, now, &[record])
            .await;
        let message = match registered {
            Ok(_) => crate::confirmation::confirmation_message(&self.public_url, &token),
            // Answered exactly as a new account is (the password was hashed either way, and an
            // email goes to the address either way), so registration cannot be used to learn
            // who has an account; nothing is written.
            Err(staffbank_store::StoreError::Conflict(staffbank_store::Conflict::EmailTaken)) => {
                tracing::info!("a registration named an email that already has an account");
                crate::confirmation::attempt_message(&self.public_url)
            }
            Err(e) => return Err(e.into()),
        };
        self.send_email_now(&user.email, message);
        let shown_user = User {
            id: fresh.0,
            ..user
        };
        let shown_worker = Worker {
            id: fresh.1,
            user_id: fresh.0,
            ..worker
        };
        Ok(UserView::new(&shown_user, Some(&shown_worker)))
    }

    /// The signed-in user, with their worker profile.
    pub async fn me(&self, who: &Principal) -> Result<UserView, AppError> {
        Ok(UserView::new(&who.user, who.worker.as_ref()))
    }

    /// Joins a bank. Joining twice changes nothing.
    #[tracing::instrument(skip_all, fields(bank = %input.bank_id))]
    pub async fn join_bank(&self, who: &Principal, input: JoinBank) -> Result<UserView, AppError> {
        let worker = who.require_worker()?;
        let bank = BankId(input.bank_id);
        let Some(found) = self.store.bank(bank).await? else {
            return Err(AppError::field("bank_id", "no such bank"));
        };
        if !worker.banks.contains(&bank) {
            let record = self
                .audit_record(Change {
                    action: "bank.joined",
                    actor: Some(who.user.id),
                    tenant: Some(found.lead_org_id),
                    subject: Some(who.user.id),
                    facts: json!({"worker": worker.id, "bank": bank, "banks_before": worker.banks}),
                    personal: None,
                })
                .await?;
            self.store
                .join_bank(worker.id, bank, self.now(), &[record])
                .await?;
        }
        let worker = self
            .store
            .worker(worker.id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(UserView::new(&who.user, Some(&worker)))
    }
}
