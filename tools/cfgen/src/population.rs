//! The benign client population and the address bookkeeping shared with the
//! threat planner (every generated address is unique across the whole run).

use std::collections::HashSet;

use crate::encode::{cf_encode, ipv4, ipv6};
use crate::event::{Kind, Text, Visitor};
use crate::model::{self, Os, REGIONS};
use crate::rng::{pick_weighted, Rng, Weighted};

/// Edge-location table: benign edges per region, then the never-benign ones.
pub struct Edges {
    pub names: Vec<&'static str>,
    /// Per region: edge indices and their weights.
    pub regional: Vec<(Vec<u16>, Weighted)>,
    /// Indices of the `GEO_EDGES` entries.
    pub geo: Vec<u16>,
}

impl Edges {
    /// Builds the table from [`model::REGIONS`] and [`model::GEO_EDGES`].
    pub fn new() -> Self {
        let mut names = Vec::new();
        let mut regional = Vec::new();
        for r in REGIONS {
            let mut idx = Vec::new();
            for (e, _) in r.edges {
                idx.push(names.len() as u16);
                names.push(*e);
            }
            regional.push((idx, Weighted::new(r.edges.iter().map(|(_, w)| *w as u64))));
        }
        let mut geo = Vec::new();
        for (e, _) in model::GEO_EDGES {
            geo.push(names.len() as u16);
            names.push(*e);
        }
        Edges { names, regional, geo }
    }

    /// Draws an edge serving `region`.
    pub fn pick(&self, region: usize, rng: &mut Rng) -> u16 {
        let (idx, w) = &self.regional[region];
        idx[w.pick(rng)]
    }
}

impl Default for Edges {
    fn default() -> Self {
        Self::new()
    }
}

/// Registry of used addresses and of benign /16s.
pub struct AddrBook {
    used: HashSet<String>,
    benign16: HashSet<(u8, u8)>,
}

impl AddrBook {
    /// Empty book that knows every benign /16 (threat addresses avoid them).
    pub fn new() -> Self {
        let mut benign16 = HashSet::new();
        for r in REGIONS {
            for p in r.v4 {
                benign16.insert(*p);
            }
        }
        for c in model::CRAWLERS {
            for (a, b, _) in c.blocks {
                benign16.insert((*a, *b));
            }
        }
        AddrBook { used: HashSet::new(), benign16 }
    }

    /// Records `ip`; false if it was already taken.
    pub fn claim(&mut self, ip: &str) -> bool {
        self.used.insert(ip.to_string())
    }

    /// A fresh address inside the /16 `p`.
    pub fn in16(&mut self, rng: &mut Rng, p: (u8, u8)) -> String {
        loop {
            let ip = ipv4(p.0, p.1, rng.below(256) as u8, rng.range(1, 254) as u8);
            if self.claim(&ip) {
                return ip;
            }
        }
    }

    /// A fresh address inside the /24 `p`.
    pub fn in24(&mut self, rng: &mut Rng, p: (u8, u8, u8)) -> String {
        for _ in 0..300 {
            let ip = ipv4(p.0, p.1, p.2, rng.range(1, 254) as u8);
            if self.claim(&ip) {
                return ip;
            }
        }
        // /24 exhausted: spill into the neighbouring block.
        self.in24(rng, (p.0, p.1, p.2.wrapping_add(1)))
    }

    /// A fresh IPv6 address under the /32 `p`.
    pub fn v6(&mut self, rng: &mut Rng, p: (u16, u16)) -> String {
        loop {
            let mut g = [0u16; 8];
            g[0] = p.0;
            g[1] = p.1;
            for v in g.iter_mut().skip(2) {
                *v = rng.below(0x10000) as u16;
            }
            g[2] |= 0x100;
            g[7] |= 1;
            let ip = ipv6(g);
            if self.claim(&ip) {
                return ip;
            }
        }
    }

    /// A fresh public-looking IPv4 outside every benign /16 (botnets, proxies).
    pub fn random_public(&mut self, rng: &mut Rng) -> String {
        loop {
            let a = rng.range(1, 223) as u8;
            let b = rng.below(256) as u8;
            let reserved = matches!(a, 0 | 10 | 100 | 127 | 169 | 172 | 192 | 198 | 203) || self.benign16.contains(&(a, b));
            if reserved {
                continue;
            }
            let ip = ipv4(a, b, rng.below(256) as u8, rng.range(1, 254) as u8);
            if self.claim(&ip) {
                return ip;
            }
        }
    }
}

impl Default for AddrBook {
    fn default() -> Self {
        Self::new()
    }
}

/// One benign client with stable properties.
pub struct Client {
    pub ip: String,
    /// Percent-encoded user agent.
    pub ua: String,
    pub kind: Kind,
    pub edges: [u16; 2],
    pub ver: &'static str,
    pub ssl: &'static str,
    pub cipher: &'static str,
    pub port_lo: u16,
    pub port_hi: u16,
    pub xff: Option<String>,
    pub xhost: &'static str,
    /// Monitors: the single path they poll and their polling interval in seconds.
    pub probe: &'static str,
    pub interval_s: u64,
}

impl Client {
    /// Borrowing view used by the session generators.
    pub fn visitor(&self) -> Visitor<'_> {
        Visitor {
            ip: Text::S(&self.ip),
            ua: Text::S(&self.ua),
            kind: self.kind,
            edges: self.edges,
            ver: self.ver,
            ssl: self.ssl,
            cipher: self.cipher,
            port_lo: self.port_lo,
            port_hi: self.port_hi,
            xff: match &self.xff {
                Some(x) => Text::S(x),
                None => Text::Dash,
            },
            xhost: self.xhost,
        }
    }
}

