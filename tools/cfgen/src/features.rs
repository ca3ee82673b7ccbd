//! Benign traffic that real sites have and naive hunts mistake for attacks, injected like threats
//! but recorded under `benign` in truth.json, so an evaluation can count the benign entities a
//! hunt flags: verified search-engine crawlers walking the whole catalog, URLs with spaces
//! (logged `%2520`) and other client-encoded characters, feed readers polling a feed all day,
//! uptime checks, and people reading many pages (a gallery pulls a hundred thumbnails in a minute).

use serde_json::json;

use crate::benign::{CSS, HTML, JS, WEBP, XML};
use crate::encode::cf_encode;
use crate::event::{Kind, Referer, Res, Text, Visitor};
use crate::model::{self, stable_size, Catalog};
use crate::rng::Rng;
use crate::threats::{Injected, Planner};

const MIN: u64 = 60_000;

/// Benign feature names in canonical order (also the order of `benign` in truth.json).
pub const FEATURES: &[&str] = &["verified_crawlers", "spaces_in_urls", "feed_pollers", "uptime_checks", "heavy_readers"];

/// Tag pages whose names contain a space or another character browsers percent-encode.
const TAGS: &[&str] = &["summer sale", "rock & roll", "café culture", "50% off", "black friday", "new in", "c++ books"];
/// Search terms with characters the client encodes.
const SEARCHES: &[&str] = &["rock & roll", "caf\u{e9}", "100% cotton", "t-shirt \"vintage\"", "size 10/11"];

