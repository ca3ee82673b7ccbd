//! End-to-end tests: generate small runs and check the files against the truth.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use cfgen::encode::parse_date;
use cfgen::{run, Config, THREATS};
use serde_json::Value;

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("cfgen-test-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    d
}

fn cfg(out: &Path, lines: u64) -> Config {
    Config { out: out.to_path_buf(), lines, ..Config::default() }
}

/// All data lines of a run (plain or gzip), checking the two header lines.
fn read_lines(files: &[PathBuf]) -> Vec<String> {
    let mut rows = Vec::new();
    for f in files {
        let raw = fs::read(f).unwrap();
        let text = if f.extension().is_some_and(|e| e == "gz") {
            let mut s = String::new();
            flate2::read::GzDecoder::new(&raw[..]).read_to_string(&mut s).unwrap();
            s
        } else {
            String::from_utf8(raw).unwrap()
        };
        let mut it = text.split_terminator('\n');
        assert_eq!(it.next(), Some("#Version: 1.0"));
        let fields = it.next().unwrap();
        assert!(fields.starts_with("#Fields: date time x-edge-location sc-bytes c-ip"));
        assert_eq!(fields.trim_start_matches("#Fields: ").split(' ').count(), 33);
        rows.extend(it.map(str::to_string));
    }
    rows
}

fn ms_of(day0: i64, f: &[&str]) -> u64 {
    let day = parse_date(f[0]).unwrap() - day0;
    let t: Vec<u64> = f[1].split(':').map(|x| x.parse().unwrap()).collect();
    ((day as u64 * 24 + t[0]) * 3600 + t[1] * 60 + t[2]) * 1000
}

fn path_matches(stem: &str, patterns: &[Value]) -> bool {
    patterns.iter().any(|p| {
        let p = p.as_str().unwrap();
        match p.strip_suffix('*') {
            Some(prefix) => stem.starts_with(prefix),
            None => stem == p,
        }
    })
}

