//! Threat injection. Each threat is planned up front from its own seeded
//! stream (so enabling or disabling one threat does not move the others),
//! produces its log events, and describes itself in a [`ThreatTruth`].

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::benign::{base36, base62, Sessions, HTML, JS, JSON, WEBP, ZIP};
use crate::encode::{cf_encode, iso};
use crate::event::{Kind, Referer, Req, Res, Text, Visitor};
use crate::model::{self, Catalog, HOSTING_V4};
use crate::population::{AddrBook, Edges};
use crate::rng::Rng;

/// Threat names in canonical order (also the order of `truth.json`).
pub const THREATS: &[&str] = &[
    "scraper",
    "cache_busting",
    "waf_blocks",
    "waf_bypass",
    "error_spike",
    "ddos",
    "geo_spike",
    "egress",
    "protocol_anomaly",
    "scanner",
    "credential_stuffing",
    "payload_attacks",
    "worm_noise",
    "botnet_login",
    "fake_crawler",
];

/// Ground truth for one injected threat (or one phase of it).
///
/// `ips` lists every client address whose lines belong to the threat (empty for
/// `error_spike`, which affects all clients); `paths` lists the URI stems used,
/// where an entry ending in `*` is a prefix; `start` (inclusive) and `end`
/// (exclusive) bound every injected line; `requests` is the exact line count.
#[derive(Serialize, Clone, Debug)]
pub struct ThreatTruth {
    pub threat: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    pub description: String,
    pub ips: Vec<String>,
    pub paths: Vec<String>,
    pub start: String,
    pub end: String,
    /// Milliseconds after the span start (midnight UTC of `date`), same bounds as `start`/`end`.
    pub start_ms: u64,
    pub end_ms: u64,
    pub edge_locations: Vec<String>,
    pub requests: u64,
    /// As logged (percent-encoded); `-` means no User-Agent header.
    pub user_agents: Vec<String>,
    pub statuses: BTreeMap<String, u64>,
    pub details: Map<String, Value>,
}

/// Events and truth of one threat (phase).
pub struct Injected<'a> {
    pub events: Vec<Req<'a>>,
    pub truth: ThreatTruth,
}

/// Everything the threats add to a run.
pub struct Plan<'a> {
    pub injected: Vec<Injected<'a>>,
    /// Benign features (truth.json `benign`), generated like threats.
    pub benign: Vec<Injected<'a>>,
    /// Window of the `error_spike` threat, applied while generating benign traffic.
    pub error_window: Option<(u64, u64)>,
    /// Probability that a benign line inside the window turns into a 5xx.
    pub error_rate: f64,
}

impl Plan<'_> {
    /// Number of injected threat lines.
    pub fn lines(&self) -> u64 {
        self.injected.iter().map(|i| i.events.len() as u64).sum()
    }

    /// Number of lines of the benign features.
    pub fn feature_lines(&self) -> u64 {
        self.benign.iter().map(|i| i.events.len() as u64).sum()
    }
}

const MIN: u64 = 60_000;

/// SQL injection / XSS / traversal probes as CloudFront logs them (URL-encoded).
const WAF_PAYLOADS: &[&str] = &[
    "id=1%27%20OR%201=1--",
    "id=1%27%20OR%20%271%27=%271",
    "q=%27%20UNION%20SELECT%20username,password%20FROM%20users--",
    "id=1%20AND%20SLEEP(5)--",
    "q=%3Cscript%3Ealert(document.cookie)%3C/script%3E",
    "file=../../../../etc/passwd",
    "id=1;DROP%20TABLE%20users--",
    "q=1%27%20AND%20extractvalue(1,concat(0x7e,version()))--",
    "cmd=%3Bcat%20/etc/passwd",
    "redirect=javascript:alert(1)",
    "id=1%27%20ORDER%20BY%2010--",
    "q=%22%3E%3Csvg/onload=alert(1)%3E",
];

const SCAN_PATHS: &[&str] = &[
    "/.env",
    "/.env.production",
    "/.env.local",
    "/.git/config",
    "/.git/HEAD",
    "/.svn/entries",
    "/.DS_Store",
    "/wp-login.php",
    "/wp-admin/",
    "/wp-config.php.bak",
    "/xmlrpc.php",
    "/phpmyadmin/",
    "/pma/",
    "/phpinfo.php",
    "/actuator/env",
    "/actuator/health",
    "/actuator/heapdump",
    "/.aws/credentials",
    "/config.json",
    "/config.yml",
    "/server-status",
    "/admin/",
    "/administrator/",
    "/backup.zip",
    "/backup.sql",
    "/db.sql",
    "/dump.sql",
    "/cgi-bin/../../etc/passwd",
    "/cgi-bin/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/api/swagger.json",
    "/swagger-ui.html",
    "/v2/api-docs",
    "/graphql",
    "/console",
    "/solr/admin/info/system",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/.well-known/security.txt",
    "/debug/default/view",
    "/telescope/requests",
    "/.vscode/sftp.json",
    "/docker-compose.yml",
    "/id_rsa",
    "/.ssh/id_rsa",
    "/web.config",
    "/WEB-INF/web.xml",
    "/owa/auth/logon.aspx",
    "/remote/login",
    "/robots.txt",
    "/sitemap.xml",
    "/.htpasswd",
    "/storage/logs/laravel.log",
    "/api/v1/users",
    "/jenkins/login",
    "/manager/html",
    "/HNAP1/",
];

