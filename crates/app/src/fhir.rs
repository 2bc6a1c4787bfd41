//! Read-only HL7 FHIR R4 views for integrators (e-rostering, ESR interfaces, regional dashboards):
//! a worker as a `Practitioner` with their passport credentials as qualifications, a ward's shifts
//! as a `Schedule` of `Slot`s, and who is booked on a shift as `PractitionerRole`s.
//!
//! Each view is built on the use case a person would call, so the same tenancy applies: what a
//! compliance officer may not see of a worker, or a booker of a shift, is not found here either.
//! Resources follow FHIR R4 (<https://hl7.org/fhir/R4/>); registration numbers use the UK Core
//! identifier systems (`https://fhir.hl7.org.uk/Id/nmc-number` and the like), trusts their ODS
//! code (`https://fhir.nhs.uk/Id/ods-organization-code`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};
use staffbank_domain::credential_claims::kind_of_vct;
use staffbank_domain::{ShiftId, WardId, WorkerId};
use uuid::Uuid;

use crate::trust_shift_list::TrustShiftFilters;
use crate::views::{BookingView, ShiftView};
use crate::{App, AppError, Principal};

/// The media type FHIR's JSON format is served as (FHIR R4 http.html#mime-type).
pub const FHIR_JSON: &str = "application/fhir+json";

/// UK Core's identifier system for each regulator's registration number.
fn registration_system(regulator: &str) -> Option<&'static str> {
    match regulator {
        "nmc" => Some("https://fhir.hl7.org.uk/Id/nmc-number"),
        "gmc" => Some("https://fhir.hl7.org.uk/Id/gmc-number"),
        "hcpc" => Some("https://fhir.hl7.org.uk/Id/hcpc-number"),
        "gphc" => Some("https://fhir.hl7.org.uk/Id/gphc-number"),
        _ => None,
    }
}

