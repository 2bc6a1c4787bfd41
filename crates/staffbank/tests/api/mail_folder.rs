//! Email written to a folder instead of an SMTP server (what the demo does, so a newcomer can
//! open what the platform sends): one `.eml` file per message, with the same subject, words,
//! Message-ID and idempotency key an SMTP server would have been given.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;
use staffbank_app::notify::{Mailer, Notifier, RetryPolicy};
use staffbank_app::App;

use crate::helpers::TestApp;

crate::both_backends!(an_offer_is_written_to_the_mail_folder_once);

async fn an_offer_is_written_to_the_mail_folder_once(app: TestApp) {
    let dir = std::env::temp_dir().join(format!("staffbank-mail-{}", uuid::Uuid::new_v4()));
    let deliverer: App = app.app.clone().with_notifier(Notifier {
        mailer: Mailer::to_folder(dir.clone(), "Staffbank <bank@staffbank.test>").unwrap(),
        policy: RetryPolicy::default(),
    });
    let trust = app.trust("RXL").await;
    let nurse = app.worker("nurse@folder.test", &[&trust.bank]).await;
    let nurse_id = app.worker_id(&nurse).await.0.to_string();
    let shift = app.shift(&trust, &trust.bank, 24 * 20, 12, 1).await;
    let made = app
        .post(
            &format!("/api/v1/shifts/{shift}/offers"),
            &trust.booker,
            json!({"worker_id": nurse_id}),
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.body);

    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 1);
    let files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with("-nurse@folder.test.eml"), "{name}");
    let key = name.split("-nurse@").next().unwrap().to_owned();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("Subject: Shift offered: "), "{text}");
    assert!(text.contains("To: nurse@folder.test"), "{text}");
    assert!(text.contains(&format!("Idempotency-Key: {key}")), "{text}");
    assert!(
        text.contains(&format!("Message-ID: <{key}@staffbank.test>")),
        "{text}"
    );
    // The body is quoted-printable: its soft line breaks can fall inside the link.
    let body = text.replace("=\r\n", "").replace("=\n", "");
    assert!(body.contains(&format!("/shifts/{shift}")), "{text}");

    // Sent once: later passes write nothing more.
    app.advance(Duration::minutes(5));
    assert_eq!(deliverer.deliver_notifications().await.unwrap(), 0);
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
