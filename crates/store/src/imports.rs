//! What an import of workers from an ESR staff extract hands the store: every new worker of a
//! file, written in one transaction with batched statements so that a large file is quick.

use staffbank_domain::BankId;

use crate::{User, Worker};

/// One worker to add from an extract, with their account, assignment and banks.
#[derive(Clone)]
pub struct ImportedWorker {
    /// Their account (no password: they set one when they first sign in).
    pub user: User,
    /// Their profile.
    pub worker: Worker,
    /// ESR assignment number, unique within the importing trust.
    pub assignment_number: String,
    /// Contract type as the extract gives it, e.g. "Bank" or "Permanent".
    pub contract_type: String,
    /// Professional register, e.g. "NMC", if any.
    pub registration_body: Option<String>,
    /// Number on that register, if any.
    pub registration_number: Option<String>,
    /// Banks they join.
    pub banks: Vec<BankId>,
}

/// What the store already holds of an extract's natural keys.
#[derive(Debug, Default, Clone)]
pub struct ImportKeys {
    /// Emails that already have an account, lower case.
    pub emails: Vec<String>,
    /// Assignment numbers the trust already holds, with the email of the worker holding each.
    pub assignments: Vec<(String, String)>,
}
