//! One request (`Req`), the actor issuing it (`Visitor`), response helpers, and
//! the renderer that turns a request into one 33-field tab-separated log line.

use std::sync::Arc;

use crate::encode::{push_2, push_request_id, push_secs, push_u64};
use crate::rng::Rng;

/// A field value: `-`, borrowed, or shared-owned (threat events live across threads).
#[derive(Clone, Debug)]
pub enum Text<'a> {
    /// Empty value, logged as `-`.
    Dash,
    /// Borrowed from the catalog or population.
    S(&'a str),
    /// Owned by the event (or shared between events of one actor).
    A(Arc<str>),
}

impl<'a> Text<'a> {
    /// The logged text (`-` when empty).
    #[inline]
    pub fn as_str(&self) -> &str {
        let s = match self {
            Text::Dash => "-",
            Text::S(s) => s,
            Text::A(a) => a,
        };
        if s.is_empty() {
            "-"
        } else {
            s
        }
    }

    /// Wraps an owned string.
    pub fn own(s: String) -> Text<'static> {
        Text::A(Arc::from(s))
    }
}

/// `x-edge-result-type` / `x-edge-response-result-type` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Res {
    Hit,
    RefreshHit,
    Miss,
    LimitExceeded,
    CapacityExceeded,
    Error,
    Redirect,
}

impl Res {
    /// Name as logged.
    pub fn as_str(self) -> &'static str {
        match self {
            Res::Hit => "Hit",
            Res::RefreshHit => "RefreshHit",
            Res::Miss => "Miss",
            Res::LimitExceeded => "LimitExceeded",
            Res::CapacityExceeded => "CapacityExceeded",
            Res::Error => "Error",
            Res::Redirect => "Redirect",
        }
    }
}

/// `cs(Referer)`: none, a full URL, or a page of the site itself (`https://<x-host-header><path>`).
#[derive(Clone, Debug)]
pub enum Referer<'a> {
    None,
    Url(Text<'a>),
    SelfPath(Text<'a>),
}

/// One request as CloudFront would log it. Times are milliseconds since the
/// start of the generated span (midnight UTC of `--date`).
#[derive(Clone, Debug)]
pub struct Req<'a> {
    pub t_ms: u64,
    pub edge: u16,
    pub ip: Text<'a>,
    pub method: &'static str,
    pub stem: Text<'a>,
    pub status: u16,
    pub referer: Referer<'a>,
    pub ua: Text<'a>,
    pub query: Text<'a>,
    pub cookie: Text<'a>,
    pub result: Res,
    pub xhost: &'static str,
    pub proto: &'static str,
    pub cs_bytes: u32,
    pub time_taken_ms: u32,
    pub xff: Text<'a>,
    pub ssl: &'static str,
    pub cipher: &'static str,
    pub resp_result: Res,
    pub ver: &'static str,
    pub port: u16,
    pub ttfb_ms: u32,
    pub detailed: &'static str,
    pub ctype: &'static str,
    pub clen: Option<u64>,
    pub range: Option<(u64, u64)>,
    pub sc_bytes: u64,
}

/// Coarse client category, decides behaviour and request sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Desktop,
    Mobile,
    Crawler,
    Library,
}

/// A client as seen by the edge: address, headers and connection properties.
#[derive(Clone, Debug)]
pub struct Visitor<'a> {
    pub ip: Text<'a>,
    pub ua: Text<'a>,
    pub kind: Kind,
    /// Home edge and an occasional alternative (indices into the edge table).
    pub edges: [u16; 2],
    pub ver: &'static str,
    pub ssl: &'static str,
    pub cipher: &'static str,
    pub port_lo: u16,
    pub port_hi: u16,
    pub xff: Text<'a>,
    pub xhost: &'static str,
}

/// Per-session connection state: the edge and source port(s) stay stable.
#[derive(Clone, Copy, Debug)]
pub struct Conn {
    pub edge: u16,
    pub port: u16,
}

impl<'a> Visitor<'a> {
    /// Opens a session: picks the edge and an ephemeral source port.
    pub fn connect(&self, rng: &mut Rng) -> Conn {
        let edge = if rng.chance(0.93) { self.edges[0] } else { self.edges[1] };
        let port = rng.range(self.port_lo as u64, self.port_hi as u64) as u16;
        Conn { edge, port }
    }

