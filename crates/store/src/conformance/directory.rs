//! Conformance case for finding workers.

use std::sync::Arc;

use staffbank_domain::credential::CredentialKind;
use staffbank_domain::credential_claims::vct;

use super::{new_id, World};
use crate::*;

fn search(text: &str, orgs: Option<Vec<staffbank_domain::OrgId>>) -> WorkerSearch {
    WorkerSearch {
        text: text.into(),
        orgs,
        limit: 10,
    }
}

async fn names(store: &Arc<dyn Store>, s: WorkerSearch) -> Vec<String> {
    store
        .find_workers(&s)
        .await
        .unwrap()
        .iter()
        .map(|f| f.worker.display_name.to_string())
        .collect()
}

/// A worker is found by part of their name or email address in any case, or by the start of a
/// registration number in their passport; only within the banks of the organisations searched
/// for; a `%` or `_` is a character, not a wildcard; results come by name and stop at the limit.
pub async fn workers_are_found_by_name_email_or_registration(store: Arc<dyn Store>) {
    let world = World::new(store.clone()).await;
    // names with letters that are not hex digits, so the ids in email addresses cannot match
    let ada = world.worker("Ada-Okafor", &[world.banks[0].id]).await;
    let bea = world.worker("Bea-Owusu", &[world.banks[1].id]).await;
    let shared = world.worker("Cai-Evans", &[world.banks[2].id]).await;
    let offer = PassportCredential {
        id: new_id(),
        org_id: world.orgs[0].id,
        worker_id: ada.id,
        vct: vct(CredentialKind::ProfessionalRegistration),
        claims: "{\"type\":\"professional_registration\",\"regulator\":\"nmc\",\"number\":\"71A2998E\",\"registered\":true,\"renewal\":\"2027-01-01\"}".into(),
        expires_at: None,
        nonce: "n".into(),
        state: OfferState::Offered,
        offered_by: world.booker.id,
        offered_at: world.now,
        decided_at: None,
        sd_jwt: None,
        holder_jwk: None,
        status_idx: 0,
        revocation: RevocationState::Valid,
    };
    store
        .offer_passport_credential(&offer, &[3], &[])
        .await
        .unwrap();
    let rxl = Some(vec![world.orgs[0].id]);
    let rxn = Some(vec![world.orgs[1].id]);
    assert_eq!(
        names(&store, search("OKAF", rxl.clone())).await,
        ["Ada-Okafor"]
    );
    assert_eq!(
        names(&store, search("-o", None)).await,
        ["Ada-Okafor", "Bea-Owusu"]
    );
    assert!(names(&store, search("owusu", rxl.clone())).await.is_empty());
    assert_eq!(
        names(&store, search("owusu", rxn.clone())).await,
        ["Bea-Owusu"]
    );
    assert_eq!(
        names(&store, search("evans", rxl.clone())).await,
        ["Cai-Evans"]
    );
    assert_eq!(
        names(&store, search("evans", rxn.clone())).await,
        ["Cai-Evans"]
    );
    assert_eq!(
        names(&store, search(" 71a29 ", rxl.clone())).await,
        ["Ada-Okafor"]
    );
    assert!(names(&store, search("2998E", rxl.clone())).await.is_empty());
    assert!(names(&store, search("71A2998E", rxn.clone()))
        .await
        .is_empty());
    assert_eq!(
        names(&store, search("workers.TEST", rxn.clone())).await,
        ["Bea-Owusu", "Cai-Evans"]
    );
    assert!(names(&store, search("%", rxl.clone())).await.is_empty());
    assert!(names(&store, search("o_a", None)).await.is_empty());
    assert!(names(&store, search("okafor", Some(vec![])))
        .await
        .is_empty());
    let mut limited = search("s", None);
    limited.limit = 2;
    assert_eq!(names(&store, limited).await, ["Ada-Okafor", "Bea-Owusu"]);
    let found = store.find_workers(&search("evans", rxl)).await.unwrap();
    assert_eq!(found[0].worker, shared);
    assert!(found[0].email.starts_with("cai-evans-"));
    assert_eq!(bea.banks, vec![world.banks[1].id]);
    assert_eq!(ada.banks, vec![world.banks[0].id]);
}
