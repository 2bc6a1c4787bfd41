//! Response headers that keep people's data private: answers to signed-in requests are never
//! stored by a cache, and a server behind HTTPS tells browsers never to use plain HTTP.

use reqwest::header::{CACHE_CONTROL, COOKIE, STRICT_TRANSPORT_SECURITY};

use crate::helpers::TestApp;

crate::both_backends!(signed_in_answers_are_not_stored_and_https_is_pinned);

async fn signed_in_answers_are_not_stored_and_https_is_pinned(app: TestApp) {
    let trust = app.trust("RXL").await;
    let me = app.get("/api/v1/me", &trust.booker).await;
    assert_eq!(me.headers[CACHE_CONTROL], "no-store");
    let refused = app.get("/api/v1/trust-shifts?page=0", &trust.booker).await;
    assert_eq!(refused.headers[CACHE_CONTROL], "no-store");
    let page = app
        .http
        .get(format!("{}/", app.base))
        .header(COOKIE, "staffbank_session=anything")
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()[CACHE_CONTROL], "no-store");
    // Public answers to anonymous callers stay cacheable, and plain HTTP is not pinned.
    let public = app
        .http
        .get(format!("{}/api/v1/ledger/public-key", app.base))
        .send()
        .await
        .unwrap();
    assert!(public.headers().get(CACHE_CONTROL).is_none());
    assert!(public.headers().get(STRICT_TRANSPORT_SECURITY).is_none());

    let https = app.https_configured_server().await;
    let live = app
        .http
        .get(format!("{https}/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        live.headers()[STRICT_TRANSPORT_SECURITY],
        "max-age=31536000; includeSubDomains"
    );
}