/// A FHIR `instant`: UTC to the second.
fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl App {
    /// Where this platform's own identifiers and codes live, under its public URL.
    fn fhir_system(&self, name: &str) -> String {
        format!("{}/fhir/{name}", self.public_url())
    }

    /// A worker as a FHIR `Practitioner`: name, work email, registration numbers and each passport
    /// credential they accepted and still hold as a qualification. Seen by whoever may see the
    /// worker's compliance picture (an issuing body sees only what it issued).
    pub async fn fhir_practitioner(
        &self,
        who: &Principal,
        worker: WorkerId,
    ) -> Result<Value, AppError> {
        let picture = self.worker_compliance(who, worker).await?;
        let now = self.now();
        let mut identifier = vec![json!({
            "system": self.fhir_system("Id/worker"),
            "value": picture.worker.id.to_string(),
        })];
        let mut qualification = Vec::new();
        for entry in &picture.passport {
            let c = &entry.credential;
            let held = c.state == "accepted"
                && c.revocation == "valid"
                && c.expires_at.is_none_or(|end| end > now);
            if !held {
                continue;
            }
            let claims = &c.claims;
            if let (Some(system), Some(number)) = (
                claims["regulator"].as_str().and_then(registration_system),
                claims["number"].as_str(),
            ) {
                identifier.push(json!({"system": system, "value": number}));
            }
            let code = kind_of_vct(&c.vct).map_or(c.vct.as_str(), |k| k.as_str());
            let mut period = json!({"start": instant(c.decided_at.unwrap_or(c.offered_at))});
            if let Some(end) = c.expires_at {
                period["end"] = json!(instant(end));
            }
            qualification.push(json!({
                "identifier": [{"system": "urn:ietf:rfc:3986", "value": format!("urn:uuid:{}", c.id)}],
                "code": {
                    "coding": [{
                        "system": self.fhir_system("CodeSystem/credential-type"),
                        "code": code,
                        "display": entry.type_label,
                    }],
                    "text": entry.type_label,
                },
                "period": period,
                "issuer": {"display": entry.issuer_name},
            }));
        }
        let mut practitioner = json!({
            "resourceType": "Practitioner",
            "id": picture.worker.id.to_string(),
            "identifier": identifier,
            "active": true,
            "name": [{"use": "usual", "text": picture.worker.name}],
        });
        if !picture.worker.email.is_empty() {
            practitioner["telecom"] =
                json!([{"system": "email", "value": picture.worker.email, "use": "work"}]);
        }
        if !qualification.is_empty() {
            practitioner["qualification"] = Value::Array(qualification);
        }
        Ok(practitioner)
    }

    /// A shift as a FHIR `Slot` on its ward's `Schedule`: busy once every place is booked or it
    /// is cancelled, free while places are open. Seen by the shift's bookers.
    pub async fn fhir_slot(&self, who: &Principal, shift: ShiftId) -> Result<Value, AppError> {
        let stored = self.store.shift(shift).await?.ok_or(AppError::NotFound)?;
        if !self.manages_shift(who, &stored).await? {
            return Err(AppError::NotFound);
        }
        let view = self.names.shift_view(self.store.as_ref(), &stored).await?;
        Ok(self.slot_of(&view))
    }

    fn slot_of(&self, shift: &ShiftView) -> Value {
        let status = if shift.status == "open" && shift.booked < shift.places {
            "free"
        } else {
            "busy"
        };
        json!({
            "resourceType": "Slot",
            "id": shift.id.to_string(),
            "identifier": [{"system": self.fhir_system("Id/shift"), "value": shift.id.to_string()}],
            "serviceType": [{"text": shift.role}],
            "schedule": {
                "reference": format!("Schedule/{}", shift.ward_id),
                "display": format!("{}, {}", shift.ward_name, shift.site_name),
            },
            "status": status,
            "start": instant(shift.starts_at),
            "end": instant(shift.ends_at),
            "overbooked": false,
            "comment": format!(
                "{} of {} places booked; {} bank",
                shift.booked, shift.places, shift.bank_name
            ),
        })
    }

    /// The shifts a booker manages, filtered as on their shift list, as a FHIR `searchset`
    /// `Bundle` of `Slot`s (50 a page; `next` links the following page).
    pub async fn fhir_slots(
        &self,
        who: &Principal,
        filters: &TrustShiftFilters,
    ) -> Result<Value, AppError> {
        let page = self.trust_shift_list(who, filters).await?;
        let base = format!("{}/api/v1/fhir", self.public_url());
        let entries: Vec<Value> = page
            .items
            .iter()
            .map(|shift| {
                json!({
                    "fullUrl": format!("{base}/Slot/{}", shift.id),
                    "resource": self.slot_of(shift),
                    "search": {"mode": "match"},
                })
            })
            .collect();
        let mut links =
            vec![json!({"relation": "self", "url": format!("{base}/Slot?page={}", page.page)})];
        if page.more {
            links.push(
                json!({"relation": "next", "url": format!("{base}/Slot?page={}", page.page + 1)}),
            );
        }
        Ok(json!({
            "resourceType": "Bundle",
            "id": Uuid::new_v4().to_string(),
            "type": "searchset",
            "total": page.total,
            "link": links,
            "entry": entries,
        }))
    }

    /// A ward as the FHIR `Schedule` its shifts are slots on. Seen by the ward's bookers.
    pub async fn fhir_schedule(&self, who: &Principal, ward: WardId) -> Result<Value, AppError> {
        let stored = self.store.ward(ward).await?.ok_or(AppError::NotFound)?;
        if !who.books_for_ward(&stored) {
            return Err(AppError::NotFound);
        }
        let site = self
            .store
            .site(stored.site_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let org = self
            .store
            .organisation(stored.org_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(json!({
            "resourceType": "Schedule",
            "id": stored.id.0.to_string(),
            "identifier": [{"system": self.fhir_system("Id/ward"), "value": stored.id.0.to_string()}],
            "active": true,
            "serviceType": [{"text": "Bank shifts"}],
            "actor": [{
                "identifier": {
                    "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                    "value": org.ods_code.as_str(),
                },
                "display": format!("{}, {}, {}", stored.name, site.name, org.name),
            }],
            "comment": format!("Bank shifts on {} at {}", stored.name, site.name),
        }))
    }

    /// Who is booked on a shift, each as a FHIR `PractitionerRole` for the shift's time at the
    /// trust, in a `searchset` `Bundle`. Seen by the shift's bookers.
    pub async fn fhir_practitioner_roles(
        &self,
        who: &Principal,
        shift: ShiftId,
    ) -> Result<Value, AppError> {
        let bookings = self.shift_bookings(who, shift).await?;
        let view = self.shift(who, shift).await?;
        let base = format!("{}/api/v1/fhir", self.public_url());
        let entries: Vec<Value> = bookings
            .iter()
            .filter(|b| b.status == "active")
            .map(|b| {
                json!({
                    "fullUrl": format!("{base}/PractitionerRole/{}", b.id),
                    "resource": self.role_of(b, &view),
                    "search": {"mode": "match"},
                })
            })
            .collect();
        Ok(json!({
            "resourceType": "Bundle",
            "id": Uuid::new_v4().to_string(),
            "type": "searchset",
            "total": entries.len(),
            "link": [{"relation": "self", "url": format!("{base}/PractitionerRole?shift={shift}")}],
            "entry": entries,
        }))
    }

    fn role_of(&self, booking: &BookingView, shift: &ShiftView) -> Value {
        json!({
            "resourceType": "PractitionerRole",
            "id": booking.id.to_string(),
            "identifier": [{"system": self.fhir_system("Id/booking"), "value": booking.id.to_string()}],
            "active": true,
            "period": {"start": instant(shift.starts_at), "end": instant(shift.ends_at)},
            "practitioner": {
                "reference": format!("Practitioner/{}", booking.worker_id),
                "display": booking.worker_name,
            },
            "organization": {
                "identifier": {
                    "system": "https://fhir.nhs.uk/Id/ods-organization-code",
                    "value": shift.org_ods_code,
                },
                "display": shift.org_name,
            },
            "code": [{"text": shift.role}],
            "location": [{"display": format!("{}, {}", shift.ward_name, shift.site_name)}],
        })
    }
}
