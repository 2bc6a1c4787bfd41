//! Typed identifiers, so an organisation id can never be passed where a shift id is expected.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<Uuid> for $name {
            fn from(value: Uuid) -> Self {
                Self(value)
            }
        }
    };
}

id_type!(
    /// An NHS trust or other body.
    OrgId
);
id_type!(
    /// A hospital or other location of an organisation.
    SiteId
);
id_type!(
    /// A ward or unit within a site, where shifts are worked.
    WardId
);
id_type!(
    /// A pool of workers that shifts are posted to.
    BankId
);
id_type!(
    /// Anyone who signs in.
    UserId
);
id_type!(
    /// A person who works bank shifts.
    WorkerId
);
id_type!(
    /// One posted shift, with one or more places.
    ShiftId
);
id_type!(
    /// One worker holding one place on one shift.
    BookingId
);
id_type!(
    /// A credential recorded for a worker.
    CredentialId
);
id_type!(
    /// A worker's request to book a shift that a booker approves.
    RequestId
);
