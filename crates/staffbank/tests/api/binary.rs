//! Running the real `staffbank serve` binary beside a test app, over its database.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::helpers::TestApp;

/// `staffbank serve` over the test's database on a free loopback port.
pub fn serve_command(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_staffbank"));
    command
        .arg("serve")
        .arg("--database-url")
        .arg(&app.database_url)
        .env("STAFFBANK_LISTEN", "127.0.0.1:0")
        .arg("--payroll-dir")
        .arg(std::env::temp_dir().join(format!("staffbank-ops-{}", uuid::Uuid::new_v4())))
        .env("STAFFBANK_MASTER_KEY", &app.master_text)
        .env_remove("STAFFBANK_PUBLIC_URL")
        .env_remove("STAFFBANK_SECURE_COOKIES")
        .env_remove("STAFFBANK_SMTP_URL")
        .env_remove("STAFFBANK_METRICS_TOKEN")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// Starts the server; its address (read from the line it prints once listening) and its
/// stderr, collected as it is written.
pub async fn start(mut command: Command) -> (Child, String, Arc<Mutex<String>>) {
    let mut child = command.spawn().unwrap();
    let stderr = Arc::new(Mutex::new(String::new()));
    let mut err = BufReader::new(child.stderr.take().unwrap()).lines();
    let collected = stderr.clone();
    tokio::spawn(async move {
        while let Ok(Some(line)) = err.next_line().await {
            let mut text = collected.lock().unwrap();
            text.push_str(&line);
            text.push('\n');
        }
    });
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(60), async {
        loop {
            let line = out.next_line().await.unwrap().expect("the server exited");
            let served = line.strip_prefix("Staffbank is running at ");
            if let Some(rest) = served.and_then(|u| u.split_once("://")).map(|(_, r)| r) {
                return rest.trim_end_matches('/').to_owned();
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("the server never started: {}", stderr.lock().unwrap()));
    (child, line, stderr)
}

/// Sends SIGTERM, as a service manager or container runtime does to stop it.
pub fn sigterm(child: &Child) {
    let pid = child.id().unwrap().to_string();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Runs the binary to the end with the app's master key (which the ledger checks use).
pub async fn run(app: &TestApp, args: &[&str]) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_staffbank"))
        .args(args)
        .env("STAFFBANK_MASTER_KEY", &app.master_text)
        .env_remove("DATABASE_URL")
        .env("RUST_BACKTRACE", "0")
        .output()
        .await
        .unwrap()
}

/// A finished run's status and output, for an assertion's message.
pub fn described(output: &std::process::Output) -> String {
    format!(
        "status {}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