/// Percent-encodes a path segment or query value as a browser does (RFC 3986 unreserved kept).
fn browser_encode(s: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A fresh benign-looking address from the benign regions (never a threat's).
fn benign_ip(p: &mut Planner<'_, '_>, rng: &mut Rng) -> (String, usize) {
    let region = rng.below(model::REGIONS.len() as u64) as usize;
    let prefix = *rng.pick(model::REGIONS[region].v4);
    (p.book.in16(rng, prefix), region)
}

impl<'a> Planner<'a, '_> {
    /// `n` scaled to the site's size, at least `min`.
    fn feature_size(&self, n: u64, min: u64) -> u64 {
        ((n as f64 * self.site_scale) as u64).max(min)
    }

    /// Plans the selected benign features; one truth entry per feature.
    pub(crate) fn features(&mut self, selected: &[&str]) -> Vec<Injected<'a>> {
        let mut out = Vec::new();
        for (idx, name) in FEATURES.iter().enumerate() {
            if !selected.contains(name) {
                continue;
            }
            let mut rng = Rng::stream(self.seed, 300 + idx as u64);
            let inj = match *name {
                "verified_crawlers" => self.verified_crawlers(&mut rng),
                "spaces_in_urls" => self.spaces_in_urls(&mut rng),
                "feed_pollers" => self.feed_pollers(&mut rng),
                "uptime_checks" => self.uptime_checks(&mut rng),
                _ => self.heavy_readers(&mut rng),
            };
            out.push(inj);
        }
        out
    }

    fn browser(&mut self, rng: &mut Rng) -> Visitor<'static> {
        let (ip, region) = benign_ip(self, rng);
        let mobile = rng.chance(0.4);
        let (ua, os) = model::browser_ua(rng, mobile);
        let mut v = self.actor(ip, &ua, if mobile { Kind::Mobile } else { Kind::Desktop }, region, rng);
        let (lo, hi) = model::port_range(os);
        v.port_lo = lo;
        v.port_hi = hi;
        v.ver = "HTTP/2.0";
        v
    }

    /// A Googlebot and a bingbot address (inside the published ranges) each walking a few hundred
    /// pages steadily for hours: scraper-shaped, and benign.
    fn verified_crawlers(&mut self, rng: &mut Rng) -> Injected<'a> {
        let cat: &'a Catalog = self.cat;
        let bots = [
            ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
             (66u8, 249u8, 66u8), 700u64, 600u64),
            ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
             (157, 55, 39), 350, 360),
        ];
        let mut events = Vec::new();
        for (ua, block, pages, minutes) in bots {
            let ip = self.book.in24(rng, block);
            let v = self.actor(ip, ua, Kind::Crawler, 0, rng);
            let n = self.feature_size(pages, 60);
            let (s, e) = self.window(rng, minutes * MIN, false);
            let step = ((e - s) / n).max(1);
            let c = v.connect(rng);
            for i in 0..n {
                let mut r = v.req(&c, s + i * step + rng.below(step / 2 + 1), rng);
                let (stem, size) = match i % 10 {
                    0 => (Text::S(cat.blogs[(i as usize / 10) % cat.blogs.len()].as_str()), 60_000),
                    1 => (Text::own(format!("/tags/{}", cf_encode(&browser_encode(TAGS[(i as usize / 10) % TAGS.len()])))), 30_000),
                    _ => (Text::S(cat.products[(i as usize) % cat.products.len()].as_str()), 45_000),
                };
                r.stem = stem;
                if rng.chance(0.1) {
                    r.not_modified(Res::RefreshHit, rng);
                } else {
                    r.ok(HTML, size + rng.below(5_000), if rng.chance(0.5) { Res::Hit } else { Res::Miss }, rng);
                }
                events.push(r);
            }
        }
        self.done(
            "verified_crawlers",
            None,
            "Googlebot and bingbot from their operators' published ranges, walking hundreds of pages for hours",
            events,
            None,
            json!({"verified_by": "data/crawler_ranges.tsv"}),
        )
    }

    /// Browsers visiting tag pages with spaces and other encoded characters in the name, and
    /// searches with client-encoded characters: `%2520`, `%2526`, `%25C3%25A9` in the log.
    fn spaces_in_urls(&mut self, rng: &mut Rng) -> Injected<'a> {
        let cat: &'a Catalog = self.cat;
        let n_clients = self.feature_size(40, 12);
        let mut events = Vec::new();
        let margin = 20 * MIN;
        for _ in 0..n_clients {
            let v = self.browser(rng);
            let c = v.connect(rng);
            let mut t = rng.range(margin, self.span_ms.saturating_sub(margin).max(margin + 1));
            for k in 0..rng.range(2, 5) {
                let mut r = v.req(&c, t, rng);
                if k % 2 == 0 {
                    let tag = rng.choose(TAGS);
                    r.stem = Text::own(format!("/tags/{}", cf_encode(&browser_encode(tag))));
                } else {
                    r.stem = Text::S("/search");
                    let q = rng.choose(SEARCHES);
                    r.query = Text::own(cf_encode(&format!("q={}", browser_encode(q))));
                }
                r.referer = Referer::SelfPath(Text::S("/"));
                r.ok(HTML, rng.range(20_000, 60_000), Res::Miss, rng);
                events.push(r);
                // The page's assets.
                for (path, ctype, lo, hi) in [(cat.css.as_str(), CSS, 30_000, 110_000), (cat.app_js.as_str(), JS, 90_000, 420_000)] {
                    let mut a = v.req(&c, t + rng.range(50, 400), rng);
                    a.stem = Text::S(path);
                    a.ok(ctype, stable_size(path, lo, hi), Res::Hit, rng);
                    events.push(a);
                }
                for _ in 0..rng.range(3, 8) {
                    let img = cat.product_thumbs[rng.below(cat.product_thumbs.len() as u64) as usize].as_str();
                    let mut a = v.req(&c, t + rng.range(100, 900), rng);
                    a.stem = Text::S(img);
                    a.ok(WEBP, stable_size(img, 6_000, 38_000), Res::Hit, rng);
                    events.push(a);
                }
                t += rng.range(15_000, 120_000);
            }
        }
        self.done(
            "spaces_in_urls",
            None,
            "browsers on tag pages and searches whose URLs hold spaces and other client-encoded characters (logged %2520, %2526, %25C3%25A9)",
            events,
            None,
            json!({"tags": TAGS, "searches": SEARCHES}),
        )
    }

    /// Feed readers polling the blog's feed all day at a fixed interval (200, then mostly 304).
    fn feed_pollers(&mut self, rng: &mut Rng) -> Injected<'a> {
        let pollers = [
            ("Feedly/1.0 (+http://www.feedly.com/fetcher.html; 18 subscribers; like FeedFetcher-Google)", 15u64),
            ("NewsBlur Feed Fetcher - 4 subscribers - https://www.newsblur.com/site/1 (Mozilla/5.0)", 30),
            ("Tiny Tiny RSS/24.05 (https://tt-rss.org/)", 60),
        ];
        let mut events = Vec::new();
        for (ua, minutes) in pollers {
            let ip = self.hosting_ip(rng);
            let mut v = self.actor(ip, ua, Kind::Library, 0, rng);
            v.ver = "HTTP/1.1";
            let interval = minutes * MIN;
            let mut t = rng.below(interval);
            while t < self.span_ms {
                let c = v.connect(rng);
                let mut r = v.req(&c, t + rng.below(2_000), rng);
                if r.t_ms >= self.span_ms {
                    break;
                }
                r.stem = Text::S("/blog/feed.xml");
                if rng.chance(0.8) {
                    r.not_modified(Res::Hit, rng);
                } else {
                    r.ok(XML, rng.range(40_000, 60_000), Res::Hit, rng);
                }
                events.push(r);
                t += interval;
            }
        }
        self.done(
            "feed_pollers",
            None,
            "feed readers polling /blog/feed.xml every 15, 30 and 60 minutes all day",
            events,
            Some(vec!["/blog/feed.xml".into()]),
            json!({"intervals_minutes": [15, 30, 60]}),
        )
    }

    /// Uptime checks: fixed interval, one path, all day. Busy sites run several; a quiet blog one.
    fn uptime_checks(&mut self, rng: &mut Rng) -> Injected<'a> {
        let all: &[(&str, &str, u64)] = &[
            ("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", "/", 300),
            ("Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)", "/health", 60),
            (
                "Amazon-Route53-Health-Check-Service (ref 0c5b2d9e-71a4-4c55-8e0b-2f6a9d3c1e77; report http://amzn.to/1vsZADi)",
                "/health",
                60,
            ),
        ];
        let monitors = if self.site_scale < 0.1 { &all[..1] } else { all };
        let mut events = Vec::new();
        for &(ua, path, secs) in monitors {
            let ip = self.hosting_ip(rng);
            let mut v = self.actor(ip, ua, Kind::Library, 0, rng);
            v.ver = "HTTP/1.1";
            let interval = secs * 1000;
            let mut t = rng.below(interval);
            while t < self.span_ms {
                let c = v.connect(rng);
                let mut r = v.req(&c, t + rng.below(800), rng);
                if r.t_ms >= self.span_ms {
                    break;
                }
                r.stem = Text::S(path);
                if path == "/" {
                    r.method = "HEAD";
                    r.ok(HTML, 40_000, Res::Hit, rng);
                } else {
                    r.ok(crate::benign::JSON, rng.range(15, 80), Res::Miss, rng);
                }
                events.push(r);
                t += interval;
            }
        }
        self.done(
            "uptime_checks",
            None,
            "uptime monitors polling one path at a fixed interval all day",
            events,
            None,
            json!({"monitors": monitors.iter().map(|m| m.0).collect::<Vec<_>>()}),
        )
    }

    /// People reading a lot: long sessions of page views with their assets, some on gallery pages
    /// that load 70-110 thumbnails within a minute (up to ~110 requests in 5 minutes).
    fn heavy_readers(&mut self, rng: &mut Rng) -> Injected<'a> {
        let cat: &'a Catalog = self.cat;
        let n_readers = if self.site_scale < 0.1 { 2 } else { 4 };
        let mut events = Vec::new();
        for _ in 0..n_readers {
            let v = self.browser(rng);
            let pages = self.feature_size(rng.range(90, 150), 40);
            let (s, _) = self.window(rng, 6 * 60 * MIN, false);
            let mut t = s;
            let mut c = v.connect(rng);
            for p in 0..pages {
                if t + 30 * MIN >= self.span_ms {
                    break;
                }
                if p % 25 == 0 {
                    c = v.connect(rng);
                    t += rng.range(10, 40) * MIN;
                }
                let gallery = p % 20 == 5;
                let mut r = v.req(&c, t, rng);
                let stem: Text<'a> = if gallery {
                    Text::S(cat.categories[p as usize % cat.categories.len()].as_str())
                } else if p % 3 == 0 {
                    Text::S(cat.blogs[rng.below(cat.blogs.len() as u64) as usize].as_str())
                } else {
                    Text::S(cat.products[rng.below(cat.products.len() as u64) as usize].as_str())
                };
                r.stem = stem.clone();
                r.referer = Referer::SelfPath(Text::S("/"));
                r.ok(HTML, rng.range(25_000, 80_000), if rng.chance(0.6) { Res::Hit } else { Res::Miss }, rng);
                events.push(r);
                let thumbs = if gallery { rng.range(70, 110) } else { rng.range(2, 6) };
                let mut ta = t + rng.range(60, 300);
                for k in 0..thumbs {
                    let img = cat.product_thumbs[(p as usize * 7 + k as usize) % cat.product_thumbs.len()].as_str();
                    let mut a = v.req(&c, ta, rng);
                    a.stem = Text::S(img);
                    a.referer = Referer::SelfPath(stem.clone());
                    a.ok(WEBP, stable_size(img, 6_000, 38_000), Res::Hit, rng);
                    events.push(a);
                    ta += rng.range(20, 400);
                }
                t = ta + rng.skewed(8_000, 150_000);
            }
        }
        self.done(
            "heavy_readers",
            None,
            "people reading hundreds of pages with a browser; gallery pages load 70-110 thumbnails within a minute",
            events,
            None,
            json!({"readers": n_readers}),
        )
    }
}
