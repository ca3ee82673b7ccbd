//! Benign sessions: browsers loading pages and their assets, crawlers walking
//! the catalog, and monitors polling health endpoints.

use crate::event::{Conn, Kind, Referer, Req, Res, Text, Visitor};
use crate::model::{stable_size, Catalog, EXTERNAL_REFERERS};
use crate::rng::{choose_weighted, Rng};

pub const HTML: &str = "text/html";
pub const JS: &str = "application/javascript";
pub const CSS: &str = "text/css";
pub const WEBP: &str = "image/webp";
pub const WOFF2: &str = "font/woff2";
pub const ICO: &str = "image/x-icon";
pub const JSON: &str = "application/json";
pub const MP4: &str = "video/mp4";
pub const XML: &str = "application/xml";
pub const TXT: &str = "text/plain";
pub const ZIP: &str = "application/zip";
pub const PDF: &str = "application/pdf";

const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `n` random base-62 characters.
pub fn base62(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| B62[rng.below(62) as usize] as char).collect()
}

/// `n` random lower-case base-36 characters.
pub fn base36(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| B62[rng.below(36) as usize].to_ascii_lowercase() as char).collect()
}

/// Result type of a cacheable page view.
fn page_result(rng: &mut Rng) -> Res {
    match rng.below(100) {
        0..=57 => Res::Hit,
        58..=62 => Res::RefreshHit,
        _ => Res::Miss,
    }
}

/// Result type of a static asset.
fn asset_result(rng: &mut Rng) -> Res {
    match rng.below(100) {
        0..=84 => Res::Hit,
        85..=87 => Res::RefreshHit,
        _ => Res::Miss,
    }
}

/// What a page is, which decides its size and the assets it pulls in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Page {
    Home,
    Product(usize),
    Blog(usize),
    Search,
    Collection,
    Static,
    Dead,
}

/// Sub-resource loader of one page view: sequential fetch times on one connection.
struct Loader<'s, 'a> {
    v: &'s Visitor<'a>,
    c: &'s Conn,
    /// Time of the next request.
    t: u64,
    /// Returning visitors revalidate (304) part of their cached assets.
    returning: bool,
}

impl<'a> Loader<'_, 'a> {
    /// One static asset, mostly a cache hit.
    fn fetch(&mut self, path: &'a str, ctype: &'static str, size: u64, referer: Referer<'a>, rng: &mut Rng, out: &mut Vec<Req<'a>>) {
        let mut a = self.v.req(self.c, self.t, rng);
        a.stem = Text::S(path);
        a.referer = referer;
        if self.returning && rng.chance(0.35) {
            a.not_modified(Res::Hit, rng);
        } else {
            let res = asset_result(rng);
            if res == Res::Miss && rng.chance(0.003) {
                a.origin_failure(rng);
            } else {
                a.ok(ctype, size, res, rng);
            }
        }
        self.t += rng.range(3, 90);
        out.push(a);
    }

    /// `n` product thumbnails, by popularity.
    fn thumbs(&mut self, cat: &'a Catalog, n: u64, referer: &Referer<'a>, rng: &mut Rng, out: &mut Vec<Req<'a>>) {
        for _ in 0..n {
            let img = &cat.product_thumbs[cat.product_w.pick(rng)];
            self.fetch(img, WEBP, stable_size(img, 6_000, 38_000), referer.clone(), rng, out);
        }
    }
}

/// Generates benign sessions into a caller-owned buffer.
pub struct Sessions<'a> {
    pub cat: &'a Catalog,
}

impl<'a> Sessions<'a> {
    /// Appends one session of visitor `v` starting at `t0` (events may run past the hour).
    pub fn session(&self, v: &Visitor<'a>, t0: u64, rng: &mut Rng, out: &mut Vec<Req<'a>>) {
        match v.kind {
            Kind::Desktop | Kind::Mobile => self.browse(v, t0, rng, out),
            Kind::Crawler => self.crawl(v, t0, rng, out),
            Kind::Library => {}
        }
    }

