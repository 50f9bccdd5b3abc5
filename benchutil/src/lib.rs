//! Benchmark support shared by the crates' criterion benches: a criterion [`Measurement`]
//! in the calling thread's CPU time, so that one-core throughput figures stay meaningful on a
//! machine busy with other work (wall time there measures the neighbours). Linux reads
//! `/proc/thread-self/schedstat`; elsewhere it falls back to wall time.
#![warn(missing_docs)]

use criterion::Throughput;
use criterion::measurement::{Measurement, ValueFormatter};

/// CPU time of the calling thread, nanoseconds.
pub fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| {
            // No schedstat: wall time since the first call.
            static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
            #[allow(clippy::disallowed_methods)] // bench harness, not library code
            let start = *START.get_or_init(std::time::Instant::now);
            start.elapsed().as_nanos() as u64
        })
}

/// Criterion measurement in thread CPU time.
pub struct CpuTime;

impl Measurement for CpuTime {
    type Intermediate = u64;
    type Value = u64;
    fn start(&self) -> u64 {
        thread_cpu_ns()
    }
    fn end(&self, i: u64) -> u64 {
        thread_cpu_ns().saturating_sub(i)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

/// Formats values in µs of CPU and throughputs in millions of elements per CPU second.
struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, _typical: f64, values: &mut [f64]) -> &'static str {
        for v in values.iter_mut() {
            *v *= 1e-3;
        }
        "µs (CPU)"
    }
    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let n = match *throughput {
            Throughput::Elements(n) | Throughput::Bytes(n) | Throughput::BytesDecimal(n) => n,
            _ => 1,
        } as f64;
        for v in values.iter_mut() {
            *v = n * 1e3 / *v;
        }
        "M elements/s (CPU)"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}
