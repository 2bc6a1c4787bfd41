//! The offer form's fields for each credential type: its claims as proper form fields, read back
//! into the claims the passport signs, with an error per field a person can follow.

use std::collections::HashMap;

use chrono::NaiveDate;
use maud::{html, Markup};
use serde_json::{json, Map, Value};
use staffbank_domain::credential::CredentialKind;
use staffbank_domain::credential_claims::{CstfSubject, Immunisation};

/// How a field is entered.
#[derive(Clone, Copy)]
pub enum Input {
    /// One line of text.
    Text,
    /// A calendar date.
    Date,
    /// Yes or no.
    YesNo,
    /// One of these (stored value, words).
    Choice(&'static [(&'static str, &'static str)]),
}

/// One form field of a credential type.
pub struct Field {
    /// Its form name and claim name.
    pub name: String,
    /// Its label.
    pub label: String,
    /// How it is entered.
    pub input: Input,
    /// Whether it must be given.
    pub required: bool,
}

const DBS_LEVELS: &[(&str, &str)] = &[
    ("basic", "Basic"),
    ("standard", "Standard"),
    ("enhanced", "Enhanced"),
    ("enhanced_barred", "Enhanced with barred list checks"),
];
const WORKFORCES: &[(&str, &str)] = &[
    ("adult", "Adult workforce"),
    ("child", "Child workforce"),
    ("adult_and_child", "Adult and child workforce"),
];
const REGULATORS: &[(&str, &str)] = &[
    ("nmc", "Nursing and Midwifery Council (NMC)"),
    ("gmc", "General Medical Council (GMC)"),
    ("hcpc", "Health and Care Professions Council (HCPC)"),
    ("gphc", "General Pharmaceutical Council (GPhC)"),
];
const CLEARANCES: &[(&str, &str)] = &[("cleared", "Cleared"), ("not_cleared", "Not cleared")];
const LEVELS: &[(&str, &str)] = &[("1", "Level 1"), ("2", "Level 2"), ("3", "Level 3")];

fn field(name: &str, label: &str, input: Input, required: bool) -> Field {
    Field {
        name: name.to_owned(),
        label: label.to_owned(),
        input,
        required,
    }
}

/// A stable name in words with a capital, e.g. `fire_safety` is "Fire safety".
fn words(name: &str) -> String {
    super::layout::capitalise(&name.replace('_', " "))
}

/// A CSTF subject's name in claims.
pub fn subject_name(s: CstfSubject) -> String {
    s.as_str()
}

/// An immunisation's name in claims, and in words.
pub fn immunisation(i: Immunisation) -> (String, &'static str) {
    let name = serde_json::to_value(i)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let label = match i {
        Immunisation::HepatitisB => "Hepatitis B",
        Immunisation::Mmr => "Measles, mumps and rubella (MMR)",
        Immunisation::Varicella => "Varicella (chickenpox)",
        Immunisation::Tb => "Tuberculosis (TB)",
        Immunisation::Covid19 => "COVID-19",
        Immunisation::Influenza => "Influenza",
    };
    (name, label)
}

/// The fields of a credential type, in the order asked.
pub fn fields(kind: CredentialKind) -> Vec<Field> {
    let mut out = match kind {
        CredentialKind::Identity => vec![
            field("given_name", "Given name", Input::Text, true),
            field("family_name", "Family name", Input::Text, true),
            field("birthdate", "Date of birth", Input::Date, true),
        ],
        CredentialKind::RightToWork => vec![
            field(
                "unlimited",
                "Is the right to work without a time limit?",
                Input::YesNo,
                true,
            ),
            field(
                "ends",
                "If time-limited, the day it ends",
                Input::Date,
                false,
            ),
        ],
        CredentialKind::DbsCheck => vec![
            field(
                "level",
                "Certificate level",
                Input::Choice(DBS_LEVELS),
                true,
            ),
            field("workforce", "Workforce", Input::Choice(WORKFORCES), true),
            field("certificate_date", "Certificate date", Input::Date, true),
            field(
                "update_service",
                "Is it on the DBS Update Service?",
                Input::YesNo,
                true,
            ),
        ],
        CredentialKind::ProfessionalRegistration => vec![
            field("regulator", "Regulator", Input::Choice(REGULATORS), true),
            field("number", "Registration number", Input::Text, true),
            field(
                "registered",
                "Is the registration effective?",
                Input::YesNo,
                true,
            ),
            field("renewal", "Renewal or revalidation date", Input::Date, true),
        ],
        CredentialKind::CoreSkillsTraining => CstfSubject::ALL
            .iter()
            .flat_map(|s| {
                let name = subject_name(*s);
                [
                    field(
                        &format!("level_{name}"),
                        &format!("{} level", words(&name)),
                        Input::Choice(LEVELS),
                        false,
                    ),
                    field(
                        &format!("completed_{name}"),
                        &format!("{} completed on", words(&name)),
                        Input::Date,
                        false,
                    ),
                ]
            })
            .collect(),
        CredentialKind::OccupationalHealth => {
            let mut v = vec![field(
                "clearance",
                "Clearance for the role",
                Input::Choice(CLEARANCES),
                true,
            )];
            v.extend(Immunisation::ALL.iter().map(|i| {
                let (name, label) = immunisation(*i);
                field(
                    &format!("imm_{name}"),
                    label,
                    Input::Choice(CLEARANCES),
                    false,
                )
            }));
            v
        }
        CredentialKind::Employment => vec![
            field("role", "Role", Input::Text, true),
            field("grade", "Band or grade, as written", Input::Text, true),
            field("started", "Start date", Input::Date, true),
        ],
        CredentialKind::SystemsAccess => vec![
            field("system", "System", Input::Text, true),
            field("account", "Account or user name", Input::Text, true),
        ],
    };
    out.push(field(
        "expires",
        "Ends on (leave empty if it does not expire)",
        Input::Date,
        false,
    ));
    out
}

/// The id an error links to: a yes-or-no question's first radio, else the field itself.
pub fn anchor(f: &Field) -> String {
    match f.input {
        Input::YesNo => format!("{}-yes", f.name),
        _ => f.name.clone(),
    }
}

/// A value in words for the confirmation page.
pub fn value_words(f: &Field, raw: &str) -> String {
    match f.input {
        Input::Text => raw.trim().to_owned(),
        Input::Date => NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
            .map_or_else(|_| raw.to_owned(), super::workers::day),
        Input::YesNo => if raw == "yes" { "Yes" } else { "No" }.to_owned(),
        Input::Choice(options) => options
            .iter()
            .find(|(v, _)| *v == raw)
            .map_or_else(|| raw.to_owned(), |(_, w)| (*w).to_owned()),
    }
}

/// One field's markup, with its value and any error.
pub fn field_markup(f: &Field, value: &str, error: Option<&str>, hint: Option<&str>) -> Markup {
    let id = &f.name;
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = match (hint.is_some(), error.is_some()) {
        (true, true) => Some(format!("{hint_id} {error_id}")),
        (true, false) => Some(hint_id.clone()),
        (false, true) => Some(error_id.clone()),
        (false, false) => None,
    };
    let group = if error.is_some() {
        "nhsuk-form-group nhsuk-form-group--error"
    } else {
        "nhsuk-form-group"
    };
    let message = html! {
        @if let Some(h) = hint { div class="nhsuk-hint" id=(hint_id) { (h) } }
        @if let Some(e) = error { span class="nhsuk-error-message" id=(error_id) { span class="nhsuk-u-visually-hidden" { "Error: " } (e) } }
    };
    match f.input {
        Input::YesNo => html! {
            div class=(group) {
                fieldset class="nhsuk-fieldset" aria-describedby=[described.as_deref()] {
                    legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s" { (f.label) }
                    (message)
                    div class="nhsuk-radios nhsuk-radios--inline" {
                        @for (v, w) in [("yes", "Yes"), ("no", "No")] {
                            div class="nhsuk-radios__item" {
                                input class="nhsuk-radios__input" id=(format!("{id}-{v}")) name=(id) type="radio" value=(v) checked[value == v];
                                label class="nhsuk-label nhsuk-radios__label" for=(format!("{id}-{v}")) { (w) }
                            }
                        }
                    }
                }
            }
        },
        Input::Choice(options) => html! {
            div class=(group) {
                label class="nhsuk-label nhsuk-label--s" for=(id) { (f.label) }
                (message)
                select class="nhsuk-select" id=(id) name=(id) aria-describedby=[described.as_deref()] {
                    option value="" selected[value.is_empty()] { @if f.required { "Choose" } @else { "Not recorded" } }
                    @for (v, w) in options { option value=(v) selected[value == *v] { (w) } }
                }
            }
        },
        Input::Text | Input::Date => html! {
            div class=(group) {
                label class="nhsuk-label nhsuk-label--s" for=(id) { (f.label) }
                (message)
                input class={ "nhsuk-input" @if matches!(f.input, Input::Date) { " nhsuk-input--width-10" } @if error.is_some() { " nhsuk-input--error" } }
                    id=(id) name=(id) type=(if matches!(f.input, Input::Date) { "date" } else { "text" })
                    value=(value) spellcheck="false" aria-describedby=[described.as_deref()];
            }
        },
    }
}

/// Errors by field name.
pub type Errors = Vec<(String, String)>;

/// Reads one field's value into JSON, or says what is wrong with it.
fn read(f: &Field, raw: &str) -> Result<Option<Value>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return if f.required {
            Err(match f.input {
                Input::Text => format!("Enter the {}", f.label.to_lowercase()),
                Input::Date => format!("Enter the {}", f.label.to_lowercase()),
                Input::YesNo | Input::Choice(_) => "Choose an answer".to_owned(),
            })
        } else {
            Ok(None)
        };
    }
    match f.input {
        Input::Text => Ok(Some(Value::String(raw.to_owned()))),
        Input::Date => NaiveDate::parse_from_str(raw, "%Y-%m-%d")
            .map(|d| Some(Value::String(d.to_string())))
            .map_err(|_| "Enter a real date".to_owned()),
        Input::YesNo => match raw {
            "yes" => Ok(Some(Value::Bool(true))),
            "no" => Ok(Some(Value::Bool(false))),
            _ => Err("Choose yes or no".to_owned()),
        },
        Input::Choice(options) => options
            .iter()
            .find(|(v, _)| *v == raw)
            .map(|(v, _)| Some(Value::String((*v).to_owned())))
            .ok_or_else(|| "Choose one of the options".to_owned()),
    }
}