    /// A few polls of a benign monitor at its fixed interval.
    pub fn monitor(&self, v: &Visitor<'a>, probe: &'static str, interval_s: u64, t0: u64, rng: &mut Rng, out: &mut Vec<Req<'a>>) {
        let polls = rng.range(2, 8);
        let head = v.ua.as_str().starts_with("curl") && rng.chance(0.3);
        for k in 0..polls {
            let c = v.connect(rng);
            let mut r = v.req(&c, t0 + k * interval_s * 1000 + rng.below(400), rng);
            r.stem = Text::S(probe);
            if head {
                r.method = "HEAD";
            }
            match probe {
                "/health" | "/api/v1/status" => r.ok(JSON, rng.range(15, 80), Res::Miss, rng),
                "/robots.txt" => r.ok(TXT, 412, Res::Hit, rng),
                _ => {
                    let res = page_result(rng);
                    r.ok(HTML, stable_size("/", 38_000, 42_000) + rng.below(600), res, rng)
                }
            }
            out.push(r);
        }
    }

    fn landing(&self, rng: &mut Rng) -> (Page, Text<'a>) {
        let cat = self.cat;
        match rng.below(100) {
            0..=29 => (Page::Home, Text::S("/")),
            30..=67 => {
                let i = cat.product_w.pick(rng);
                (Page::Product(i), Text::S(&cat.products[i]))
            }
            68..=84 => {
                let i = cat.blog_w.pick(rng);
                (Page::Blog(i), Text::S(&cat.blogs[i]))
            }
            85..=92 => (Page::Search, Text::S("/search")),
            93..=96 => (Page::Collection, Text::S(rng.pick(&cat.categories).as_str())),
            _ => {
                let p = rng.choose(&cat.statics);
                (Page::Static, Text::S(p))
            }
        }
    }

    fn next_page(&self, rng: &mut Rng) -> (Page, Text<'a>) {
        let cat = self.cat;
        match rng.below(100) {
            0..=49 => {
                let i = cat.product_w.pick(rng);
                (Page::Product(i), Text::S(&cat.products[i]))
            }
            50..=63 => (Page::Search, Text::S("/search")),
            64..=73 => (Page::Collection, Text::S(rng.pick(&cat.categories).as_str())),
            74..=80 => {
                let i = cat.blog_w.pick(rng);
                (Page::Blog(i), Text::S(&cat.blogs[i]))
            }
            81..=85 => {
                let p = rng.choose(&cat.statics);
                (Page::Static, Text::S(p))
            }
            86..=87 => (Page::Dead, Text::S(rng.pick(&cat.dead).as_str())),
            _ => (Page::Home, Text::S("/")),
        }
    }