const SCAN_PREFIXES: &[&str] = &["", "", "", "/backup", "/old", "/api", "/static", "/app"];

/// Browser UAs reused by bots that fake being browsers.
const FAKE_BROWSERS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 6.1; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
];

const WORDS: &[&str] = &[
    "shoes", "jacket", "bag", "sale", "socks", "boots", "coat", "hat", "free", "cheap", "discount", "gift", "wool", "linen", "black",
    "red", "size", "xl", "kids", "women", "men", "new",
];

/// Plans threats; owns the address book for the duration of planning.
pub struct Planner<'a, 'b> {
    pub cat: &'a Catalog,
    pub edges: &'b Edges,
    pub book: &'b mut AddrBook,
    pub seed: u64,
    pub span_ms: u64,
    pub day0: i64,
    /// Volume multiplier for fixed-size threats (`--lines` / 300k, clamped to 0.1..1: an attack
    /// keeps a minimum size however quiet the site).
    pub scale: f64,
    /// The site's size (`--lines` / 300k, clamped to 0.02..1), for benign features.
    pub site_scale: f64,
    /// Estimated benign lines per minute, per hour of the span (set before rate-relative threats).
    pub rate_per_min: Vec<f64>,
    windows: Vec<(u64, u64)>,
}

/// Truth skeleton of the error spike; its counts are filled in after generation.
fn error_spike_truth<'a>(day0: i64, s: u64, e: u64) -> Injected<'a> {
    Injected {
        events: Vec::new(),
        truth: ThreatTruth {
            threat: "error_spike".into(),
            phase: None,
            description: "origin 5xx (502 OriginConnectError / 504 OriginReadError, result Error) on ~30% of all requests for 10 minutes"
                .into(),
            ips: Vec::new(),
            paths: Vec::new(),
            start: iso(day0, s),
            end: iso(day0, e),
            start_ms: s,
            end_ms: e,
            edge_locations: Vec::new(),
            requests: 0,
            user_agents: Vec::new(),
            statuses: BTreeMap::new(),
            details: Map::new(),
        },
    }
}

