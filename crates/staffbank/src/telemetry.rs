//! Logs and traces. Logs go to stderr: human-readable on a terminal, JSON with
//! `STAFFBANK_LOG_JSON=1` (production). With an OTLP endpoint configured, every span (each
//! request, carrying its request id, and the use cases inside it) is also exported to an
//! OpenTelemetry collector over OTLP/HTTP; without one no exporter exists, so traces cost
//! nothing.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// What must be flushed before the process exits.
#[must_use = "call shutdown before exiting, or spans still batched are lost"]
pub struct Telemetry {
    #[cfg(feature = "otlp")]
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still batched (call outside the async runtime: it blocks).
    pub fn shutdown(self) {
        #[cfg(feature = "otlp")]
        if let Some(provider) = self.provider {
            if let Err(e) = provider.shutdown() {
                eprintln!("exporting the last traces failed: {e}");
            }
        }
    }
}

/// Starts logging, and exporting traces to `otlp_endpoint` (the collector's base URL, as in
/// `OTEL_EXPORTER_OTLP_ENDPOINT`: spans go to `/v1/traces` under it) when one is given.
pub fn init(otlp_endpoint: Option<&str>) -> anyhow::Result<Telemetry> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let logs = if std::env::var("STAFFBANK_LOG_JSON").is_ok_and(|v| v == "1") {
        logs.json().boxed()
    } else {
        logs.boxed()
    };
    let registry = tracing_subscriber::registry().with(filter).with(logs);
    match otlp_endpoint.filter(|e| !e.is_empty()) {
        None => {
            registry.init();
            Ok(Telemetry {
                #[cfg(feature = "otlp")]
                provider: None,
            })
        }
        #[cfg(feature = "otlp")]
        Some(endpoint) => {
            let (layer, provider) = otlp::layer(endpoint)?;
            registry.with(layer).init();
            tracing::info!(endpoint, "exporting traces over OTLP");
            Ok(Telemetry {
                provider: Some(provider),
            })
        }
        #[cfg(not(feature = "otlp"))]
        Some(_) => anyhow::bail!(
            "this binary was built without the `otlp` feature: rebuild with it to export traces, \
             or unset OTEL_EXPORTER_OTLP_ENDPOINT / --otlp-endpoint"
        ),
    }
}

#[cfg(feature = "otlp")]
mod otlp {
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::WithExportConfig;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use opentelemetry_sdk::Resource;

    /// The layer exporting spans to the collector at `endpoint`, and its provider (to flush).
    pub(super) fn layer<S>(
        endpoint: &str,
    ) -> anyhow::Result<(
        tracing_opentelemetry::OpenTelemetryLayer<S, opentelemetry_sdk::trace::Tracer>,
        SdkTracerProvider,
    )>
    where
        S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
    {
        let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_endpoint(&url)
            .build()
            .map_err(|e| anyhow::anyhow!("--otlp-endpoint {endpoint}: {e}"))?;
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(Resource::builder().with_service_name("staffbank").build())
            .build();
        let tracer = provider.tracer("staffbank");
        Ok((tracing_opentelemetry::layer().with_tracer(tracer), provider))
    }
}