    fn landing_query(&self, referer: &Referer<'a>, rng: &mut Rng) -> Text<'a> {
        let r = match referer {
            Referer::Url(u) => u.as_str(),
            _ => "",
        };
        if r.contains("google.com/") && !r.contains("mail") && rng.chance(0.2) {
            Text::own(format!("gclid=Cj0KCQiA{}", base62(rng, 30)))
        } else if (r.contains("facebook") || r.contains("instagram")) && rng.chance(0.5) {
            Text::own(format!("fbclid=IwAR{}", base62(rng, 44)))
        } else if (r.contains("mail") || r.is_empty()) && rng.chance(0.12) {
            Text::own(format!("utm_source=newsletter&utm_medium=email&utm_campaign={}", rng.pick(&self.cat.campaigns)))
        } else {
            Text::Dash
        }
    }

    fn browse(&self, v: &Visitor<'a>, t0: u64, rng: &mut Rng, out: &mut Vec<Req<'a>>) {
        let c = v.connect(rng);
        let mut t = t0;
        let returning = rng.chance(0.45);
        let (mut page, mut stem) = self.landing(rng);
        let referer = if rng.chance(0.45) { Referer::Url(Text::S(choose_weighted(rng, EXTERNAL_REFERERS))) } else { Referer::None };
        let mut query = self.landing_query(&referer, rng);
        if page == Page::Search {
            query = Text::S(&self.cat.searches[self.cat.search_w.pick(rng)]);
        }
        if rng.chance(0.02) {
            // Typed the bare domain: plain http, redirected to https.
            let mut r = v.req(&c, t, rng);
            r.stem = stem.clone();
            r.proto = "http";
            r.ssl = "-";
            r.cipher = "-";
            r.ver = "HTTP/1.1";
            r.status = 301;
            r.set_result(Res::Redirect);
            r.ctype = HTML;
            r.clen = Some(167);
            r.sc_bytes = 167 + rng.range(300, 420);
            r.timing(rng);
            out.push(r);
            t += rng.range(40, 300);
        }
        t = self.page(v, &c, t, page, stem.clone(), query, referer, true, returning, rng, out);
        let pages = rng.geometric(0.58, 14);
        for _ in 0..pages {
            t += rng.skewed(2_500, 150_000);
            let prev = stem.clone();
            let roll = rng.below(100);
            if roll < 3 {
                t = self.login(v, &c, t, prev, rng, out);
                continue;
            }
            if roll < 7 {
                t = self.cart(v, &c, t, prev, rng, out);
                continue;
            }
            (page, stem) = self.next_page(rng);
            let q = match page {
                Page::Search => Text::S(&self.cat.searches[self.cat.search_w.pick(rng)]),
                Page::Collection if rng.chance(0.25) => Text::S("page=2"),
                _ => Text::Dash,
            };
            t = self.page(v, &c, t, page, stem.clone(), q, Referer::SelfPath(prev), false, returning, rng, out);
        }
        if rng.chance(0.004) {
            // A live-notification websocket held open for a while.
            let mut r = v.req(&c, t + rng.range(200, 2_000), rng);
            r.stem = Text::S("/ws/notifications");
            r.proto = "wss";
            r.ver = "HTTP/1.1";
            r.status = 101;
            r.set_result(Res::Miss);
            r.sc_bytes = rng.range(2_000, 60_000);
            r.ttfb_ms = rng.range(30, 200) as u32;
            r.time_taken_ms = rng.range(20_000, 900_000) as u32;
            out.push(r);
        }
    }

    /// Emits a page view and its sub-resources; returns the time of the last one.
    #[allow(clippy::too_many_arguments)]
    fn page(
        &self,
        v: &Visitor<'a>,
        c: &Conn,
        t: u64,
        page: Page,
        stem: Text<'a>,
        query: Text<'a>,
        referer: Referer<'a>,
        first: bool,
        returning: bool,
        rng: &mut Rng,
        out: &mut Vec<Req<'a>>,
    ) -> u64 {
        let cat = self.cat;
        let mut r = v.req(c, t, rng);
        r.stem = stem.clone();
        r.query = query;
        r.referer = referer;
        if page == Page::Dead {
            r.error(404, "Error", rng);
            out.push(r);
            return t;
        }
        if rng.chance(0.001) {
            r.hung_up(rng);
            out.push(r);
            return t;
        }
        let res = if page == Page::Search {
            if rng.chance(0.2) {
                Res::Hit
            } else {
                Res::Miss
            }
        } else {
            page_result(rng)
        };
        if res == Res::Miss && rng.chance(0.004) {
            r.origin_failure(rng);
            out.push(r);
            return t;
        }
        if returning && page != Page::Search && rng.chance(0.08) {
            r.not_modified(if res == Res::Miss { Res::RefreshHit } else { res }, rng);
        } else {
            let size = match page {
                Page::Home => stable_size("/", 38_000, 42_000) + rng.below(600),
                Page::Product(i) => stable_size(&cat.products[i], 24_000, 70_000) + rng.below(300),
                Page::Blog(i) => stable_size(&cat.blogs[i], 30_000, 95_000),
                Page::Search => rng.range(18_000, 65_000),
                Page::Collection => rng.range(45_000, 80_000),
                _ => stable_size(stem.as_str(), 12_000, 30_000),
            };
            r.ok(HTML, size, res, rng);
        }
        let ta = t + r.time_taken_ms as u64 + rng.range(15, 120);
        out.push(r);

        let page_ref = Referer::SelfPath(stem.clone());
        let mut l = Loader { v, c, t: ta, returning };
        if first && (!returning || rng.chance(0.3)) {
            l.fetch(&cat.css, CSS, stable_size(&cat.css, 30_000, 110_000), page_ref.clone(), rng, out);
            l.fetch(&cat.vendor_js, JS, stable_size(&cat.vendor_js, 200_000, 700_000), page_ref.clone(), rng, out);
            l.fetch(&cat.app_js, JS, stable_size(&cat.app_js, 90_000, 420_000), page_ref.clone(), rng, out);
            if !returning {
                let css_ref = Referer::SelfPath(Text::S(&cat.css));
                l.fetch(cat.font, WOFF2, 48_232, css_ref, rng, out);
                if rng.chance(0.3) {
                    l.fetch("/favicon.ico", ICO, 15_086, Referer::None, rng, out);
                }
            }
        }
        match page {
            Page::Home => {
                let h = rng.pick(&cat.heroes).as_str();
                l.fetch(h, WEBP, stable_size(h, 120_000, 420_000), page_ref.clone(), rng, out);
                let n = rng.range(2, 6);
                l.thumbs(cat, n, &page_ref, rng, out);
            }
            Page::Product(i) => {
                let img = &cat.product_imgs[i];
                l.fetch(img, WEBP, stable_size(img, 40_000, 220_000), page_ref.clone(), rng, out);
                let n = rng.range(0, 4);
                l.thumbs(cat, n, &page_ref, rng, out);
                if rng.chance(0.7) {
                    let mut a = v.req(c, l.t, rng);
                    a.stem = Text::S("/api/v1/recommendations");
                    let slug = &cat.products[i]["/products/".len()..];
                    a.query = Text::own(format!("product={slug}&limit=8"));
                    a.referer = page_ref.clone();
                    a.ok(JSON, rng.range(1_800, 9_500), Res::Miss, rng);
                    l.t += a.time_taken_ms as u64;
                    out.push(a);
                }
            }
            Page::Blog(i) => {
                let img = &cat.blog_imgs[i];
                l.fetch(img, WEBP, stable_size(img, 80_000, 350_000), page_ref.clone(), rng, out);
                if rng.chance(0.15) {
                    self.video(v, c, &mut l.t, i, page_ref.clone(), rng, out);
                }
            }
            Page::Search | Page::Collection => {
                let n = rng.range(3, 9);
                l.thumbs(cat, n, &page_ref, rng, out);
            }
            Page::Static | Page::Dead => {}
        }
        l.t
    }

    /// Progressive playback of a blog video with byte-range requests.
    #[allow(clippy::too_many_arguments)]
    fn video(&self, v: &Visitor<'a>, c: &Conn, ta: &mut u64, i: usize, referer: Referer<'a>, rng: &mut Rng, out: &mut Vec<Req<'a>>) {
        let path = &self.cat.blog_videos[i];
        let total = stable_size(path, 8_000_000, 60_000_000);
        let mut start = 0u64;
        let chunks = rng.range(2, 6);
        for k in 0..chunks {
            let len = if k == 0 && rng.chance(0.4) { 2 } else { rng.range(524_288, 2_097_152) };
            let end = (start + len - 1).min(total - 1);
            let mut a = v.req(c, *ta, rng);
            a.stem = Text::S(path);
            a.referer = referer.clone();
            let res = asset_result(rng);
            a.ok(MP4, end - start + 1, res, rng);
            a.status = 206;
            a.range = Some((start, end));
            *ta += a.time_taken_ms as u64 + rng.range(500, 6_000);
            out.push(a);
            start = end + 1;
            if start >= total {
                break;
            }
        }
    }

    /// `GET /login`, `POST /login` (mostly 302, sometimes a typo 401 and a retry), `/account`.
    fn login(&self, v: &Visitor<'a>, c: &Conn, t: u64, prev: Text<'a>, rng: &mut Rng, out: &mut Vec<Req<'a>>) -> u64 {
        let mut t = t;
        let mut r = v.req(c, t, rng);
        r.stem = Text::S("/login");
        r.referer = Referer::SelfPath(prev);
        r.ok(HTML, stable_size("/login", 14_000, 20_000), Res::Miss, rng);
        out.push(r);
        let attempts = if rng.chance(0.1) { 2 } else { 1 };
        let mut success = false;
        for k in 0..attempts {
            t += rng.range(6_000, 40_000);
            let mut p = v.req(c, t, rng);
            p.method = "POST";
            p.stem = Text::S("/login");
            p.referer = Referer::SelfPath(Text::S("/login"));
            p.cs_bytes += rng.range(60, 140) as u32;
            if k + 1 < attempts || rng.chance(0.03) {
                p.api_error(401, rng);
                p.ctype = HTML;
            } else if rng.chance(0.06) {
                // MFA challenge page rendered directly.
                p.ok(HTML, rng.range(9_000, 14_000), Res::Miss, rng);
                success = true;
            } else {
                p.ok(HTML, 0, Res::Miss, rng);
                p.status = 302;
                success = true;
            }
            out.push(p);
        }
        if success {
            let session = Text::own(format!("session={}", base62(rng, 32)));
            if rng.chance(0.5) {
                t += rng.range(100, 900);
                let mut a = v.req(c, t, rng);
                a.method = "POST";
                a.stem = Text::S("/api/auth/token");
                a.referer = Referer::SelfPath(Text::S("/login"));
                a.cookie = session.clone();
                a.cs_bytes += rng.range(40, 90) as u32;
                a.ok(JSON, rng.range(700, 1_100), Res::Miss, rng);
                out.push(a);
            }
            t += rng.range(300, 2_000);
            let mut a = v.req(c, t, rng);
            a.stem = Text::S("/account");
            a.referer = Referer::SelfPath(Text::S("/login"));
            a.cookie = session;
            a.ok(HTML, rng.range(20_000, 34_000), Res::Miss, rng);
            out.push(a);
        }
        t
    }

    /// Adds an item to the cart through the API, then views the cart.
    fn cart(&self, v: &Visitor<'a>, c: &Conn, t: u64, prev: Text<'a>, rng: &mut Rng, out: &mut Vec<Req<'a>>) -> u64 {
        let mut p = v.req(c, t, rng);
        p.method = "POST";
        p.stem = Text::S("/api/v1/cart");
        p.referer = Referer::SelfPath(prev.clone());
        p.cs_bytes += rng.range(90, 260) as u32;
        p.ok(JSON, rng.range(400, 2_400), Res::Miss, rng);
        out.push(p);
        let t = t + rng.range(1_500, 12_000);
        let mut g = v.req(c, t, rng);
        g.stem = Text::S("/cart");
        g.referer = Referer::SelfPath(prev);
        g.ok(HTML, rng.range(16_000, 28_000), Res::Miss, rng);
        out.push(g);
        t
    }

    fn crawl(&self, v: &Visitor<'a>, t0: u64, rng: &mut Rng, out: &mut Vec<Req<'a>>) {
        let cat = self.cat;
        let c = v.connect(rng);
        let mut t = t0;
        if rng.chance(0.25) {
            let mut r = v.req(&c, t, rng);
            r.stem = Text::S("/robots.txt");
            r.ok(TXT, 412, asset_result(rng), rng);
            out.push(r);
            t += rng.range(500, 4_000);
        }
        if rng.chance(0.08) {
            let mut r = v.req(&c, t, rng);
            r.stem = Text::S("/sitemap.xml");
            r.ok(XML, 48_517, page_result(rng), rng);
            out.push(r);
            t += rng.range(500, 4_000);
        }
        let n = rng.range(3, 30);
        for _ in 0..n {
            let (stem, size) = match rng.below(100) {
                0..=54 => {
                    let i = rng.below(cat.products.len() as u64) as usize;
                    (Text::S(cat.products[i].as_str()), stable_size(&cat.products[i], 24_000, 70_000))
                }
                55..=74 => {
                    let i = rng.below(cat.blogs.len() as u64) as usize;
                    (Text::S(cat.blogs[i].as_str()), stable_size(&cat.blogs[i], 30_000, 95_000))
                }
                75..=84 => (Text::S(rng.pick(&cat.categories).as_str()), rng.range(45_000, 80_000)),
                85..=92 => {
                    let s = *rng.pick(&cat.statics);
                    (Text::S(s), stable_size(s, 12_000, 30_000))
                }
                93..=96 => (Text::S("/"), stable_size("/", 38_000, 42_000)),
                _ => (Text::S(rng.pick(&cat.dead).as_str()), 0),
            };
            let mut r = v.req(&c, t, rng);
            r.stem = stem;
            if size == 0 {
                r.error(404, "Error", rng);
            } else if rng.chance(0.12) {
                r.not_modified(Res::RefreshHit, rng);
            } else {
                let res = match rng.below(100) {
                    0..=44 => Res::Hit,
                    45..=49 => Res::RefreshHit,
                    _ => Res::Miss,
                };
                if res == Res::Miss && rng.chance(0.004) {
                    r.origin_failure(rng);
                } else {
                    r.ok(HTML, size, res, rng);
                }
            }
            out.push(r);
            t += rng.skewed(1_500, 15_000);
        }
    }
}
