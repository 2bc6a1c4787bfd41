//! Who posts a batch of shifts: a signed-in booker, or the operator importing a roster at the
//! command line, who has the database itself and no booker's session.

use staffbank_domain::{OrgId, UserId};
use staffbank_store::Ward;

use crate::Principal;

/// Who posts a batch of shifts, and so which wards they may post to and what the ledger records.
#[derive(Clone, Copy)]
pub enum Poster<'a> {
    /// A signed-in booker: the wards of the trusts and wards they book for.
    Booker(&'a Principal),
    /// The command line, posting into one trust. Shifts always name the account that posted
    /// them, so the operator names one of the trust's bookers; the ledger records no actor, as
    /// the workers import at the command line does.
    Operator {
        /// The trust posted into: every one of its wards.
        org: OrgId,
        /// The booker the shifts are posted in the name of.
        posted_by: UserId,
    },
}

impl Poster<'_> {
    /// Whether they may post to `ward`.
    pub(crate) fn posts_to(&self, ward: &Ward) -> bool {
        match self {
            Self::Booker(who) => who.books_for_ward(ward),
            Self::Operator { org, .. } => ward.org_id == *org,
        }
    }

    /// The account each shift names as having posted it.
    pub(crate) fn posted_by(&self) -> UserId {
        match self {
            Self::Booker(who) => who.user.id,
            Self::Operator { posted_by, .. } => *posted_by,
        }
    }

    /// Who the ledger records as acting: the booker, or no one for the operator.
    pub(crate) fn actor(&self) -> Option<UserId> {
        match self {
            Self::Booker(who) => Some(who.user.id),
            Self::Operator { .. } => None,
        }
    }
}
