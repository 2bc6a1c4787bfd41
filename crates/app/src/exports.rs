//! The payroll exporter: delivers each closed run's file from the outbox (the `pay_exports` row
//! written with the run) to the export directory, and announces it on NATS JetStream when NATS
//! is configured.
//!
//! A file is written under a temporary name, flushed to disk, then renamed into place, so the
//! directory only ever holds whole files; the run is recorded delivered only after that. A crash
//! at any moment leaves the row undelivered, and the next pass writes the same bytes again
//! (a run's lines never change once it is closed), so each run ends with exactly one complete
//! file. JetStream drops a repeated announcement by its message id, the run's.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use staffbank_domain::pay::export::{payroll_csv, ExportRun};
use staffbank_store::{PayExport, PayRun};

use crate::audit::Change;
use crate::{App, AppError};

/// How often the exporter looks for files to deliver when nothing wakes it.
const TICK: Duration = Duration::from_secs(10);
/// Exports delivered per pass.
const BATCH: i64 = 20;
/// The NATS subject a delivered payroll file is announced on.
pub const EXPORTED_SUBJECT: &str = "staffbank.payroll.exported";
/// The JetStream stream that keeps payroll announcements.
pub const STREAM: &str = "STAFFBANK_PAYROLL";

/// Where delivered payroll files go.
pub struct ExportTarget {
    /// The directory payroll picks files up from.
    pub dir: PathBuf,
    /// JetStream, when NATS is configured.
    pub jetstream: Option<async_nats::jetstream::Context>,
}

impl ExportTarget {
    /// A target that writes files to `dir` (created if missing) and, given a NATS URL,
    /// announces them on JetStream (the stream is created if missing).
    pub async fn connect(dir: PathBuf, nats_url: Option<&str>) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        let jetstream = match nats_url {
            None => None,
            Some(url) => {
                let client = async_nats::connect(url).await?;
                let js = async_nats::jetstream::new(client);
                js.get_or_create_stream(async_nats::jetstream::stream::Config {
                    name: STREAM.into(),
                    subjects: vec![format!("{EXPORTED_SUBJECT}.>"), EXPORTED_SUBJECT.into()],
                    duplicate_window: Duration::from_secs(24 * 3600),
                    ..Default::default()
                })
                .await
                .map_err(|e| anyhow::anyhow!("JetStream stream {STREAM}: {e}"))?;
                Some(js)
            }
        };
        Ok(Self { dir, jetstream })
    }
}

/// Writes `bytes` to `dir/name` so that the name only ever holds the whole file.
fn write_whole(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let partial = dir.join(format!(".{name}.partial"));
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&partial, dir.join(name))?;
    // The rename is durable once the directory is.
    std::fs::File::open(dir)?.sync_all()
}

impl App {
    /// Builds a closed run's payroll file from its lines.
    pub(crate) async fn payroll_file(&self, run: &PayRun) -> Result<String, AppError> {
        let employer = self
            .store
            .organisation(run.org_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let lines = self.store.export_lines(run.id).await?;
        Ok(payroll_csv(
            &ExportRun {
                id: run.id,
                employer: employer.name.as_str().to_owned(),
                first_day: run.first_day,
                last_day: run.last_day,
            },
            &lines,
        ))
    }

    /// Delivers every queued payroll file; how many were delivered. Does nothing without an
    /// export target.
    pub async fn deliver_exports(&self) -> Result<usize, AppError> {
        let Some(target) = self.export_target.clone() else {
            return Ok(0);
        };
        let mut delivered = 0;
        loop {
            let pending = self.store.pending_exports(BATCH).await?;
            for (run, export) in &pending {
                if self.deliver(&target, run, export).await? {
                    metrics::counter!(crate::measures::PAYROLL_FILES_DELIVERED).increment(1);
                    delivered += 1;
                }
            }
            if pending.len() < BATCH as usize {
                return Ok(delivered);
            }
        }
    }

    async fn deliver(
        &self,
        target: &ExportTarget,
        run: &PayRun,
        export: &PayExport,
    ) -> Result<bool, AppError> {
        let file = self.payroll_file(run).await?;
        let sha256 = crate::auth::sha256_hex(file.as_bytes());
        let bytes = i64::try_from(file.len()).unwrap_or(i64::MAX);
        let (dir, name) = (target.dir.clone(), export.file_name.clone());
        tokio::task::spawn_blocking(move || write_whole(&dir, &name, file.as_bytes()))
            .await
            .map_err(|e| AppError::Unexpected(e.into()))?
            .map_err(|e| {
                AppError::Unexpected(anyhow::anyhow!("writing {}: {e}", export.file_name))
            })?;
        let facts = json!({"pay_run": run.id, "org": run.org_id, "file": export.file_name,
            "sha256": sha256, "bytes": bytes, "lines": run.lines, "total_pence": run.total});
        if let Some(js) = &target.jetstream {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", run.id.to_string().as_str());
            js.publish_with_headers(EXPORTED_SUBJECT, headers, facts.to_string().into())
                .await
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("NATS publish: {e}")))?
                .await
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("NATS acknowledgement: {e}")))?;
        }
        let record = self
            .audit_record(Change {
                action: "pay_run.exported",
                actor: None,
                tenant: Some(run.org_id),
                subject: None,
                facts,
                personal: None,
            })
            .await?;
        let delivered = PayExport {
            delivered_at: Some(self.now()),
            sha256: Some(sha256),
            bytes: Some(bytes),
            ..export.clone()
        };
        Ok(self.store.mark_exported(&delivered, &[record]).await?)
    }

    /// Delivers payroll files until the app stops: whenever a run closes, and every few
    /// seconds. Errors are logged and retried.
    pub async fn run_exports(self) {
        loop {
            match self.deliver_exports().await {
                Ok(0) => {}
                Ok(delivered) => tracing::info!(delivered, "payroll files delivered"),
                Err(e) => tracing::warn!(error = %e, "delivering payroll files failed"),
            }
            if !self.pause(TICK, Some(&self.exports_waiting)).await {
                return;
            }
        }
    }
}
