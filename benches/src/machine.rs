//! What the benchmarks record with their results: the machine, its load and moto's version.
// Included by each benchmark binary (#[path]); each uses a part.
#![allow(dead_code)]

pub fn moto_version() -> String {
    let python = poni_e2e::venv_dir().join("bin/python");
    std::process::Command::new(python)
        .args(["-c", "import moto; print(moto.__version__)"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// CPU model, cores, memory and kernel: `AMD EPYC, 2 cores, 24 GiB, Linux 6.1`.
pub fn hardware() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned()).unwrap_or_default();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gib = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches(" kB").parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{model}, {cores} cores, {mem_gib:.0} GiB, Linux {}", kernel.trim())
}

/// The load averages over 1, 5 and 15 minutes: `1.47 1.05 1.36`.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").unwrap_or_default().split_whitespace().take(3).collect::<Vec<_>>().join(" ")
}

/// The machine line of a results file.
pub fn machine() -> String {
    format!("Machine: {}; load average at the end {}.\n", hardware(), load_average())
}
