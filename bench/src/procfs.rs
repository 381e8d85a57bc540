//! What Linux says about a process: its peak resident memory (VmHWM, what Lambda reports as "Max
//! Memory Used") and the CPU time it has used, including threads that have ended.

use std::path::Path;

/// The peak resident set size of a running process, in KiB.
pub fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_kib(&status, "VmHWM")
}

/// The CPU time (user + system) a process has used so far, in milliseconds.
pub fn cpu_ms(pid: u32, ticks_per_second: u64) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let ticks = stat_cpu_ticks(&stat)?;
    Some(ticks as f64 * 1000.0 / ticks_per_second.max(1) as f64)
}

/// The CPU time a running process's live threads have used, in ms, at nanosecond resolution
/// (/proc/<pid>/task/*/schedstat): precise for a process whose threads have not ended yet, such
/// as a function process just after its first invocation.
pub fn threads_cpu_ms(pid: u32) -> Option<f64> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut total_ns: u64 = 0;
    let mut read = 0;
    for task in tasks.flatten() {
        // A thread that ended after the listing has no schedstat left; it is no longer live.
        let Ok(schedstat) = std::fs::read_to_string(task.path().join("schedstat")) else {
            continue;
        };
        total_ns += schedstat_run_ns(&schedstat)?;
        read += 1;
    }
    (read > 0).then(|| total_ns as f64 / 1e6)
}

/// The running processes whose parent is `parent`.
pub fn children(parent: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| stat_ppid(&stat))
                == Some(parent)
        })
        .collect()
}

/// The file name of a process's executable (`moto_server`'s is python's).
pub fn exe_name(pid: u32) -> Option<String> {
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    Path::new(&exe)
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
}

/// USER_HZ, the unit of /proc's CPU times (100 on every Linux build we know of).
pub fn ticks_per_second() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|out| String::from_utf8(out.stdout).ok())
        .and_then(|text| text.trim().parse().ok())
        .unwrap_or(100)
}

/// A `Key:   1234 kB` line of /proc/<pid>/status.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        if name != key {
            return None;
        }
        value.split_whitespace().next()?.parse().ok()
    })
}

/// The fields after the command name, which may itself hold spaces and parentheses.
fn stat_fields(stat: &str) -> Vec<&str> {
    stat.rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default()
}

/// utime + stime (fields 14 and 15 of /proc/<pid>/stat).
fn stat_cpu_ticks(stat: &str) -> Option<u64> {
    let fields = stat_fields(stat);
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}

/// Time on a CPU, in ns: the first field of /proc/<pid>/task/<tid>/schedstat.
fn schedstat_run_ns(schedstat: &str) -> Option<u64> {
    schedstat.split_whitespace().next()?.parse().ok()
}

/// The parent pid (field 4 of /proc/<pid>/stat).
fn stat_ppid(stat: &str) -> Option<u32> {
    stat_fields(stat).get(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STAT: &str = "4242 (check (stack) x) S 4200 4242 4200 0 -1 4194560 612 0 0 0 7 3 0 0 20 0 3 0 1234 10000 500";

    #[test]
    fn reads_the_peak_not_the_current_rss() {
        let status =
            "Name:\tcheck-stack\nVmPeak:\t  20000 kB\nVmHWM:\t    9876 kB\nVmRSS:\t    8000 kB\n";
        assert_eq!(status_kib(status, "VmHWM"), Some(9876));
        assert_eq!(status_kib(status, "VmSwap"), None);
    }

    #[test]
    fn cpu_ticks_are_user_plus_system_after_an_awkward_command_name() {
        assert_eq!(stat_cpu_ticks(STAT), Some(10));
        assert_eq!(stat_ppid(STAT), Some(4200));
    }

    #[test]
    fn schedstat_gives_the_time_on_cpu() {
        assert_eq!(
            schedstat_run_ns("146721576 521666832 61\n"),
            Some(146_721_576)
        );
        assert_eq!(schedstat_run_ns(""), None);
    }

    #[test]
    fn a_truncated_stat_line_gives_nothing() {
        assert_eq!(stat_cpu_ticks("1 (x) S 0"), None);
    }

    #[test]
    fn this_process_has_a_peak_rss_and_cpu_time() {
        let pid = std::process::id();
        assert!(peak_rss_kib(pid).is_some_and(|kib| kib > 0));
        assert!(cpu_ms(pid, ticks_per_second()).is_some());
        assert!(threads_cpu_ms(pid).is_some_and(|ms| ms > 0.0));
    }
}
