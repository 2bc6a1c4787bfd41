//! `staffbank serve` refuses unsafe configuration, naming the setting and the fix, and exits
//! non-zero; a safe production configuration starts.

use std::time::Duration;

use crate::binary::{serve_command, sigterm, start};
use crate::helpers::TestApp;

crate::both_backends!(unsafe_configuration_is_refused_by_name);

/// Runs `serve` with `settings` (flags and variables) and asserts it refuses to start, naming
/// `setting` and saying `fix`.
async fn assert_refused(
    app: &TestApp,
    flags: &[&str],
    vars: &[(&str, &str)],
    setting: &str,
    fix: &str,
) {
    let mut command = serve_command(app);
    command.args(flags);
    for (name, value) in vars {
        command.env(name, value);
    }
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .expect("the server started instead of refusing")
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{flags:?} {vars:?} was accepted");
    assert!(stderr.contains("refusing to start"), "{stderr}");
    assert!(stderr.contains(setting), "{setting} not named: {stderr}");
    assert!(stderr.contains(fix), "{fix} not said: {stderr}");
}

async fn unsafe_configuration_is_refused_by_name(app: TestApp) {
    // HTTPS without Secure cookies: a session could leak over plain HTTP.
    assert_refused(
        &app,
        &[],
        &[("STAFFBANK_PUBLIC_URL", "https://staffbank.example.nhs.uk")],
        "STAFFBANK_PUBLIC_URL",
        "set STAFFBANK_SECURE_COOKIES=true",
    )
    .await;
    // Secure cookies on a plain-HTTP address: nobody could stay signed in.
    assert_refused(
        &app,
        &["--secure-cookies"],
        &[("STAFFBANK_PUBLIC_URL", "http://staffbank.example.nhs.uk")],
        "STAFFBANK_SECURE_COOKIES",
        "make STAFFBANK_PUBLIC_URL https://",
    )
    .await;
    // Plain HTTP beyond this machine: passwords in clear.
    assert_refused(
        &app,
        &[],
        &[("STAFFBANK_PUBLIC_URL", "http://10.1.2.3:8080")],
        "STAFFBANK_PUBLIC_URL is http:// on 10.1.2.3",
        "put TLS in front",
    )
    .await;
    // Listening beyond loopback with no public address: wrong issuer identifiers.
    assert_refused(
        &app,
        &[],
        &[("STAFFBANK_LISTEN", "0.0.0.0:0")],
        "STAFFBANK_PUBLIC_URL is not set",
        "set it to the https:// address",
    )
    .await;
    // An SMTP password without TLS.
    assert_refused(
        &app,
        &[],
        &[(
            "STAFFBANK_SMTP_URL",
            "smtp://bank:secret@mail.example.nhs.uk:587",
        )],
        "STAFFBANK_SMTP_URL",
        "add ?tls=required",
    )
    .await;
    // A guessable metrics token.
    assert_refused(
        &app,
        &[],
        &[("STAFFBANK_METRICS_TOKEN", "metrics")],
        "STAFFBANK_METRICS_TOKEN",
        "openssl rand -hex 32",
    )
    .await;
    // A placeholder master key.
    assert_refused(
        &app,
        &[],
        &[(
            "STAFFBANK_MASTER_KEY",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        )],
        "STAFFBANK_MASTER_KEY",
        "openssl rand -base64 32",
    )
    .await;
    // Every problem at once, so one restart fixes them all.
    assert_refused(
        &app,
        &[],
        &[
            ("STAFFBANK_PUBLIC_URL", "https://staffbank.example.nhs.uk"),
            ("STAFFBANK_METRICS_TOKEN", "short"),
        ],
        "STAFFBANK_SECURE_COOKIES=true",
        "STAFFBANK_METRICS_TOKEN is shorter",
    )
    .await;

    // A safe production setting starts (and stops).
    let mut command = serve_command(&app);
    command
        .arg("--secure-cookies")
        .env("STAFFBANK_PUBLIC_URL", "https://staffbank.example.nhs.uk")
        .env(
            "STAFFBANK_SMTP_URL",
            "smtp://bank:secret@mail.example.nhs.uk:587?tls=required",
        )
        .env("STAFFBANK_METRICS_TOKEN", "a-long-enough-metrics-token");
    let (mut child, _, stderr) = start(command).await;
    sigterm(&child);
    let status = child.wait().await.unwrap();
    assert!(status.success(), "{}", stderr.lock().unwrap());
}
