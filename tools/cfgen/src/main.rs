//! Command-line entry point of `cfgen` (see the library docs for the model).

use std::path::PathBuf;
use std::process::ExitCode;

use cfgen::{run, Config, FEATURES, THREATS};

const USAGE: &str = "\
cfgen: deterministic synthetic CloudFront standard access logs with injected threats

usage: cfgen --out DIR [options]

  --out DIR                output directory (required)
  --seed N                 master seed (default 42)
  --date YYYY-MM-DD        first UTC day (default 2026-11-20)
  --hours N                hours to generate, from 00:00 UTC (default 24)
  --lines N                total log lines, benign + injected (default 300000)
  --threats LIST           all | none | comma list (default all)
  --benign LIST            benign features: all | none | comma list (default all)
  --truth FILE             ground truth JSON (default DIR/truth.json)
  --gzip-level N           0-9 (default 6)
  --plain                  write uncompressed .log files instead of .gz
  --distribution ID        distribution id in file names (default E2EXAMPLE123ABC)
  --files-per-hour N       files per hour (default 1)
  --threads N              worker threads (default: all cores; output is identical)
  -h, --help               this help

threats: ";

fn parse(args: &[String]) -> Result<Config, String> {
    let mut cfg = Config::default();
    let mut out = None;
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let flag = matches!(key.as_str(), "--plain" | "-h" | "--help");
        let val = if flag {
            String::new()
        } else if let Some(v) = inline {
            v
        } else {
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("{key} needs a value"))?
        };
        let num = |v: &str| v.parse::<u64>().map_err(|_| format!("{key}: not a number: {v:?}"));
        match key.as_str() {
            "-h" | "--help" => return Err(String::new()),
            "--out" => out = Some(PathBuf::from(val)),
            "--seed" => cfg.seed = num(&val)?,
            "--date" => cfg.date = val,
            "--hours" => cfg.hours = num(&val)? as u32,
            "--lines" => cfg.lines = num(&val)?,
            "--threats" => {
                cfg.threats = match val.as_str() {
                    "all" => THREATS.iter().map(|s| s.to_string()).collect(),
                    "none" | "" => Vec::new(),
                    list => list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
                }
            }
            "--benign" => {
                cfg.features = match val.as_str() {
                    "all" => FEATURES.iter().map(|s| s.to_string()).collect(),
                    "none" | "" => Vec::new(),
                    list => list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
                }
            }
            "--truth" => cfg.truth = Some(PathBuf::from(val)),
            "--gzip-level" => cfg.gzip_level = num(&val)? as u32,
            "--plain" => cfg.plain = true,
            "--distribution" => {
                if val.is_empty() || !val.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err("--distribution must be alphanumeric".into());
                }
                cfg.distribution = val
            }
            "--files-per-hour" => cfg.files_per_hour = num(&val)? as u32,
            "--threads" => cfg.threads = Some(num(&val)?.max(1) as usize),
            _ => return Err(format!("unknown argument {a:?}")),
        }
        i += 1;
    }
    cfg.out = out.ok_or("--out DIR is required")?;
    Ok(cfg)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse(&args) {
        Ok(c) => c,
        Err(e) => {
            let help = e.is_empty();
            if !help {
                eprintln!("cfgen: {e}");
            }
            eprintln!("{USAGE}{}\nbenign features: {}", THREATS.join(","), FEATURES.join(","));
            return if help { ExitCode::SUCCESS } else { ExitCode::from(2) };
        }
    };
    match run(&cfg) {
        Ok(s) => {
            println!(
                "cfgen: files={} lines={} (benign={} injected={}) bytes_uncompressed={} bytes_written={} seconds={:.2} truth={}",
                s.files,
                s.lines,
                s.benign_lines,
                s.threat_lines,
                s.bytes_uncompressed,
                s.bytes_written,
                s.seconds,
                s.truth_path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cfgen: {e}");
            ExitCode::FAILURE
        }
    }
}