    /// A GET request skeleton for this visitor; callers fill path and response.
    pub fn req(&self, c: &Conn, t_ms: u64, rng: &mut Rng) -> Req<'a> {
        // HTTP/1.1 browsers spread requests over up to six connections.
        let port = if self.ver == "HTTP/1.1" && self.kind != Kind::Library { c.port.saturating_add(rng.below(6) as u16) } else { c.port };
        let cs_bytes = match self.kind {
            Kind::Desktop | Kind::Mobile => rng.range(380, 980),
            Kind::Crawler => rng.range(210, 420),
            Kind::Library => rng.range(90, 210),
        } as u32;
        Req {
            t_ms,
            edge: c.edge,
            ip: self.ip.clone(),
            method: "GET",
            stem: Text::S("/"),
            status: 200,
            referer: Referer::None,
            ua: self.ua.clone(),
            query: Text::Dash,
            cookie: Text::Dash,
            result: Res::Hit,
            xhost: self.xhost,
            proto: "https",
            cs_bytes,
            time_taken_ms: 0,
            xff: self.xff.clone(),
            ssl: self.ssl,
            cipher: self.cipher,
            resp_result: Res::Hit,
            ver: self.ver,
            port,
            ttfb_ms: 0,
            detailed: "Hit",
            ctype: "-",
            clen: None,
            range: None,
            sc_bytes: 0,
        }
    }
}

/// Response header overhead in bytes.
#[inline]
fn hdr(rng: &mut Rng) -> u64 {
    rng.range(330, 720)
}

impl<'a> Req<'a> {
    /// Sets result type, response result type and detailed type together.
    #[inline]
    pub fn set_result(&mut self, r: Res) {
        self.result = r;
        self.resp_result = r;
        self.detailed = r.as_str();
    }

    /// Fills timings from the result type and the number of bytes sent.
    pub fn timing(&mut self, rng: &mut Rng) {
        let ttfb = match self.result {
            Res::Hit => rng.skewed(1, 45),
            Res::RefreshHit => rng.skewed(15, 260),
            Res::Miss => rng.skewed(28, 900),
            Res::Redirect => rng.skewed(0, 6),
            _ => rng.skewed(1, 40),
        };
        // Viewer bandwidth between ~1 and ~60 MB/s (bytes per millisecond).
        let bw = rng.skewed(1_000, 60_000).max(1);
        let xfer = self.sc_bytes / bw;
        self.ttfb_ms = ttfb as u32;
        self.time_taken_ms = (ttfb + xfer + rng.below(4)).min(u32::MAX as u64) as u32;
    }

    /// A successful (200) response with a body of `body` bytes.
    pub fn ok(&mut self, ctype: &'static str, body: u64, result: Res, rng: &mut Rng) {
        self.status = 200;
        self.set_result(result);
        self.ctype = ctype;
        if self.method == "HEAD" {
            self.sc_bytes = hdr(rng);
        } else {
            self.sc_bytes = body + hdr(rng);
        }
        self.clen = Some(body);
        self.timing(rng);
    }

    /// A `304 Not Modified` revalidation.
    pub fn not_modified(&mut self, result: Res, rng: &mut Rng) {
        self.status = 304;
        self.set_result(result);
        self.ctype = "-";
        self.clen = None;
        self.sc_bytes = rng.range(240, 430);
        self.timing(rng);
    }

    /// A 4xx/5xx answered with a small HTML error page; result type `Error`.
    pub fn error(&mut self, status: u16, detailed: &'static str, rng: &mut Rng) {
        self.status = status;
        self.result = Res::Error;
        self.resp_result = Res::Error;
        self.detailed = detailed;
        self.ctype = "text/html";
        let body = rng.range(900, 1_250);
        self.clen = Some(body);
        self.sc_bytes = body + hdr(rng);
        self.timing(rng);
    }

    /// A 4xx from the origin with a JSON body (APIs).
    pub fn api_error(&mut self, status: u16, rng: &mut Rng) {
        self.status = status;
        self.set_result(Res::Error);
        self.ctype = "application/json";
        let body = rng.range(40, 180);
        self.clen = Some(body);
        self.sc_bytes = body + hdr(rng);
        self.timing(rng);
        // The origin answered: add its processing latency.
        let origin = rng.range(20, 160) as u32;
        self.ttfb_ms += origin;
        self.time_taken_ms += origin;
    }