#[test]
fn deterministic_and_thread_independent() {
    let a = tmp("det-a");
    let b = tmp("det-b");
    let mut ca = cfg(&a, 40_000);
    ca.threads = Some(1);
    let mut cb = cfg(&b, 40_000);
    cb.threads = Some(3);
    let sa = run(&ca).unwrap();
    let sb = run(&cb).unwrap();
    assert_eq!(sa.files, 24);
    assert_eq!(sa.file_paths.len(), sb.file_paths.len());
    for (x, y) in sa.file_paths.iter().zip(&sb.file_paths) {
        assert_eq!(x.file_name(), y.file_name());
        assert!(fs::read(x).unwrap() == fs::read(y).unwrap(), "{} differs", x.display());
    }
    assert_eq!(fs::read(a.join("truth.json")).unwrap(), fs::read(b.join("truth.json")).unwrap());

    // Another seed gives other data.
    let c = tmp("det-c");
    let mut cc = cfg(&c, 40_000);
    cc.seed = 7;
    let sc = run(&cc).unwrap();
    assert_ne!(fs::read(&sa.file_paths[12]).unwrap(), fs::read(&sc.file_paths[12]).unwrap());
    for d in [a, b, c] {
        fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn lines_have_33_fields_and_encoded_user_agents() {
    let out = tmp("fields");
    let mut c = cfg(&out, 60_000);
    c.plain = true;
    let s = run(&c).unwrap();
    assert!(s.file_paths.iter().all(|p| p.extension().unwrap() == "log"));
    let rows = read_lines(&s.file_paths);
    assert_eq!(rows.len() as u64, 60_000);
    assert_eq!(s.lines, 60_000);
    let mut browsers = 0;
    for r in &rows {
        let f: Vec<&str> = r.split('\t').collect();
        assert_eq!(f.len(), 33, "{r}");
        assert!(f.iter().all(|x| !x.is_empty()), "empty field in {r}");
        // Only x-forwarded-for may hold a space (`a, b` lists).
        assert!(f.iter().enumerate().all(|(i, x)| i == 19 || !x.contains(' ')), "raw space in {r}");
        let ua = f[10];
        assert!(!ua.bytes().any(|b| b <= 32 || b >= 127 || b"<>\"#{}|\\^~[]`'".contains(&b)), "unencoded byte in UA {ua}");
        if ua.starts_with("Mozilla/5.0%20(") {
            browsers += 1;
        }
        assert_eq!(f[6], "d111111abcdef8.cloudfront.net");
        assert_eq!(f[14].len(), 56, "request id {}", f[14]);
        assert!(f[8] == "000" || f[8].parse::<u16>().is_ok());
        assert!(f[18].contains('.') && f[27].contains('.'));
        assert!(["http", "https", "ws", "wss"].contains(&f[16]));
    }
    assert!(browsers > rows.len() / 2);
    fs::remove_dir_all(out).unwrap();
}

#[test]
fn truth_matches_lines() {
    let out = tmp("truth");
    let mut c = cfg(&out, 80_000);
    c.plain = true;
    c.files_per_hour = 2;
    let s = run(&c).unwrap();
    assert_eq!(s.files, 48);
    let truth: Value = serde_json::from_slice(&fs::read(&s.truth_path).unwrap()).unwrap();
    let day0 = parse_date(truth["date"].as_str().unwrap()).unwrap();
    let rows = read_lines(&s.file_paths);
    assert_eq!(rows.len() as u64, truth["lines"].as_u64().unwrap());
    let rows: Vec<Vec<&str>> = rows.iter().map(|r| r.split('\t').collect()).collect();
    let threats = truth["threats"].as_array().unwrap();
    let names: HashSet<&str> = threats.iter().map(|t| t["threat"].as_str().unwrap()).collect();
    for t in THREATS {
        assert!(names.contains(t), "missing truth for {t}");
    }
    let mut by_ip: HashMap<&str, Vec<&Vec<&str>>> = HashMap::new();
    for r in &rows {
        by_ip.entry(r[4]).or_default().push(r);
    }
    for t in threats {
        let name = t["threat"].as_str().unwrap();
        let start = t["start_ms"].as_u64().unwrap();
        let end = t["end_ms"].as_u64().unwrap();
        let requests = t["requests"].as_u64().unwrap();
        assert!(requests > 0, "{name} has no requests");
        let ips: Vec<&str> = t["ips"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        if name == "error_spike" {
            let in_win: Vec<_> = rows.iter().filter(|r| (start..end).contains(&ms_of(day0, r))).collect();
            let errs = in_win.iter().filter(|r| r[8].starts_with('5')).count() as u64;
            assert_eq!(errs, requests);
            let ratio = errs as f64 / in_win.len() as f64;
            assert!((0.2..0.4).contains(&ratio), "error ratio {ratio}");
            // Outside the window 5xx stays rare.
            let outside = rows.iter().filter(|r| !(start..end).contains(&ms_of(day0, r)));
            let (n, e) = outside.fold((0u64, 0u64), |(n, e), r| (n + 1, e + r[8].starts_with('5') as u64));
            assert!((e as f64) < n as f64 * 0.01, "baseline 5xx {e}/{n}");
            continue;
        }
        let edges: Vec<&str> = t["edge_locations"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let paths = t["paths"].as_array().unwrap();
        let mut n = 0u64;
        for ip in &ips {
            for r in by_ip.get(ip).map(|v| v.as_slice()).unwrap_or(&[]) {
                n += 1;
                let ms = ms_of(day0, r);
                assert!(ms >= start && ms < end, "{name}: line outside window: {}", r.join(" "));
                assert!(edges.contains(&r[2]), "{name}: unexpected edge {}", r[2]);
                assert!(path_matches(r[7], paths), "{name}: unexpected path {}", r[7]);
            }
        }
        assert_eq!(n, requests, "{name} {:?}", t["phase"]);
        match name {
            "scraper" => {
                let distinct: HashSet<&str> = ips.iter().flat_map(|ip| by_ip[ip].iter().map(|r| r[7])).collect();
                assert!(distinct.len() >= 300);
            }
            "geo_spike" => {
                let edge = edges[0];
                assert_eq!(edges.len(), 1);
                let all = rows.iter().filter(|r| r[2] == edge).count() as u64;
                assert_eq!(all, requests, "new edge used by someone else");
            }
            "waf_blocks" => {
                let blocked =
                    ips.iter().flat_map(|ip| by_ip[ip].iter()).filter(|r| r[8] == "403" && r[28] == "InvalidRequestBlocked").count();
                assert!(blocked as f64 > requests as f64 * 0.8);
            }
            "waf_bypass" => {
                let lines: Vec<_> = by_ip[ips[0]].iter().collect();
                let first_ok = lines.iter().filter(|r| r[8] == "200").map(|r| ms_of(day0, r)).min().unwrap();
                let last_block = lines.iter().filter(|r| r[8] == "403").map(|r| ms_of(day0, r)).max().unwrap();
                assert!(last_block < first_ok);
                assert!(lines.iter().filter(|r| r[8] == "200").all(|r| r[11].contains("%25")));
            }
            "egress" => {
                assert!(by_ip[ips[0]].iter().all(|r| r[3].parse::<u64>().unwrap() >= 200_000_000));
            }
            "protocol_anomaly" => {
                assert!(by_ip[ips[0]].iter().all(|r| r[10] == "-" && ["SSLv3", "TLSv1", "TLSv1.1"].contains(&r[20])));
            }
            "credential_stuffing" => {
                assert!(ips.len() >= 100);
                let fails = ips.iter().flat_map(|ip| by_ip[ip].iter()).filter(|r| r[8] == "401" || r[8] == "403").count();
                assert!(fails as f64 > requests as f64 * 0.8);
            }
            "payload_attacks" => {
                // One client per family; the outcome in details matches the statuses logged.
                let d = &t["details"];
                let lines: Vec<_> = by_ip[ips[0]].iter().collect();
                let ok = lines.iter().filter(|r| r[8].starts_with('2') || r[8].starts_with('3')).count() as u64;
                let blocked = lines.iter().filter(|r| r[8] == "403" && r[28] == "InvalidRequestBlocked").count() as u64;
                assert_eq!(ok, d["answered_2xx_3xx"].as_u64().unwrap());
                assert_eq!(blocked, d["blocked"].as_u64().unwrap());
                // Logged as CloudFront escapes it: no raw space, quote, brace or angle bracket.
                assert!(lines.iter().all(|r| !r[11].contains(['<', '>', '{', '\'', ' '])));
            }
            "worm_noise" => {
                assert!(ips.len() >= 60);
                assert!(ips.iter().all(|ip| by_ip[ip].len() <= 3));
                assert!(ips.iter().flat_map(|ip| by_ip[ip].iter()).all(|r| r[8] == "404"));
            }
            "botnet_login" => {
                assert!(ips.len() >= 40);
                assert!(ips.iter().all(|ip| by_ip[ip].len() <= 2 && by_ip[ip].iter().all(|r| r[5] == "POST")));
                let uas: HashSet<&str> = ips.iter().flat_map(|ip| by_ip[ip].iter().map(|r| r[10])).collect();
                assert_eq!(uas.len(), 1);
            }
            "fake_crawler" => {
                assert!(ips.iter().all(|ip| !ip.starts_with("66.249.")));
                assert!(ips.iter().flat_map(|ip| by_ip[ip].iter()).all(|r| r[10].contains("Googlebot")));
            }
            "ddos" if t["phase"] == "flood" => assert!(requests > 500 && end - start <= 300_000),
            "ddos" => assert!(ips.len() >= 200),
            _ => {}
        }
    }
    // Benign features: every line of their addresses is theirs, and each looks as described.
    let benign = truth["benign"].as_array().unwrap();
    let names: Vec<&str> = benign.iter().map(|b| b["threat"].as_str().unwrap()).collect();
    assert_eq!(names, cfgen::FEATURES);
    for b in benign {
        let ips: Vec<&str> = b["ips"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        let lines: Vec<&&Vec<&str>> = ips.iter().flat_map(|ip| by_ip[ip].iter()).collect();
        assert_eq!(lines.len() as u64, b["requests"].as_u64().unwrap());
        match b["threat"].as_str().unwrap() {
            "verified_crawlers" => assert!(ips.iter().all(|ip| ip.starts_with("66.249.66.") || ip.starts_with("157.55.39."))),
            "spaces_in_urls" => {
                assert!(lines.iter().any(|r| r[7].contains("%2520")));
                assert!(lines.iter().any(|r| r[11].contains("%2526")));
            }
            "feed_pollers" => assert!(lines.iter().all(|r| r[7] == "/blog/feed.xml")),
            "uptime_checks" => assert!(lines.iter().all(|r| r[8] == "200")),
            "heavy_readers" => assert!(lines.iter().all(|r| r[10].starts_with("Mozilla/5.0%20("))),
            other => panic!("unexpected feature {other}"),
        }
    }
    fs::remove_dir_all(out).unwrap();
}

#[test]
fn threats_none_has_no_attack_traffic() {
    let out = tmp("none");
    let mut c = cfg(&out, 30_000);
    c.threats = Vec::new();
    let s = run(&c).unwrap();
    assert_eq!(s.threat_lines, 0);
    let rows = read_lines(&s.file_paths);
    assert_eq!(rows.len(), 30_000);
    for r in &rows {
        assert!(!r.contains("Nuclei") && !r.contains("sqlmap"), "scanner UA in {r}");
        assert!(!r.contains("InvalidRequestBlocked"));
        assert!(!r.contains("\tTRACE\t") && !r.contains("\tSSLv3\t") && !r.contains("/.env"));
        let edge = r.split('\t').nth(2).unwrap();
        assert!(!["CPT53-C1", "LOS50-C1", "JNB52-C1", "NBO50-C1"].contains(&edge));
    }
    let truth: Value = serde_json::from_slice(&fs::read(&s.truth_path).unwrap()).unwrap();
    assert_eq!(truth["threats"].as_array().unwrap().len(), 0);
    fs::remove_dir_all(out).unwrap();
}

#[test]
fn selected_threats_only() {
    let out = tmp("some");
    let mut c = cfg(&out, 30_000);
    c.threats = vec!["scanner".into(), "egress".into()];
    c.hours = 6;
    c.date = "2026-12-31".into();
    let s = run(&c).unwrap();
    assert_eq!(s.files, 6);
    assert!(s.file_paths[0].to_string_lossy().contains("E2EXAMPLE123ABC.2026-12-31-00."));
    let truth: Value = serde_json::from_slice(&fs::read(&s.truth_path).unwrap()).unwrap();
    let names: Vec<&str> = truth["threats"].as_array().unwrap().iter().map(|t| t["threat"].as_str().unwrap()).collect();
    assert_eq!(names, ["egress", "scanner"]);
    let rows = read_lines(&s.file_paths);
    assert!(rows.iter().any(|r| r.contains("Nuclei") || r.contains("sqlmap")));
    assert!(!rows.iter().any(|r| r.contains("python-requests/2.32.3")));
    fs::remove_dir_all(out).unwrap();
}

#[test]
fn rejects_bad_arguments() {
    let out = tmp("bad");
    let mut c = cfg(&out, 1_000);
    c.threats = vec!["nope".into()];
    assert!(run(&c).is_err());
    let mut c = cfg(&out, 1_000);
    c.date = "2026-13-01".into();
    assert!(run(&c).is_err());
    let _ = fs::remove_dir_all(out);
}

#[test]
fn cli_prints_summary() {
    let out = tmp("cli");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_cfgen"))
        .args(["--out", out.to_str().unwrap(), "--lines", "5000", "--hours", "2", "--threats", "none", "--seed=9"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(stdout.starts_with("cfgen: files=2 lines=5000 "), "{stdout}");
    assert!(out.join("truth.json").exists());
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_cfgen")).args(["--lines", "5"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    fs::remove_dir_all(out).unwrap();
}
