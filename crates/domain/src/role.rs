//! Roles and the scope each grant of a role covers. Authorisation decisions live in the app layer;
//! these are the facts it decides from.

use serde::{Deserialize, Serialize};

use crate::{BankId, OrgId, WardId};

/// What a user may do; see PRODUCT.md "Who uses it".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Registers organisations, banks, issuers and trust frameworks.
    PlatformAdmin,
    /// Posts shifts and manages bookings for a trust or bank.
    Booker,
    /// Signs workers on and approves timesheets for wards.
    WardManager,
    /// Records employment checks and manages credentials for a trust.
    ComplianceOfficer,
    /// Runs pay for a trust.
    PayrollOfficer,
    /// Issues and revokes credentials of its type.
    CredentialIssuer,
    /// Reads the ledger and reports.
    Auditor,
    /// A bank worker acting for themselves.
    Worker,
}

impl Role {
    /// Every role, in display order.
    pub const ALL: [Role; 8] = [
        Self::PlatformAdmin,
        Self::Booker,
        Self::WardManager,
        Self::ComplianceOfficer,
        Self::PayrollOfficer,
        Self::CredentialIssuer,
        Self::Auditor,
        Self::Worker,
    ];

    /// Stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PlatformAdmin => "platform_admin",
            Self::Booker => "booker",
            Self::WardManager => "ward_manager",
            Self::ComplianceOfficer => "compliance_officer",
            Self::PayrollOfficer => "payroll_officer",
            Self::CredentialIssuer => "credential_issuer",
            Self::Auditor => "auditor",
            Self::Worker => "worker",
        }
    }

    /// Parses the stable name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == raw)
    }
}

/// What part of the platform a grant covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    /// The whole platform (platform admins and platform auditors).
    Platform,
    /// One organisation and everything in it.
    Organisation(OrgId),
    /// One ward.
    Ward(WardId),
    /// One bank (for a collaborative bank's own staff).
    Bank(BankId),
}

/// One role held over one scope. A user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// Where it applies.
    pub scope: Scope,
}
