//! Run orchestration: builds the world, plans threats, then renders one file
//! per (hour, part) on worker threads and writes the ground truth.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use flate2::write::GzEncoder;
use flate2::{Compression, GzBuilder};
use serde::Serialize;
use serde_json::json;

use crate::benign::Sessions;
use crate::encode::{date_string, parse_date};
use crate::event::{Kind, RenderCtx, Req};
use crate::features::FEATURES;
use crate::model::{Catalog, DIURNAL, DOMAIN};
use crate::population::{AddrBook, Edges, Population};
use crate::rng::{derive, Rng};
use crate::threats::{Planner, ThreatTruth, THREATS};

/// Generation parameters (mirrors the command line).
#[derive(Clone, Debug)]
pub struct Config {
    pub out: PathBuf,
    pub seed: u64,
    /// `YYYY-MM-DD`, first day of the span (UTC).
    pub date: String,
    pub hours: u32,
    /// Total number of log lines (benign + injected).
    pub lines: u64,
    /// Selected threat names (subset of [`THREATS`]).
    pub threats: Vec<String>,
    /// Selected benign features (subset of [`FEATURES`]).
    pub features: Vec<String>,
    /// Ground-truth path; default `<out>/truth.json`.
    pub truth: Option<PathBuf>,
    pub gzip_level: u32,
    /// Write uncompressed `.log` files instead of `.gz`.
    pub plain: bool,
    pub distribution: String,
    pub files_per_hour: u32,
    /// Worker threads; default: available parallelism. Output does not depend on it.
    pub threads: Option<usize>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            out: PathBuf::from("cf-logs"),
            seed: 42,
            date: "2026-11-20".into(),
            hours: 24,
            lines: 300_000,
            threats: THREATS.iter().map(|s| s.to_string()).collect(),
            features: FEATURES.iter().map(|s| s.to_string()).collect(),
            truth: None,
            gzip_level: 6,
            plain: false,
            distribution: "E2EXAMPLE123ABC".into(),
            files_per_hour: 1,
            threads: None,
        }
    }
}

/// What a run produced.
#[derive(Clone, Debug)]
pub struct Summary {
    pub files: usize,
    pub lines: u64,
    pub benign_lines: u64,
    pub threat_lines: u64,
    pub bytes_uncompressed: u64,
    pub bytes_written: u64,
    pub seconds: f64,
    pub truth_path: PathBuf,
    pub file_paths: Vec<PathBuf>,
}

/// Layout of `truth.json`.
#[derive(Serialize)]
pub struct TruthFile<'t> {
    pub generator: &'static str,
    pub seed: u64,
    pub date: &'t str,
    pub hours: u32,
    pub lines: u64,
    pub benign_lines: u64,
    pub threat_lines: u64,
    pub distribution: &'t str,
    pub domain: &'static str,
    pub files: Vec<String>,
    pub threats: &'t [ThreatTruth],
    /// Benign features: entities that look suspicious to naive hunts and are not.
    pub benign: &'t [ThreatTruth],
}

#[derive(Default, Clone, Copy)]
struct FileStats {
    lines: u64,
    raw: u64,
    written: u64,
    window_lines: u64,
    window_5xx: u64,
}

/// Splits `total` over `weights` exactly (largest remainder).
fn apportion(total: u64, weights: &[u64]) -> Vec<u64> {
    let sum: u64 = weights.iter().sum::<u64>().max(1);
    let mut out: Vec<u64> = weights.iter().map(|&w| (total as u128 * w as u128 / sum as u128) as u64).collect();
    let mut rem: Vec<(u64, usize)> =
        weights.iter().enumerate().map(|(i, &w)| ((total as u128 * w as u128 % sum as u128) as u64, i)).collect();
    rem.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut left = total - out.iter().sum::<u64>();
    for (_, i) in rem {
        if left == 0 {
            break;
        }
        out[i] += 1;
        left -= 1;
    }
    out
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg)
}

