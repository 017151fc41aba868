//! Prometheus metrics, one registry per [`crate::startup::Application`] (tests run several
//! applications in one process, so nothing is global). Rendered at `GET /metrics`; the
//! gauges read from the database (queue depth, syncs by state, webhook backlog) are set just
//! before rendering, so every process on a shared PostgreSQL database reports the same
//! figures for them.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    /// Status class: `2xx`, `4xx`, `5xx` (keeps the label set small).
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub method: String,
    /// The route's pattern (`/rest/accesses/{access_id}/syncs`), `widget` for the widget's
    /// files and page.
    pub route: String,
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabels {
    pub status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FinishedLabels {
    pub status: String,
    /// The finX error code of a failed sync, `none` for a completed one.
    pub error_code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BankCallLabels {
    /// `sandbox`, `psd2`, `fints`.
    pub provider: String,
    /// `login`, `accounts`, `transactions`.
    pub step: String,
    pub outcome: BankOutcome,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelValue)]
pub enum BankOutcome {
    Ok,
    Retryable,
    Fatal,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct BankRetryLabels {
    pub provider: String,
    pub step: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LimitLabels {
    /// The budget that refused: `token`, `access`, `widget`, `credentials_client`, …
    pub limit: String,
}

/// Every metric the server exports.
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_request_duration: Family<RouteLabels, Histogram>,
    pub sync_queue_depth: Gauge,
    pub sync_queue_wait: Histogram,
    pub syncs_active: Family<StatusLabels, Gauge>,
    pub syncs_finished: Family<FinishedLabels, Counter>,
    pub sync_takeovers: Counter,
    pub bank_call_duration: Family<BankCallLabels, Histogram>,
    pub bank_call_retries: Family<BankRetryLabels, Counter>,
    pub webhook_outbox_backlog: Gauge,
    pub rate_limit_refusals: Family<LimitLabels, Counter>,
}

/// Seconds, 5 ms to about 80 s.
fn latency_buckets() -> impl Iterator<Item = f64> {
    prometheus_client::metrics::histogram::exponential_buckets(0.005, 2.0, 15)
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("kontolink");
        let metrics = Metrics {
            registry: Arc::default(),
            http_requests: Family::default(),
            http_request_duration: Family::new_with_constructor(|| {
                Histogram::new(latency_buckets())
            }),
            sync_queue_depth: Gauge::default(),
            sync_queue_wait: Histogram::new(latency_buckets()),
            syncs_active: Family::default(),
            syncs_finished: Family::default(),
            sync_takeovers: Counter::default(),
            bank_call_duration: Family::new_with_constructor(|| Histogram::new(latency_buckets())),
            bank_call_retries: Family::default(),
            webhook_outbox_backlog: Gauge::default(),
            rate_limit_refusals: Family::default(),
        };
        let m = &metrics;
        registry.register(
            "http_requests",
            "HTTP requests answered, by method and status class",
            m.http_requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request, by method, route and status class",
            m.http_request_duration.clone(),
        );
        registry.register(
            "sync_queue_depth",
            "Syncs waiting in the queue (QUEUED) for a worker",
            m.sync_queue_depth.clone(),
        );
        registry.register(
            "sync_queue_wait_seconds",
            "Time a sync waited in the queue before a worker of this process claimed it",
            m.sync_queue_wait.clone(),
        );
        registry.register(
            "syncs",
            "Syncs in an active state (QUEUED, RUNNING, AWAIT_AUTH), all processes",
            m.syncs_active.clone(),
        );
        registry.register(
            "syncs_finished",
            "Syncs this process ended, by status and finX error code",
            m.syncs_finished.clone(),
        );
        registry.register(
            "sync_takeovers",
            "Syncs taken over from a worker that stopped heartbeating (a crashed process)",
            m.sync_takeovers.clone(),
        );
        registry.register(
            "bank_call_duration_seconds",
            "Time of one bank call (one attempt), by provider, step and outcome",
            m.bank_call_duration.clone(),
        );
        registry.register(
            "bank_call_retries",
            "Bank calls retried after a transient failure, by provider and step",
            m.bank_call_retries.clone(),
        );
        registry.register(
            "webhook_outbox_backlog",
            "Webhooks written to the outbox and not yet delivered",
            m.webhook_outbox_backlog.clone(),
        );
        registry.register(
            "rate_limit_refusals",
            "Requests refused with 429, by rate limit",
            m.rate_limit_refusals.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            ..metrics
        }
    }

    /// Records one bank call of `provider`'s `step`.
    pub fn bank_call(&self, provider: &str, step: &str, outcome: BankOutcome, took: Duration) {
        self.bank_call_duration
            .get_or_create(&BankCallLabels {
                provider: provider.to_owned(),
                step: step.to_owned(),
                outcome,
            })
            .observe(took.as_secs_f64());
    }

    /// The Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &self.registry) {
            tracing::error!(%error, "encoding metrics");
        }
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