    /// An origin failure: 502 connect error or 504 read timeout (or 503).
    pub fn origin_failure(&mut self, rng: &mut Rng) {
        let (status, detailed, ttfb) = match rng.below(10) {
            0..=4 => (502, "OriginConnectError", rng.range(12, 10_000)),
            5..=8 => (504, "OriginReadError", rng.range(30_000, 30_600)),
            _ => (503, "OriginError", rng.range(40, 2_500)),
        };
        self.status = status;
        self.result = Res::Error;
        self.resp_result = Res::Error;
        self.detailed = detailed;
        self.ctype = "text/html";
        let body = rng.range(900, 1_100);
        self.clen = Some(body);
        self.sc_bytes = body + hdr(rng);
        self.ttfb_ms = ttfb as u32;
        self.time_taken_ms = ttfb as u32 + rng.below(5) as u32;
        self.range = None;
    }

    /// The viewer hung up before a response (`000`).
    pub fn hung_up(&mut self, rng: &mut Rng) {
        self.status = 0;
        self.result = Res::Error;
        self.resp_result = Res::Error;
        self.detailed = if rng.chance(0.5) { "ClientHungUpRequest" } else { "ClientCommError" };
        self.ctype = "-";
        self.clen = None;
        self.range = None;
        self.sc_bytes = rng.range(0, 400);
        self.ttfb_ms = rng.range(5, 4_000) as u32;
        self.time_taken_ms = self.ttfb_ms + rng.range(0, 9_000) as u32;
    }
}

/// Per-run constants needed to render lines.
pub struct RenderCtx<'c> {
    /// `YYYY-MM-DD` per day of the span.
    pub dates: &'c [String],
    /// Edge location names by index.
    pub edges: &'c [&'static str],
    /// Distribution domain for `cs(Host)`.
    pub domain: &'c str,
}

#[inline]
fn put(buf: &mut Vec<u8>, s: &str) {
    buf.extend_from_slice(if s.is_empty() { b"-" } else { s.as_bytes() });
    buf.push(b'\t');
}

#[inline]
fn put_u(buf: &mut Vec<u8>, n: u64) {
    push_u64(buf, n);
    buf.push(b'\t');
}

impl Req<'_> {
    /// Appends this request as one log line (33 TAB-separated fields and `\n`).
    /// Draws the `x-edge-request-id` from `rng`.
    pub fn render(&self, ctx: &RenderCtx<'_>, rng: &mut Rng, buf: &mut Vec<u8>) {
        let secs = self.t_ms / 1000;
        let day = (secs / 86_400) as usize;
        let sod = (secs % 86_400) as u32;
        put(buf, &ctx.dates[day.min(ctx.dates.len() - 1)]);
        push_2(buf, sod / 3600);
        buf.push(b':');
        push_2(buf, sod / 60 % 60);
        buf.push(b':');
        push_2(buf, sod % 60);
        buf.push(b'\t');
        put(buf, ctx.edges[self.edge as usize]);
        put_u(buf, self.sc_bytes);
        put(buf, self.ip.as_str());
        put(buf, self.method);
        put(buf, ctx.domain);
        put(buf, self.stem.as_str());
        if self.status == 0 {
            buf.extend_from_slice(b"000\t");
        } else {
            put_u(buf, self.status as u64);
        }
        match &self.referer {
            Referer::None => buf.extend_from_slice(b"-\t"),
            Referer::Url(u) => put(buf, u.as_str()),
            Referer::SelfPath(p) => {
                buf.extend_from_slice(b"https://");
                buf.extend_from_slice(self.xhost.as_bytes());
                put(buf, p.as_str());
            }
        }
        put(buf, self.ua.as_str());
        put(buf, self.query.as_str());
        put(buf, self.cookie.as_str());
        put(buf, self.result.as_str());
        push_request_id(buf, rng);
        buf.push(b'\t');
        put(buf, self.xhost);
        put(buf, self.proto);
        put_u(buf, self.cs_bytes as u64);
        push_secs(buf, self.time_taken_ms);
        buf.push(b'\t');
        put(buf, self.xff.as_str());
        put(buf, self.ssl);
        put(buf, self.cipher);
        put(buf, self.resp_result.as_str());
        put(buf, self.ver);
        buf.extend_from_slice(b"-\t-\t");
        put_u(buf, self.port as u64);
        push_secs(buf, self.ttfb_ms);
        buf.push(b'\t');
        put(buf, self.detailed);
        put(buf, self.ctype);
        match self.clen {
            Some(n) => put_u(buf, n),
            None => buf.extend_from_slice(b"-\t"),
        }
        match self.range {
            Some((a, b)) => {
                put_u(buf, a);
                push_u64(buf, b);
            }
            None => buf.extend_from_slice(b"-\t-"),
        }
        buf.push(b'\n');
    }
}
