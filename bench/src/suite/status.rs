//! Status requests against a daemon: how many per second when it is idle (against its health
//! endpoint, the cheapest request it serves, as the reference), and how many and how fast while
//! it is receiving a module.

use std::time::Duration;

use anyhow::Result;
use pimlico_proto::DataCompression;

use super::load::{Load, run_for};
use super::table::{Aim, Row, Unit, Value};
use super::transfer::pull;
use super::{Context, DataSet};
use crate::daemon::{Daemon, PIPELINE_NAME};

fn per_second(n: f64) -> Value {
    Value {
        number: n,
        unit: Unit::PerSecond,
    }
}

fn millis(d: Duration) -> Value {
    Value {
        number: d.as_secs_f64() * 1000.0,
        unit: Unit::Millis,
    }
}

/// Loads a fresh destination daemon idle, then during a pull of `set` from `a` with the
/// default compression.
pub async fn status_rows(ctx: &Context, a: &Daemon, set: &DataSet) -> Result<Vec<Row>> {
    let b = Daemon::start(&ctx.launcher, &ctx.work, "status-b", &[set.module])?;
    let status = ["v1", "pipelines", PIPELINE_NAME, "main", "status"];
    let health = ["v1", "health"];
    let conns = ctx.connections;
    let idle_health = run_for(&b.client, &health, conns, ctx.load_duration).await?;
    let idle = run_for(&b.client, &status, conns, ctx.load_duration).await?;
    let load = Load::start(&b.client, &status, conns);
    let time = pull(a, &b, set.module, DataCompression::default()).await?;
    let busy = load.stop().await?;
    ctx.log(&format!(
        "status: idle {:.0}/s (p99 {:.1} ms), health {:.0}/s; during a {:.2} s transfer {:.0}/s \
         (p99 {:.1} ms, {} requests)",
        idle.per_second(),
        idle.percentile(0.99).as_secs_f64() * 1e3,
        idle_health.per_second(),
        time.as_secs_f64(),
        busy.per_second(),
        busy.percentile(0.99).as_secs_f64() * 1e3,
        busy.latencies.len()
    ));
    let during = format!("during a transfer of {} (default compression)", set.label);
    Ok(vec![
        Row {
            measure: format!("status requests/s, idle daemon ({conns} connections)"),
            ours: per_second(idle.per_second()),
            reference: Some((
                "GET /v1/health".into(),
                per_second(idle_health.per_second()),
            )),
            cpu: None,
            aim: Aim::None,
        },
        Row {
            measure: format!("status requests/s {during}"),
            ours: per_second(busy.per_second()),
            reference: Some(("idle".into(), per_second(idle.per_second()))),
            cpu: None,
            aim: Aim::None,
        },
        Row {
            measure: format!("status p99 latency {during}"),
            ours: millis(busy.percentile(0.99)),
            reference: Some(("idle".into(), millis(idle.percentile(0.99)))),
            cpu: None,
            aim: Aim::None,
        },
    ])
}