/// Generates the logs and the truth file described by `cfg`.
pub fn run(cfg: &Config) -> io::Result<Summary> {
    let started = Instant::now();
    let day0 = parse_date(&cfg.date).ok_or_else(|| invalid(format!("bad --date {:?} (want YYYY-MM-DD)", cfg.date)))?;
    if cfg.hours == 0 || cfg.hours > 24 * 366 {
        return Err(invalid("--hours must be between 1 and 8784".into()));
    }
    if cfg.files_per_hour == 0 || cfg.files_per_hour > 64 {
        return Err(invalid("--files-per-hour must be between 1 and 64".into()));
    }
    if cfg.gzip_level > 9 {
        return Err(invalid("--gzip-level must be between 0 and 9".into()));
    }
    for t in &cfg.threats {
        if !THREATS.contains(&t.as_str()) {
            return Err(invalid(format!("unknown threat {t:?}; known: {}", THREATS.join(","))));
        }
    }
    for f in &cfg.features {
        if !FEATURES.contains(&f.as_str()) {
            return Err(invalid(format!("unknown benign feature {f:?}; known: {}", FEATURES.join(","))));
        }
    }
    let selected: Vec<&str> = THREATS.iter().copied().filter(|t| cfg.threats.iter().any(|s| s == t)).collect();
    let features: Vec<&str> = FEATURES.iter().copied().filter(|t| cfg.features.iter().any(|s| s == t)).collect();
    let hours = cfg.hours as usize;
    let span_ms = cfg.hours as u64 * 3_600_000;

    // World: edges, catalog, population.
    let edges = Edges::new();
    let mut book = AddrBook::new();
    let cat = Catalog::new(&mut Rng::stream(cfg.seed, 1));
    let pop_n = (cfg.lines / 40).clamp(2_000, 75_000) as usize;
    let pop = Population::new(pop_n, &mut Rng::stream(cfg.seed, 2), &edges, &mut book);

    // Threats.
    let weights: Vec<u64> = (0..hours).map(|h| DIURNAL[h % 24] as u64).collect();
    let lines = cfg.lines;
    // Benign features shrink with the site down to a quiet blog's ~6,000 lines a day; fixed-size
    // threats only to a tenth (see Planner::scale).
    let scale = (cfg.lines as f64 / 300_000.0).clamp(0.02, 1.0);
    let mut plan = Planner::new(&cat, &edges, &mut book, cfg.seed, span_ms, day0, scale).plan(&selected, &features, lines, &weights);
    let threat_lines = plan.lines();
    let feature_lines = plan.feature_lines();
    let benign_lines = lines.saturating_sub(threat_lines);
    if threat_lines + feature_lines > lines {
        eprintln!(
            "cfgen: warning: injected threats and benign features need {} lines, more than --lines {lines}; no other benign traffic",
            threat_lines + feature_lines
        );
    }
    let quotas = apportion(benign_lines.saturating_sub(feature_lines), &weights);

    // Files and the threat events each one carries.
    let fph = cfg.files_per_hour as usize;
    let nfiles = hours * fph;
    let mut buckets: Vec<Vec<&Req<'_>>> = vec![Vec::new(); nfiles];
    let mut rr = vec![0usize; hours];
    for inj in plan.injected.iter().chain(plan.benign.iter()) {
        for e in &inj.events {
            let h = ((e.t_ms / 3_600_000) as usize).min(hours - 1);
            buckets[h * fph + rr[h] % fph].push(e);
            rr[h] += 1;
        }
    }
    let ext = if cfg.plain { "log" } else { "gz" };
    let mut names = Vec::with_capacity(nfiles);
    for i in 0..nfiles {
        let h = i / fph;
        let mut id = derive(cfg.seed, 50_000 + i as u64) as u32;
        let base = format!("{}.{}-{:02}", cfg.distribution, date_string(day0 + (h / 24) as i64), h % 24);
        while names.iter().any(|n: &String| n.starts_with(&base) && n.contains(&format!("{id:08x}"))) {
            id = id.wrapping_add(1);
        }
        names.push(format!("{base}.{id:08x}.{ext}"));
    }
    fs::create_dir_all(&cfg.out)?;

    let dates: Vec<String> = (0..hours.div_ceil(24) + 1).map(|d| date_string(day0 + d as i64)).collect();
    let ctx = RenderCtx { dates: &dates, edges: &edges.names, domain: DOMAIN };
    let job = Job {
        cfg,
        pop: &pop,
        sessions: Sessions { cat: &cat },
        ctx: &ctx,
        quotas: &quotas,
        buckets: &buckets,
        error_window: plan.error_window,
        error_rate: plan.error_rate,
    };
    let threads = cfg.threads.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)).clamp(1, nfiles);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<io::Result<FileStats>>>> = Mutex::new((0..nfiles).map(|_| None).collect());
    std::thread::scope(|sc| {
        for _ in 0..threads {
            sc.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= nfiles {
                    break;
                }
                let r = job.write_file(i, &cfg.out.join(&names[i]));
                results.lock().unwrap()[i] = Some(r);
            });
        }
    });
    let mut total = FileStats::default();
    for r in results.into_inner().unwrap() {
        let s = r.expect("file not generated")?;
        total.lines += s.lines;
        total.raw += s.raw;
        total.written += s.written;
        total.window_lines += s.window_lines;
        total.window_5xx += s.window_5xx;
    }

    // Ground truth.
    for inj in &mut plan.injected {
        if inj.truth.threat == "error_spike" {
            let t = &mut inj.truth;
            t.requests = total.window_5xx;
            t.paths = vec!["*".into()];
            t.details = json!({
                "window_lines": total.window_lines,
                "error_lines": total.window_5xx,
                "error_ratio": (total.window_5xx as f64 / total.window_lines.max(1) as f64 * 1000.0).round() / 1000.0,
                "statuses": [502, 503, 504],
                "detailed_result_types": ["OriginConnectError", "OriginReadError", "OriginError"],
                "requests_counts": "every 5xx line inside [start, end)",
            })
            .as_object()
            .cloned()
            .unwrap_or_default();
        }
    }
    let truths: Vec<ThreatTruth> = plan.injected.iter().map(|i| i.truth.clone()).collect();
    let benign_truths: Vec<ThreatTruth> = plan.benign.iter().map(|i| i.truth.clone()).collect();
    let truth_path = cfg.truth.clone().unwrap_or_else(|| cfg.out.join("truth.json"));
    let tf = TruthFile {
        generator: concat!("cfgen ", env!("CARGO_PKG_VERSION")),
        seed: cfg.seed,
        date: &cfg.date,
        hours: cfg.hours,
        lines: total.lines,
        benign_lines,
        threat_lines,
        distribution: &cfg.distribution,
        domain: DOMAIN,
        files: names.clone(),
        threats: &truths,
        benign: &benign_truths,
    };
    if let Some(dir) = truth_path.parent() {
        if !dir.as_os_str().is_empty() {
            fs::create_dir_all(dir)?;
        }
    }
    let mut js = serde_json::to_vec_pretty(&tf).map_err(io::Error::other)?;
    js.push(b'\n');
    fs::write(&truth_path, js)?;

    Ok(Summary {
        files: nfiles,
        lines: total.lines,
        benign_lines,
        threat_lines,
        bytes_uncompressed: total.raw,
        bytes_written: total.written,
        seconds: started.elapsed().as_secs_f64(),
        truth_path,
        file_paths: names.iter().map(|n| cfg.out.join(n)).collect(),
    })
}