/// The claims and expiry a filled form gives, or every field's error.
pub fn claims_from(
    kind: CredentialKind,
    form: &HashMap<String, String>,
) -> Result<(Value, Option<String>), Errors> {
    let mut errors = Errors::new();
    let mut values = Map::new();
    for f in fields(kind) {
        let raw = form.get(&f.name).map_or("", String::as_str);
        match read(&f, raw) {
            Ok(Some(v)) => {
                values.insert(f.name.clone(), v);
            }
            Ok(None) => {}
            Err(e) => errors.push((f.name.clone(), e)),
        }
    }
    let expires = values
        .remove("expires")
        .and_then(|v| v.as_str().map(str::to_owned));
    let mut claims = Map::new();
    claims.insert("type".into(), Value::String(kind.as_str().to_owned()));
    match kind {
        CredentialKind::CoreSkillsTraining => {
            let mut subjects = Map::new();
            for s in CstfSubject::ALL {
                let name = subject_name(s);
                let level = values.get(&format!("level_{name}")).and_then(Value::as_str);
                let done = values.get(&format!("completed_{name}"));
                match (level, done) {
                    (Some(level), Some(done)) => {
                        let level: u8 = level.parse().unwrap_or(0);
                        subjects.insert(name, json!({"level": level, "completed": done}));
                    }
                    (Some(_), None) => errors.push((
                        format!("completed_{name}"),
                        "Enter the date it was completed".into(),
                    )),
                    (None, Some(_)) => {
                        errors.push((format!("level_{name}"), "Choose the level completed".into()))
                    }
                    (None, None) => {}
                }
            }
            if subjects.is_empty() && errors.is_empty() {
                errors.push((
                    format!("level_{}", subject_name(CstfSubject::ALL[0])),
                    "Enter at least one subject completed".into(),
                ));
            }
            claims.insert("subjects".into(), Value::Object(subjects));
        }
        CredentialKind::OccupationalHealth => {
            let mut immunisations = Map::new();
            for i in Immunisation::ALL {
                let (name, _) = immunisation(i);
                if let Some(v) = values.remove(&format!("imm_{name}")) {
                    immunisations.insert(name, v);
                }
            }
            claims.extend(values);
            claims.insert("immunisations".into(), Value::Object(immunisations));
        }
        _ => claims.extend(values),
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((Value::Object(claims), expires))
}

/// The form field a claim named in an error belongs to.
pub fn field_of_claim(kind: CredentialKind, claim: &str) -> String {
    let claim = claim.strip_prefix("claims.").unwrap_or(claim);
    let claim = claim.strip_prefix("subjects.").unwrap_or(claim);
    let names: Vec<String> = fields(kind).into_iter().map(|f| f.name).collect();
    if names.iter().any(|n| n == claim) {
        return claim.to_owned();
    }
    let level = format!("level_{claim}");
    if names.contains(&level) {
        return level;
    }
    names.into_iter().next().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_filled_form_gives_claims_that_validate() {
        let (claims, expires) = claims_from(
            CredentialKind::ProfessionalRegistration,
            &form(&[
                ("regulator", "nmc"),
                ("number", " 71A2998E "),
                ("registered", "yes"),
                ("renewal", "2027-03-31"),
                ("expires", "2027-03-31"),
            ]),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(expires.as_deref(), Some("2027-03-31"));
        let parsed: staffbank_domain::credential_claims::CredentialClaims =
            serde_json::from_value(claims).unwrap_or_else(|e| panic!("{e}"));
        assert!(parsed.validate().is_ok());
    }

    #[test]
    fn every_missing_or_wrong_field_is_named() {
        let errors = claims_from(
            CredentialKind::DbsCheck,
            &form(&[("level", "platinum"), ("certificate_date", "31/12/2025")]),
        )
        .err()
        .unwrap_or_default();
        let names: Vec<&str> = errors.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["level", "workforce", "certificate_date", "update_service"]
        );
    }

    #[test]
    fn training_needs_a_level_and_a_date_per_subject() {
        let errors = claims_from(
            CredentialKind::CoreSkillsTraining,
            &form(&[("level_fire_safety", "1")]),
        )
        .err()
        .unwrap_or_default();
        assert_eq!(errors[0].0, "completed_fire_safety");
        let (claims, _) = claims_from(
            CredentialKind::CoreSkillsTraining,
            &form(&[
                ("level_fire_safety", "2"),
                ("completed_fire_safety", "2026-01-10"),
            ]),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(claims["subjects"]["fire_safety"]["level"], 2);
        assert_eq!(
            field_of_claim(
                CredentialKind::CoreSkillsTraining,
                "claims.subjects.fire_safety"
            ),
            "level_fire_safety"
        );
    }
}
