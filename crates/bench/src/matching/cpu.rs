//! Where a burst's CPU time went: the server, the load generator (this process) and PostgreSQL,
//! read from `/proc` before and after. On a machine where all three share the cores, this says
//! which one a faster booking path has to make cheaper.

use std::collections::HashMap;

/// CPU seconds used so far by each process of interest.
#[derive(Debug, Default, Clone)]
pub struct CpuSnapshot {
    server: f64,
    generator: f64,
    /// By pid, so backends that start during the burst count from zero.
    database: HashMap<u32, f64>,
}

/// CPU seconds spent between two snapshots.
#[derive(Debug, Clone, Copy)]
pub struct CpuUsed {
    /// The `staffbank serve` process.
    pub server: f64,
    /// This process: the simulated workers' HTTP clients.
    pub generator: f64,
    /// Every `postgres` process (zero on SQLite, which runs inside the server).
    pub database: f64,
}

/// User plus system CPU seconds of a process, from `/proc/<pid>/stat`.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: count fields after the last ')'.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // Linux reports in clock ticks, 100 a second on every architecture it runs on here.
    Some((utime + stime) / 100.0)
}

impl CpuSnapshot {
    /// Reads the server's, this process's and every PostgreSQL process's CPU time.
    pub fn take(server_pid: u32) -> Self {
        let mut database = HashMap::new();
        if let Ok(dir) = std::fs::read_dir("/proc") {
            for entry in dir.flatten() {
                let name = entry.file_name();
                let Some(pid) = name.to_str().and_then(|p| p.parse::<u32>().ok()) else {
                    continue;
                };
                let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
                if comm.trim() == "postgres" {
                    if let Some(s) = cpu_seconds(&pid.to_string()) {
                        database.insert(pid, s);
                    }
                }
            }
        }
        Self {
            server: cpu_seconds(&server_pid.to_string()).unwrap_or(0.0),
            generator: cpu_seconds("self").unwrap_or(0.0),
            database,
        }
    }

    /// What was spent from `self` to `later`.
    pub fn until(&self, later: &CpuSnapshot) -> CpuUsed {
        let database = later
            .database
            .iter()
            .map(|(pid, s)| s - self.database.get(pid).copied().unwrap_or(0.0))
            .sum();
        CpuUsed {
            server: later.server - self.server,
            generator: later.generator - self.generator,
            database,
        }
    }
}