/// Shared, read-only state of the file workers.
struct Job<'j, 'a> {
    cfg: &'j Config,
    pop: &'a Population,
    sessions: Sessions<'a>,
    ctx: &'j RenderCtx<'j>,
    quotas: &'j [u64],
    buckets: &'j [Vec<&'j Req<'a>>],
    error_window: Option<(u64, u64)>,
    error_rate: f64,
}

const CHUNK: usize = 1 << 20;

/// Output stream of one file.
enum Sink {
    Plain(BufWriter<File>),
    Gz(Box<GzEncoder<BufWriter<File>>>),
}

impl Sink {
    fn write_all(&mut self, b: &[u8]) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.write_all(b),
            Sink::Gz(w) => w.write_all(b),
        }
    }

    /// Completes the gzip member (if any) and flushes to disk.
    fn finish(self) -> io::Result<()> {
        match self {
            Sink::Plain(mut w) => w.flush(),
            Sink::Gz(w) => w.finish()?.flush(),
        }
    }
}

impl Job<'_, '_> {
    /// Generates file `i` (hour `i / files_per_hour`) into `path`.
    fn write_file(&self, i: usize, path: &Path) -> io::Result<FileStats> {
        let fph = self.cfg.files_per_hour as usize;
        let h = i / fph;
        let part = i % fph;
        let mut rng = Rng::stream(self.cfg.seed, 10_000 + i as u64);
        let q = self.quotas[h];
        let quota = (q / fph as u64 + u64::from((part as u64) < q % fph as u64)) as usize;
        let hour_start = h as u64 * 3_600_000;
        let hour_end = hour_start + 3_600_000;

        // Benign traffic for this file.
        let mut evs: Vec<Req<'_>> = Vec::with_capacity(quota + 64);
        let mut tmp = Vec::with_capacity(256);
        while evs.len() < quota {
            let c = self.pop.pick(&mut rng);
            let v = c.visitor();
            let t0 = hour_start + rng.below(3_600_000);
            tmp.clear();
            if c.kind == Kind::Library {
                self.sessions.monitor(&v, c.probe, c.interval_s, t0, &mut rng, &mut tmp);
            } else {
                self.sessions.session(&v, t0, &mut rng, &mut tmp);
            }
            for mut e in tmp.drain(..) {
                if e.t_ms >= hour_end || evs.len() >= quota {
                    continue;
                }
                if let Some((ws, we)) = self.error_window {
                    if e.t_ms >= ws && e.t_ms < we && rng.chance(self.error_rate) {
                        e.origin_failure(&mut rng);
                    }
                }
                evs.push(e);
            }
        }

        // Best-effort delivery order: by time with up to 2.5 s of jitter.
        let threats = &self.buckets[i];
        let mut order: Vec<(u64, u32)> = Vec::with_capacity(evs.len() + threats.len());
        for (k, e) in evs.iter().enumerate() {
            order.push((e.t_ms + rng.below(2_500), k as u32));
        }
        for (k, e) in threats.iter().enumerate() {
            order.push((e.t_ms + rng.below(2_500), (evs.len() + k) as u32));
        }
        order.sort_unstable();

        let file = File::create(path)?;
        let buf = BufWriter::with_capacity(1 << 20, file);
        let mut out = if self.cfg.plain {
            Sink::Plain(buf)
        } else {
            Sink::Gz(Box::new(GzBuilder::new().write(buf, Compression::new(self.cfg.gzip_level))))
        };
        let mut chunk: Vec<u8> = Vec::with_capacity(CHUNK + 4096);
        chunk.extend_from_slice(header().as_bytes());
        let mut st = FileStats::default();
        for &(_, k) in &order {
            let k = k as usize;
            let e: &Req<'_> = if k < evs.len() { &evs[k] } else { threats[k - evs.len()] };
            e.render(self.ctx, &mut rng, &mut chunk);
            st.lines += 1;
            if let Some((ws, we)) = self.error_window {
                if e.t_ms >= ws && e.t_ms < we {
                    st.window_lines += 1;
                    if e.status >= 500 {
                        st.window_5xx += 1;
                    }
                }
            }
            if chunk.len() >= CHUNK {
                st.raw += chunk.len() as u64;
                out.write_all(&chunk)?;
                chunk.clear();
            }
        }
        st.raw += chunk.len() as u64;
        out.write_all(&chunk)?;
        out.finish()?;
        st.written = fs::metadata(path)?.len();
        Ok(st)
    }
}

/// The header of every generated file: the 33 fields of a standard log, in file order, from the
/// reader's field catalogue (`Req::render` writes each line's values in this order).
pub fn header() -> String {
    format!("#Version: 1.0\n#Fields: {}\n", cloudfront_core::format::fields::STANDARD_33_FIELDS.join(" "))
}