/// Finalizes a threat: computes its truth from its events.
#[allow(clippy::too_many_arguments)]
fn finish<'a>(
    day0: i64,
    edges: &Edges,
    threat: &str,
    phase: Option<&str>,
    description: &str,
    mut events: Vec<Req<'a>>,
    paths: Option<Vec<String>>,
    details: Map<String, Value>,
) -> Injected<'a> {
    events.sort_by_key(|e| e.t_ms);
    let mut ips = BTreeSet::new();
    let mut locs = BTreeSet::new();
    let mut uas = BTreeSet::new();
    let mut stems = BTreeSet::new();
    let mut statuses = BTreeMap::new();
    for e in &events {
        ips.insert(e.ip.as_str().to_string());
        locs.insert(edges.names[e.edge as usize].to_string());
        uas.insert(e.ua.as_str().to_string());
        if paths.is_none() {
            stems.insert(e.stem.as_str().to_string());
        }
        let st = if e.status == 0 { "000".to_string() } else { e.status.to_string() };
        *statuses.entry(st).or_insert(0u64) += 1;
    }
    let start_ms = events.first().map(|e| e.t_ms / 1000 * 1000).unwrap_or(0);
    let end_ms = events.last().map(|e| e.t_ms / 1000 * 1000 + 1000).unwrap_or(0);
    Injected {
        truth: ThreatTruth {
            threat: threat.to_string(),
            phase: phase.map(str::to_string),
            description: description.to_string(),
            ips: ips.into_iter().collect(),
            paths: paths.unwrap_or_else(|| stems.into_iter().collect()),
            start: iso(day0, start_ms),
            end: iso(day0, end_ms),
            start_ms,
            end_ms,
            edge_locations: locs.into_iter().collect(),
            requests: events.len() as u64,
            user_agents: uas.into_iter().collect(),
            statuses,
            details,
        },
        events,
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

impl<'a, 'b> Planner<'a, 'b> {
    /// New planner for a span of `span_ms` starting at day `day0`.
    pub fn new(cat: &'a Catalog, edges: &'b Edges, book: &'b mut AddrBook, seed: u64, span_ms: u64, day0: i64, site_scale: f64) -> Self {
        Planner {
            cat,
            edges,
            book,
            seed,
            span_ms,
            day0,
            scale: site_scale.max(0.1),
            site_scale,
            rate_per_min: Vec::new(),
            windows: Vec::new(),
        }
    }

    /// Plans the selected threats for a run of `lines` total lines whose benign
    /// traffic per hour of the span follows `hour_weights`.
    pub fn plan(mut self, selected: &[&str], features: &[&str], lines: u64, hour_weights: &[u64]) -> Plan<'a> {
        let mut by_name: BTreeMap<&str, Vec<Injected<'a>>> = BTreeMap::new();
        let mut error_window = None;
        let rng_for = |name: &str, seed: u64| {
            let idx = THREATS.iter().position(|t| *t == name).unwrap() as u64;
            Rng::stream(seed, 100 + idx)
        };
        // Fixed-volume threats first, then the ones relative to the benign rate.
        let fixed = [
            "scraper",
            "cache_busting",
            "waf_blocks",
            "waf_bypass",
            "egress",
            "protocol_anomaly",
            "scanner",
            "credential_stuffing",
            "payload_attacks",
            "worm_noise",
            "botnet_login",
            "fake_crawler",
        ];
        for name in fixed {
            if !selected.contains(&name) {
                continue;
            }
            let mut rng = rng_for(name, self.seed);
            let inj = match name {
                "scraper" => self.scraper(&mut rng),
                "cache_busting" => self.cache_busting(&mut rng),
                "waf_blocks" => self.waf_blocks(&mut rng),
                "waf_bypass" => self.waf_bypass(&mut rng),
                "egress" => self.egress(&mut rng),
                "protocol_anomaly" => self.protocol_anomaly(&mut rng),
                "scanner" => self.scanner(&mut rng),
                "credential_stuffing" => self.credential_stuffing(&mut rng),
                "payload_attacks" => self.payload_attacks(&mut rng),
                "worm_noise" => self.worm_noise(&mut rng),
                "botnet_login" => self.botnet_login(&mut rng),
                _ => self.fake_crawler(&mut rng),
            };
            by_name.insert(name, inj);
        }
        let benign_features = self.features(features);
        // Rate-relative threats: pick their windows first, then solve for the
        // benign volume B so that benign + all threats == lines, where the burst
        // is 9x and the geo spike 0.3x the benign rate of their hours.
        let mut fixed_lines: u64 = by_name.values().flatten().chain(benign_features.iter()).map(|i| i.events.len() as u64).sum();
        let wsum = hour_weights.iter().sum::<u64>().max(1) as f64;
        let frac = |t: u64| {
            let h = ((t / 3_600_000) as usize).min(hour_weights.len().saturating_sub(1));
            hour_weights.get(h).copied().unwrap_or(0) as f64 / wsum / 60.0
        };
        let mut k = 0.0;
        if selected.contains(&"error_spike") {
            let mut rng = rng_for("error_spike", self.seed);
            let (s, e) = self.window(&mut rng, 10 * MIN, true);
            error_window = Some((s, e));
            by_name.insert("error_spike", vec![error_spike_truth(self.day0, s, e)]);
        }
        let mut ddos = None;
        if selected.contains(&"ddos") {
            let mut rng = rng_for("ddos", self.seed);
            let minutes = rng.range(5, 10);
            let (s, e) = self.window(&mut rng, minutes * MIN, true);
            let flood = self.flood(&mut rng);
            fixed_lines += flood.events.len() as u64;
            k += 9.0 * minutes as f64 * frac(s);
            ddos = Some((rng, s, e, flood));
        }
        let mut geo = None;
        if selected.contains(&"geo_spike") {
            let mut rng = rng_for("geo_spike", self.seed);
            let gi = rng.below(model::GEO_EDGES.len() as u64) as usize;
            let dur = rng.range(28, 34) * MIN;
            let (s, e) = self.window(&mut rng, dur, true);
            k += 0.3 * (dur / MIN) as f64 * frac(s);
            geo = Some((rng, gi, s, e));
        }
        let benign = lines.saturating_sub(fixed_lines) as f64 / (1.0 + k);
        self.rate_per_min = hour_weights.iter().map(|&w| benign * w as f64 / wsum / 60.0).collect();
        if let Some((mut rng, s, e, flood)) = ddos {
            let burst = self.ddos_burst(&mut rng, s, e);
            by_name.insert("ddos", vec![burst, flood]);
        }
        if let Some((mut rng, gi, s, e)) = geo {
            let inj = self.geo_spike(&mut rng, gi, s, e);
            by_name.insert("geo_spike", vec![inj]);
        }
        let mut injected = Vec::new();
        for name in THREATS {
            if let Some(v) = by_name.remove(name) {
                injected.extend(v);
            }
        }
        Plan { injected, benign: benign_features, error_window, error_rate: 0.3 }
    }

    pub(crate) fn scaled(&self, n: u64, min: u64) -> u64 {
        ((n as f64 * self.scale) as u64).max(min)
    }

    /// Benign lines per minute around time `t`.
    pub(crate) fn rate_at(&self, t: u64) -> f64 {
        let h = (t / 3_600_000) as usize;
        self.rate_per_min.get(h).copied().unwrap_or(0.0)
    }

    /// Picks a window of `dur` ms inside the span. Aggregate anomalies (error
    /// spike, DDoS, geo spike) avoid each other's windows.
    pub(crate) fn window(&mut self, rng: &mut Rng, dur: u64, aggregate: bool) -> (u64, u64) {
        let dur = dur.min(self.span_ms * 8 / 10).max(1);
        let margin = (self.span_ms / 20).min(20 * MIN);
        let lo = margin;
        let hi = self.span_ms.saturating_sub(dur + margin).max(lo);
        let gap = 10 * MIN;
        for _ in 0..500 {
            let s = rng.range(lo, hi) / 1000 * 1000;
            let e = s + dur;
            if !aggregate || self.windows.iter().all(|&(a, b)| e + gap <= a || s >= b + gap) {
                if aggregate {
                    self.windows.push((s, e));
                }
                return (s, e);
            }
        }
        let s = rng.range(lo, hi) / 1000 * 1000;
        if aggregate {
            self.windows.push((s, s + dur));
        }
        (s, s + dur)
    }

    pub(crate) fn hosting_ip(&mut self, rng: &mut Rng) -> String {
        let p = *rng.pick(HOSTING_V4);
        self.book.in16(rng, p)
    }

    /// A threat actor. `ua_raw` is encoded here (`-` for none).
    pub(crate) fn actor(&self, ip: String, ua_raw: &str, kind: Kind, region: usize, rng: &mut Rng) -> Visitor<'static> {
        let (ssl, cipher) = model::modern_tls(rng);
        Visitor {
            ip: Text::own(ip),
            ua: if ua_raw == "-" { Text::Dash } else { Text::own(cf_encode(ua_raw)) },
            kind,
            edges: [self.edges.pick(region, rng), self.edges.pick(region, rng)],
            ver: "HTTP/1.1",
            ssl,
            cipher,
            port_lo: 32768,
            port_hi: 60993,
            xff: Text::Dash,
            xhost: model::WWW,
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn done(
        &self,
        threat: &str,
        phase: Option<&str>,
        description: &str,
        events: Vec<Req<'a>>,
        paths: Option<Vec<String>>,
        details: Value,
    ) -> Injected<'a> {
        finish(self.day0, self.edges, threat, phase, description, events, paths, obj(details))
    }

    fn scraper(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let p = *rng.pick(HOSTING_V4);
        let c3 = rng.below(256) as u8;
        let n_ips = if rng.chance(0.5) { 3 } else { 1 };
        let python = rng.chance(0.5);
        let ua = if python {
            "python-requests/2.32.3"
        } else {
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36"
        };
        let region = if rng.chance(0.5) { 0 } else { 3 };
        let actors: Vec<Visitor<'static>> = (0..n_ips)
            .map(|_| {
                let ip = self.book.in24(rng, (p.0, p.1, c3));
                self.actor(ip, ua, Kind::Library, region, rng)
            })
            .collect();
        let n = self.scaled(rng.range(2_600, 3_400), 300);
        let dur = rng.range(105, 135) * MIN;
        let (s, e) = self.window(rng, dur, false);
        let step = ((e - s) / n).max(1);
        let mut id = rng.range(10_000, 40_000);
        let mut conns: Vec<_> = actors.iter().map(|a| a.connect(rng)).collect();
        let mut events = Vec::with_capacity(n as usize);
        for i in 0..n {
            let k = (i % n_ips as u64) as usize;
            if i % 150 == 0 {
                conns[k] = actors[k].connect(rng);
            }
            let t = s + i * step + rng.below(step / 2 + 1);
            let mut r = actors[k].req(&conns[k], t, rng);
            r.stem = Text::own(format!("/products/{id}"));
            if !python {
                r.cs_bytes = rng.range(420, 700) as u32;
            }
            if rng.chance(0.07) {
                r.error(404, "Error", rng);
            } else {
                let res = if rng.chance(0.85) { Res::Miss } else { Res::Hit };
                r.ok(HTML, rng.range(24_000, 70_000), res, rng);
            }
            id += 1 + if rng.chance(0.1) { rng.below(3) } else { 0 };
            events.push(r);
        }
        let subnet = format!("{}.{}.{}.0/24", p.0, p.1, c3);
        vec![self.done(
            "scraper",
            None,
            "catalog scraping: sequential /products/<id> pages at a steady rate, no assets",
            events,
            Some(vec!["/products/*".into()]),
            json!({"distinct_paths": n, "subnet": subnet, "rate_per_min": (n as f64 / ((e - s) as f64 / MIN as f64) * 10.0).round() / 10.0,
                   "ua_style": if python { "library" } else { "fake-browser" }}),
        )]
    }

    fn cache_busting(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let n_ips = rng.range(4, 8) as usize;
        let uas = [
            "Go-http-client/1.1",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36",
            FAKE_BROWSERS[0],
        ];
        let mut actors = Vec::new();
        let mut params = Vec::new();
        for _ in 0..n_ips {
            let ip = self.hosting_ip(rng);
            let ua = *rng.pick(&uas);
            let region = rng.below(model::REGIONS.len() as u64) as usize;
            actors.push(self.actor(ip, ua, Kind::Library, region, rng));
            params.push(if rng.chance(0.5) { "cb" } else { "v" });
        }
        let cat = self.cat;
        let mut pool: Vec<(&'a str, &'static str, u64)> = vec![
            ("/", HTML, 40_000),
            (cat.app_js.as_str(), JS, 250_000),
            ("/api/v1/products", JSON, 14_000),
            (cat.heroes[0].as_str(), WEBP, 300_000),
            ("/search", HTML, 35_000),
        ];
        // Seeded choice of 2-3 targets.
        for i in (1..pool.len()).rev() {
            let j = rng.below(i as u64 + 1) as usize;
            pool.swap(i, j);
        }
        pool.truncate(rng.range(2, 3) as usize);
        let n = self.scaled(rng.range(900, 1_500), 150);
        let dur = rng.range(40, 70) * MIN;
        let (s, e) = self.window(rng, dur, false);
        let conns: Vec<_> = actors.iter().map(|a| a.connect(rng)).collect();
        let mut events = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let k = rng.below(n_ips as u64) as usize;
            let (stem, ctype, size) = *rng.pick(&pool);
            let mut r = actors[k].req(&conns[k], rng.range(s, e - 1), rng);
            r.stem = Text::S(stem);
            let val = if params[k] == "cb" { base36(rng, 12) } else { base62(rng, 12) };
            r.query = Text::own(format!("{}={val}", params[k]));
            r.ok(ctype, size + rng.below(size / 50 + 1), Res::Miss, rng);
            events.push(r);
        }
        let mut query_params: Vec<&str> = params.clone();
        query_params.sort();
        query_params.dedup();
        vec![self.done(
            "cache_busting",
            None,
            "cache busting: same stems with random query values, every request a Miss",
            events,
            Some(pool.iter().map(|p| p.0.to_string()).collect()),
            json!({"query_params": query_params, "result_type": "Miss"}),
        )]
    }

    fn waf_blocks(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let ip = self.hosting_ip(rng);
        let ua = "Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0";
        let v = self.actor(ip, ua, Kind::Desktop, 3, rng);
        let n = self.scaled(rng.range(450, 800), 80);
        let dur = rng.range(20, 40) * MIN;
        let (s, e) = self.window(rng, dur, false);
        let stems = ["/search", "/products", "/api/v1/items", "/login", "/api/v1/orders"];
        let c = v.connect(rng);
        let mut events = Vec::with_capacity(n as usize);
        let mut blocked = 0u64;
        for _ in 0..n {
            let mut r = v.req(&c, rng.range(s, e - 1), rng);
            r.ver = "HTTP/2.0";
            r.stem = Text::S(rng.choose(&stems));
            if rng.chance(0.94) {
                r.query = Text::S(rng.choose(WAF_PAYLOADS));
                r.error(403, "InvalidRequestBlocked", rng);
                blocked += 1;
            } else {
                r.query = Text::S("q=shoes");
                r.ok(HTML, rng.range(20_000, 40_000), Res::Miss, rng);
            }
            events.push(r);
        }
        vec![self.done(
            "waf_blocks",
            None,
            "WAF blocks: one client sending SQLi/XSS probes, mostly 403 Error / InvalidRequestBlocked",
            events,
            None,
            json!({"blocked_requests": blocked, "detailed_result_type": "InvalidRequestBlocked"}),
        )]
    }

    fn waf_bypass(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let ip = self.hosting_ip(rng);
        let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36";
        let v = self.actor(ip, ua, Kind::Desktop, 0, rng);
        let path = *rng.pick(&["/api/v1/files", "/api/v1/export", "/download"]);
        let blocked_q = [
            "path=..%2f..%2f..%2fetc%2fpasswd",
            "file=%2e%2e%2f%2e%2e%2fetc%2fpasswd",
            "id=1%27%20OR%201=1--",
            "path=../../../../etc/shadow",
        ];
        let bypass_q = [
            "path=%252e%252e%252f%252e%252e%252fetc%252fpasswd",
            "file=%252e%252e%252f%252e%252e%252f%252e%252e%252fetc%252fshadow",
            "id=1%2527%2520OR%25201=1--",
            "id=1%2527%2520UNION%2520SELECT%2520NULL,NULL--",
            "path=..%252f..%252f..%252fetc%252fpasswd",
        ];
        let n1 = self.scaled(rng.range(70, 150), 20);
        let n2 = self.scaled(rng.range(25, 60), 8);
        let d1 = rng.range(10, 20) * MIN;
        let gap = rng.range(5, 30) * MIN;
        let d2 = rng.range(10, 20) * MIN;
        let (s, _) = self.window(rng, d1 + gap + d2, false);
        let c = v.connect(rng);
        let mut events = Vec::new();
        let mut last_block = 0;
        for _ in 0..n1 {
            let t = rng.range(s, s + d1 - 1);
            last_block = last_block.max(t);
            let mut r = v.req(&c, t, rng);
            r.stem = Text::S(path);
            r.query = Text::S(rng.choose(&blocked_q));
            r.error(403, "InvalidRequestBlocked", rng);
            events.push(r);
        }
        let s2 = s + d1 + gap;
        let c2 = v.connect(rng);
        let mut first_bypass = u64::MAX;
        for _ in 0..n2 {
            let t = rng.range(s2, s2 + d2 - 1);
            first_bypass = first_bypass.min(t);
            let mut r = v.req(&c2, t, rng);
            r.stem = Text::S(path);
            r.query = Text::S(rng.choose(&bypass_q));
            r.ok(JSON, rng.range(900, 40_000), Res::Miss, rng);
            events.push(r);
        }
        let day0 = self.day0;
        vec![self.done(
            "waf_bypass",
            None,
            "WAF bypass: blocked (403 InvalidRequestBlocked) on a path, later 200 on the same path with double-encoded payloads",
            events,
            Some(vec![path.to_string()]),
            json!({"blocked_requests": n1, "bypass_requests": n2,
                   "blocked_start": iso(day0, s), "blocked_end": iso(day0, last_block / 1000 * 1000 + 1000),
                   "bypass_start": iso(day0, first_bypass / 1000 * 1000), "bypass_end": iso(day0, s2 + d2),
                   "encoding": "double (%25xx)"}),
        )]
    }

    /// Many-IP HTTP flood in the window `[s, e)`.
    fn ddos_burst(&mut self, rng: &mut Rng, s: u64, e: u64) -> Injected<'a> {
        let minutes = (e - s) / MIN;
        let baseline = self.rate_at(s).max(10.0);
        let lines = ((baseline * 9.0 * minutes as f64) as u64).max(300);
        let n_ips = (lines / 40).clamp(200, 800);
        let mut bots = Vec::with_capacity(n_ips as usize);
        for _ in 0..n_ips {
            let ip = self.book.random_public(rng);
            let ua = if rng.chance(0.1) { "Mozilla/5.0" } else { *rng.pick(FAKE_BROWSERS) };
            let region = rng.below(model::REGIONS.len() as u64) as usize;
            let mut b = self.actor(ip, ua, Kind::Desktop, region, rng);
            b.ver = *rng.pick(&["HTTP/1.1", "HTTP/2.0"]);
            bots.push(b);
        }
        let conns: Vec<_> = bots.iter().map(|b| b.connect(rng)).collect();
        let mut events = Vec::with_capacity(lines as usize);
        for _ in 0..lines {
            let k = rng.below(n_ips) as usize;
            let mut r = bots[k].req(&conns[k], rng.range(s, e - 1), rng);
            if rng.chance(0.55) {
                r.stem = Text::S("/");
                let res = if rng.chance(0.9) { Res::Hit } else { Res::Miss };
                r.ok(HTML, 40_000 + rng.below(600), res, rng);
            } else {
                r.stem = Text::S("/search");
                let q = format!("q={}+{}", rng.pick(WORDS), rng.pick(WORDS));
                r.query = Text::own(q);
                r.ok(HTML, rng.range(18_000, 65_000), Res::Miss, rng);
                // The origin slows down under load.
                let extra = rng.range(200, 2_500) as u32;
                r.ttfb_ms += extra;
                r.time_taken_ms += extra;
            }
            events.push(r);
        }
        self.done(
            "ddos",
            Some("burst"),
            "HTTP flood: ~10x the baseline request rate from hundreds of IPs against / and /search",
            events,
            Some(vec!["/".into(), "/search".into()]),
            json!({"baseline_per_min": (baseline * 10.0).round() / 10.0,
                   "burst_per_min": (lines as f64 / minutes as f64 * 10.0).round() / 10.0,
                   "distinct_ips": n_ips}),
        )
    }

    /// Single-client flood: > 500 requests in 5 minutes from one address.
    fn flood(&mut self, rng: &mut Rng) -> Injected<'a> {
        let (fs, fe) = self.window(rng, 5 * MIN, true);
        let ip = self.hosting_ip(rng);
        let ua = *rng.pick(&["Go-http-client/1.1", "python-httpx/0.27.2", "axios/1.7.7"]);
        let v = self.actor(ip, ua, Kind::Library, 0, rng);
        let n = rng.range(550, 900);
        let c = v.connect(rng);
        let mut events = Vec::with_capacity(n as usize);
        let step = (fe - fs) / n;
        for i in 0..n {
            let mut r = v.req(&c, fs + i * step + rng.below(step + 1), rng);
            r.stem = Text::S("/api/v1/products");
            r.query = Text::own(format!("page={}", rng.range(1, 200)));
            if i * 10 >= n * 7 {
                // A rate-based WAF rule kicks in.
                r.error(403, "InvalidRequestBlocked", rng);
            } else {
                r.ok(JSON, rng.range(6_000, 16_000), Res::Miss, rng);
            }
            events.push(r);
        }
        self.done(
            "ddos",
            Some("flood"),
            "per-client flood: one IP above 500 requests in 5 minutes; the last 30% rate-limited (403)",
            events,
            Some(vec!["/api/v1/products".into()]),
            json!({"window_minutes": 5}),
        )
    }

    /// Traffic through the never-seen edge `GEO_EDGES[gi]` during `[s, e)`.
    fn geo_spike(&mut self, rng: &mut Rng, gi: usize, s: u64, e: u64) -> Injected<'a> {
        let edge = self.edges.geo[gi];
        let blocks = model::GEO_EDGES[gi].1;
        let dur = e - s;
        let baseline = self.rate_at(s).max(10.0);
        let target = ((baseline * 0.3 * (dur / MIN) as f64) as u64).max(self.scaled(900, 300));
        let n_ips = (target / 25).clamp(30, 400);
        let mut visitors = Vec::new();
        for _ in 0..n_ips {
            let block = *rng.pick(blocks);
            let ip = self.book.in16(rng, block);
            let mobile = rng.chance(0.7);
            let (ua, os) = model::browser_ua(rng, mobile);
            let (lo, hi) = model::port_range(os);
            let mut v = self.actor(ip, &ua, if mobile { Kind::Mobile } else { Kind::Desktop }, 0, rng);
            v.edges = [edge, edge];
            v.ver = if rng.chance(0.8) { "HTTP/2.0" } else { "HTTP/1.1" };
            v.port_lo = lo;
            v.port_hi = hi;
            visitors.push(v);
        }
        let sessions = Sessions { cat: self.cat };
        let ramp = 3 * MIN;
        let mut events: Vec<Req<'a>> = Vec::with_capacity(target as usize + 64);
        let mut tmp = Vec::new();
        while (events.len() as u64) < target {
            let v = &visitors[rng.below(n_ips) as usize];
            // Sudden ramp: linear rise over the first 3 minutes, then flat.
            let t0 = if rng.chance(0.05) {
                let a = rng.below(ramp);
                let b = rng.below(ramp);
                s + a.max(b)
            } else {
                rng.range(s + ramp, e - 1)
            };
            tmp.clear();
            sessions.session(v, t0, rng, &mut tmp);
            for ev in tmp.drain(..) {
                if ev.t_ms < e && (events.len() as u64) < target {
                    events.push(ev);
                }
            }
        }
        let name = self.edges.names[edge as usize];
        self.done(
            "geo_spike",
            None,
            "traffic suddenly arriving through an edge location never seen otherwise, for ~30 minutes",
            events,
            None,
            json!({"new_edge_location": name, "baseline_per_min": (baseline * 10.0).round() / 10.0}),
        )
    }

    fn egress(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let ip = self.hosting_ip(rng);
        let ua = *rng.pick(&["Wget/1.21.4", "curl/8.4.0", "rclone/v1.68.1"]);
        let v = self.actor(ip, ua, Kind::Library, 3, rng);
        let n = self.scaled(rng.range(150, 280), 40);
        let dur = rng.range(60, 120) * MIN;
        let (s, e) = self.window(rng, dur, false);
        let step = (e - s) / n;
        let year = rng.range(2019, 2026);
        let mut events = Vec::with_capacity(n as usize);
        let mut total = 0u64;
        for i in 0..n {
            let c = v.connect(rng);
            let mut r = v.req(&c, s + i * step + rng.below(step / 3 + 1), rng);
            r.stem = Text::own(format!("/downloads/dataset-{year}-part{:04}.zip", i + 1));
            let body = rng.range(200_000_000, 800_000_000);
            let res = if rng.chance(0.7) { Res::Miss } else { Res::Hit };
            r.ok(ZIP, body, res, rng);
            // Sustained 30-120 MB/s transfer.
            let bw = rng.range(30_000, 120_000);
            r.time_taken_ms = r.ttfb_ms + (r.sc_bytes / bw) as u32;
            total += r.sc_bytes;
            events.push(r);
        }
        vec![self.done(
            "egress",
            None,
            "data exfiltration: one client downloading many 200-800 MB archives",
            events,
            Some(vec!["/downloads/dataset-*".into()]),
            json!({"total_sc_bytes": total, "min_object_bytes": 200_000_000u64}),
        )]
    }

    fn protocol_anomaly(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let ip = self.hosting_ip(rng);
        let v = self.actor(ip, "-", Kind::Library, 1, rng);
        let n = self.scaled(rng.range(200, 400), 60);
        let dur = rng.range(30, 60) * MIN;
        let (s, e) = self.window(rng, dur, false);
        let ports: [u16; 10] = [7, 19, 53, 80, 123, 443, 1337, 31337, 1, 65535];
        let stems = ["/", "/index.html", "/admin/", "/webdav/", "/api/v1/products", "/.well-known/security.txt"];
        let mut events = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let c = v.connect(rng);
            let mut r = v.req(&c, rng.range(s, e - 1), rng);
            let (ssl, cipher) = match rng.below(100) {
                0..=59 => ("TLSv1", *rng.pick(&["ECDHE-RSA-AES128-SHA", "AES128-SHA"])),
                60..=84 => ("SSLv3", *rng.pick(&["AES128-SHA", "DES-CBC3-SHA"])),
                _ => ("TLSv1.1", "ECDHE-RSA-AES256-SHA"),
            };
            r.ssl = ssl;
            r.cipher = cipher;
            r.ver = if rng.chance(0.8) { "HTTP/1.0" } else { "HTTP/1.1" };
            r.port = *rng.pick(&ports);
            r.stem = Text::S(rng.choose(&stems));
            r.method = match rng.below(100) {
                0..=24 => "TRACE",
                25..=44 => "PROPFIND",
                45..=59 => "DEBUG",
                60..=64 => "TRACK",
                65..=74 => "OPTIONS",
                _ => "GET",
            };
            match r.method {
                "DEBUG" | "TRACK" => r.error(403, "InvalidRequestMethod", rng),
                "TRACE" | "PROPFIND" => r.error(405, "Error", rng),
                "OPTIONS" => {
                    r.ok("-", 0, Res::Miss, rng);
                    r.clen = None;
                }
                _ => r.ok(HTML, 40_000, Res::Hit, rng),
            }
            events.push(r);
        }
        vec![self.done(
            "protocol_anomaly",
            None,
            "protocol anomalies: TLSv1/SSLv3, HTTP/1.0, TRACE/PROPFIND/DEBUG/TRACK, no User-Agent, odd source ports",
            events,
            None,
            json!({"ssl_protocols": ["SSLv3", "TLSv1", "TLSv1.1"], "methods": ["DEBUG", "GET", "OPTIONS", "PROPFIND", "TRACE", "TRACK"],
                   "c_ports": ports, "user_agent": "-"}),
        )]
    }

    fn scanner(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let ip = self.hosting_ip(rng);
        let nuclei = rng.chance(0.6);
        let ua = if nuclei {
            "Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))"
        } else {
            "sqlmap/1.8#stable (https://sqlmap.org)"
        };
        let mut v = self.actor(ip, ua, Kind::Library, 0, rng);
        v.ssl = "TLSv1.2";
        v.cipher = "ECDHE-RSA-AES128-GCM-SHA256";
        let n = self.scaled(rng.range(1_500, 2_600), 200);
        let dur = rng.range(30, 90) * MIN;
        let (s, e) = self.window(rng, dur, false);
        let step = ((e - s) / n).max(1);
        let mut events = Vec::with_capacity(n as usize);
        let mut c = v.connect(rng);
        let mut stems = BTreeSet::new();
        for i in 0..n {
            if i % 40 == 0 {
                c = v.connect(rng);
            }
            let base = SCAN_PATHS[(i as usize) % SCAN_PATHS.len()];
            let round = (i as usize / SCAN_PATHS.len()) % SCAN_PREFIXES.len();
            let prefix = if base == "/robots.txt" || base == "/sitemap.xml" { "" } else { SCAN_PREFIXES[round] };
            let stem = format!("{prefix}{base}");
            let mut r = v.req(&c, s + i * step + rng.below(step / 2 + 1), rng);
            if rng.chance(0.4) {
                r.xhost = model::DOMAIN;
            }
            if !nuclei && rng.chance(0.3) {
                r.query = Text::S(rng.choose(WAF_PAYLOADS));
            }
            match base {
                "/robots.txt" => r.ok("text/plain", 412, Res::Hit, rng),
                "/sitemap.xml" => r.ok("application/xml", 48_517, Res::Hit, rng),
                "/wp-admin/" | "/admin/" | "/phpmyadmin/" | "/pma/" | "/HNAP1/" if rng.chance(0.3) => {
                    r.ok(HTML, 0, Res::Miss, rng);
                    r.status = 301;
                }
                _ if base.contains("..") || base.contains("%2e") || base.starts_with("/.git") || base.starts_with("/.aws") => {
                    r.error(403, "InvalidRequestBlocked", rng)
                }
                _ if rng.chance(0.08) => r.error(403, "Error", rng),
                _ => r.error(404, "Error", rng),
            }
            stems.insert(stem.clone());
            r.stem = Text::own(stem);
            events.push(r);
        }
        vec![self.done(
            "scanner",
            None,
            "vulnerability scanner probing sensitive paths (.env, .git, wp-login.php, actuator, ...), mostly 404/403",
            events,
            Some(stems.into_iter().collect()),
            json!({"tool": if nuclei { "nuclei" } else { "sqlmap" }}),
        )]
    }

    fn credential_stuffing(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let n_ips = self.scaled(rng.range(140, 170), 100);
        let dur = rng.range(60, 180) * MIN;
        let (s, e) = self.window(rng, dur, false);
        let mut events = Vec::new();
        let mut failures = 0u64;
        for _ in 0..n_ips {
            let ip = if rng.chance(0.1) {
                let p = *rng.pick(&[(0x2a02u16, 0x6b8u16), (0x2600, 0x387f), (0x2405, 0x9800)]);
                self.book.v6(rng, p)
            } else {
                self.book.random_public(rng)
            };
            let mobile = rng.chance(0.3);
            let (ua, os) = model::browser_ua(rng, mobile);
            let region = rng.below(model::REGIONS.len() as u64) as usize;
            let mut v = self.actor(ip, &ua, Kind::Desktop, region, rng);
            let (lo, hi) = model::port_range(os);
            v.port_lo = lo;
            v.port_hi = hi;
            v.ver = "HTTP/2.0";
            let c = v.connect(rng);
            let k = rng.range(2, 8);
            let mut t = rng.range(s, e - 1);
            for _ in 0..k {
                if t >= e {
                    break;
                }
                let mut r = v.req(&c, t, rng);
                r.method = "POST";
                let api = rng.chance(0.4);
                r.stem = Text::S(if api { "/api/auth/token" } else { "/login" });
                r.referer = if api { Referer::None } else { Referer::SelfPath(Text::S("/login")) };
                r.cs_bytes += rng.range(70, 160) as u32;
                match rng.below(100) {
                    0..=79 => {
                        r.api_error(401, rng);
                        failures += 1;
                    }
                    80..=95 => {
                        r.api_error(403, rng);
                        failures += 1;
                    }
                    _ if api => r.ok(JSON, rng.range(700, 1_100), Res::Miss, rng),
                    _ => {
                        r.ok(HTML, 0, Res::Miss, rng);
                        r.status = 302;
                    }
                }
                if !api {
                    r.ctype = HTML;
                }
                events.push(r);
                t += rng.range(8_000, 120_000);
            }
        }
        let total = events.len() as u64;
        vec![self.done(
            "credential_stuffing",
            None,
            "credential stuffing: ~150 IPs each sending a few login POSTs, mostly 401/403",
            events,
            Some(vec!["/api/auth/token".into(), "/login".into()]),
            json!({"failures": failures, "failure_ratio": (failures as f64 / total.max(1) as f64 * 1000.0).round() / 1000.0,
                   "distinct_ips": n_ips, "method": "POST"}),
        )]
    }
}