/// All benign clients and how often each starts a session.
pub struct Population {
    pub clients: Vec<Client>,
    pub activity: Weighted,
}

/// Picks an HTTP version for a browser-like client.
fn browser_version(rng: &mut Rng) -> &'static str {
    match rng.below(100) {
        0..=69 => "HTTP/2.0",
        70..=87 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
}

impl Population {
    /// Builds `n` clients: ~93% browsers (desktop and mobile), ~5% crawlers, ~2% libraries.
    pub fn new(n: usize, rng: &mut Rng, edges: &Edges, book: &mut AddrBook) -> Self {
        let regions = model::region_weights();
        let mut clients = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        for _ in 0..n {
            let roll = rng.below(1000);
            let kind = match roll {
                0..=49 => Kind::Crawler,
                50..=69 => Kind::Library,
                70..=479 => Kind::Mobile,
                _ => Kind::Desktop,
            };
            let region = regions.pick(rng);
            let reg = &REGIONS[region];
            let client = match kind {
                Kind::Crawler => {
                    let crawler = pick_crawler(rng);
                    let (ua, blocks) = (crawler.ua, crawler.blocks);
                    let prefix = *rng.pick(blocks);
                    let ip = book.in24(rng, prefix);
                    // Crawlers are mostly US-hosted.
                    let r = if rng.chance(0.8) { rng.below(3) as usize } else { region };
                    let (ssl, cipher) =
                        if rng.chance(0.7) { ("TLSv1.3", "TLS_AES_128_GCM_SHA256") } else { ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256") };
                    Client {
                        ip,
                        ua: cf_encode(ua),
                        kind,
                        edges: [edges.pick(r, rng), edges.pick(r, rng)],
                        ver: if rng.chance(0.35) { "HTTP/2.0" } else { "HTTP/1.1" },
                        ssl,
                        cipher,
                        port_lo: 32768,
                        port_hi: 60993,
                        xff: None,
                        xhost: model::WWW,
                        probe: "/",
                        interval_s: 0,
                    }
                }
                _ => {
                    let v6 = match kind {
                        Kind::Mobile => rng.chance(0.24),
                        Kind::Desktop => rng.chance(0.09),
                        _ => rng.chance(0.05),
                    };
                    let ip = if v6 {
                        let prefix = *rng.pick(reg.v6);
                        book.v6(rng, prefix)
                    } else {
                        let prefix = *rng.pick(reg.v4);
                        book.in16(rng, prefix)
                    };
                    let (ua, os, ver, (ssl, cipher), probe) = if kind == Kind::Library {
                        let ua = (*pick_weighted(rng, model::LIBRARIES)).to_string();
                        let ver = if ua.starts_with("Go-http-client/2") { "HTTP/2.0" } else { "HTTP/1.1" };
                        let tls = if rng.chance(0.6) {
                            ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
                        } else {
                            ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256")
                        };
                        let probe = *rng.pick(&["/health", "/", "/api/v1/status", "/robots.txt"]);
                        (ua, Os::Linux, ver, tls, probe)
                    } else {
                        let (ua, os) = model::browser_ua(rng, kind == Kind::Mobile);
                        let ver = browser_version(rng);
                        let tls = if ver == "HTTP/3.0" { ("TLSv1.3", "TLS_AES_128_GCM_SHA256") } else { model::modern_tls(rng) };
                        (ua, os, ver, tls, "/")
                    };
                    let (port_lo, port_hi) = model::port_range(os);
                    let xff = if kind != Kind::Library && rng.chance(0.025) {
                        Some(if rng.chance(0.6) {
                            format!("192.0.2.{}", rng.range(1, 254))
                        } else {
                            format!("198.51.100.{}, 203.0.113.{}", rng.range(1, 254), rng.range(1, 254))
                        })
                    } else {
                        None
                    };
                    Client {
                        ip,
                        ua: cf_encode(&ua),
                        kind,
                        edges: [edges.pick(region, rng), edges.pick(region, rng)],
                        ver,
                        ssl,
                        cipher,
                        port_lo,
                        port_hi,
                        xff,
                        xhost: if rng.chance(0.88) { model::WWW } else { model::APEX },
                        probe,
                        interval_s: *rng.pick(&[30, 60, 60, 120, 300]),
                    }
                }
            };
            let w = match kind {
                Kind::Crawler => rng.range(6, 14),
                Kind::Library => rng.range(8, 20),
                _ => match rng.below(100) {
                    0..=59 => 10,
                    60..=89 => 30,
                    90..=98 => 70,
                    _ => 150,
                },
            };
            weights.push(w);
            clients.push(client);
        }
        Population { activity: Weighted::new(weights), clients }
    }

    /// Draws the client starting the next session.
    pub fn pick(&self, rng: &mut Rng) -> &Client {
        &self.clients[self.activity.pick(rng)]
    }
}

fn pick_crawler(rng: &mut Rng) -> &'static model::Crawler {
    let total: u64 = model::CRAWLERS.iter().map(|c| c.weight as u64).sum();
    let mut x = rng.below(total);
    for c in model::CRAWLERS {
        if x < c.weight as u64 {
            return c;
        }
        x -= c.weight as u64;
    }
    &model::CRAWLERS[0]
}
