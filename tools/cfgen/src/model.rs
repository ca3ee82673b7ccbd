//! Static world model: edge locations and the regions they serve, address
//! ranges, user-agent templates and the vocabulary of the synthetic shop site.

use crate::rng::{pick_weighted, Rng, Weighted};

/// Distribution domain logged in `cs(Host)`.
pub const DOMAIN: &str = "d111111abcdef8.cloudfront.net";
/// Alternate domain names viewers use (`x-host-header`).
pub const WWW: &str = "www.example.com";
pub const APEX: &str = "example.com";

/// A viewer region: its share of benign clients, the edge locations serving it
/// (with weights) and the address blocks its clients come from.
pub struct Region {
    pub name: &'static str,
    pub share: u32,
    pub edges: &'static [(&'static str, u32)],
    /// IPv4 /16 prefixes.
    pub v4: &'static [(u8, u8)],
    /// IPv6 /32 prefixes (first two groups).
    pub v6: &'static [(u16, u16)],
}

/// Benign viewer regions. Edge codes follow CloudFront's `<IATA><n>-<C|P><n>` naming.
pub const REGIONS: &[Region] = &[
    Region {
        name: "us-east",
        share: 26,
        edges: &[
            ("IAD89-C1", 5),
            ("IAD55-P2", 4),
            ("IAD12-C3", 2),
            ("JFK50-C1", 3),
            ("JFK52-P3", 2),
            ("EWR53-C2", 2),
            ("BOS50-C1", 2),
            ("ATL56-C4", 2),
            ("ATL59-P1", 1),
            ("MIA3-C3", 2),
            ("YTO50-C1", 2),
        ],
        v4: &[(24, 61), (47, 149), (50, 35), (68, 45), (71, 202), (73, 92), (96, 230), (98, 210), (108, 28), (174, 62)],
        v6: &[(0x2600, 0x1700), (0x2601, 0x18c), (0x2607, 0xfb90)],
    },
    Region {
        name: "us-central",
        share: 12,
        edges: &[("DFW56-P1", 3), ("DFW53-C1", 2), ("ORD58-P2", 3), ("ORD51-C1", 2), ("DEN52-C1", 2), ("MSP50-C1", 1)],
        v4: &[(24, 5), (67, 180), (75, 166), (99, 33), (172, 58)],
        v6: &[(0x2600, 0x6c5e), (0x2603, 0x300b)],
    },
    Region {
        name: "us-west",
        share: 14,
        edges: &[("LAX50-C1", 3), ("LAX3-C4", 2), ("SFO53-C1", 3), ("SFO5-P2", 2), ("SEA19-C3", 2), ("SEA900-P1", 1), ("PHX51-C2", 1)],
        v4: &[(76, 104), (97, 113), (104, 174), (162, 206), (209, 131)],
        v6: &[(0x2601, 0x646), (0x2607, 0xf2c0)],
    },
    Region {
        name: "europe",
        share: 26,
        edges: &[
            ("FRA56-P1", 4),
            ("FRA60-P5", 2),
            ("FRA2-C2", 2),
            ("LHR61-C2", 4),
            ("LHR50-P3", 2),
            ("CDG50-C1", 3),
            ("CDG52-P2", 1),
            ("AMS1-C1", 3),
            ("AMS58-P2", 1),
            ("MAD53-P1", 2),
            ("MXP64-P1", 2),
            ("ARN56-P1", 1),
            ("DUB56-P1", 1),
            ("WAW51-P1", 1),
        ],
        v4: &[
            (2, 204),
            (31, 10),
            (37, 120),
            (46, 114),
            (62, 30),
            (77, 183),
            (81, 2),
            (84, 113),
            (86, 150),
            (89, 64),
            (92, 40),
            (95, 90),
            (109, 190),
            (176, 100),
            (188, 83),
            (213, 55),
            (217, 225),
        ],
        v6: &[(0x2a02, 0x8108), (0x2a01, 0xcb00), (0x2a00, 0x23c5), (0x2001, 0xdb8)],
    },
    Region {
        name: "apac",
        share: 16,
        edges: &[
            ("NRT57-P2", 3),
            ("NRT12-C4", 2),
            ("SIN2-C1", 3),
            ("SIN52-P1", 1),
            ("SYD1-C1", 2),
            ("SYD62-P1", 1),
            ("HKG62-C1", 2),
            ("ICN57-P1", 2),
            ("BOM78-P1", 2),
            ("BOM52-C1", 1),
            ("DEL54-C1", 1),
        ],
        v4: &[(1, 33), (14, 161), (27, 98), (49, 36), (58, 183), (101, 128), (110, 175), (119, 30), (121, 200), (126, 15), (180, 150)],
        v6: &[(0x2400, 0x4051), (0x240d, 0x1a), (0x2405, 0x201)],
    },
    Region {
        name: "south-america",
        share: 6,
        edges: &[("GRU3-C1", 3), ("GRU50-P1", 2), ("SCL50-C1", 1), ("BOG50-C1", 1)],
        v4: &[(177, 45), (179, 108), (186, 220), (189, 6), (191, 32), (201, 17)],
        v6: &[(0x2804, 0x14c), (0x2804, 0xd59)],
    },
];

/// Edge locations that benign traffic never uses (for `geo_spike`), with the
/// address blocks of viewers near them.
pub const GEO_EDGES: &[(&str, &[(u8, u8)])] = &[
    ("CPT53-C1", &[(41, 13), (102, 132), (105, 184)]),
    ("LOS50-C1", &[(102, 89), (105, 112), (197, 210)]),
    ("JNB52-C1", &[(41, 76), (196, 21), (102, 65)]),
    ("NBO50-C1", &[(41, 90), (105, 160), (197, 232)]),
];

/// /16 prefixes typical of hosting providers and VPS ranges (threat actors).
pub const HOSTING_V4: &[(u8, u8)] = &[
    (45, 134),
    (45, 155),
    (45, 95),
    (89, 248),
    (91, 92),
    (94, 102),
    (103, 75),
    (104, 244),
    (141, 98),
    (146, 70),
    (162, 247),
    (167, 94),
    (185, 100),
    (185, 220),
    (185, 191),
    (193, 142),
    (194, 26),
    (195, 178),
    (209, 141),
];

/// A crawler family: user agent, the /24 blocks it crawls from, share of crawlers.
pub struct Crawler {
    pub ua: &'static str,
    pub blocks: &'static [(u8, u8, u8)],
    pub weight: u32,
}

/// Search, AI and social crawlers with their published user agents.
pub const CRAWLERS: &[Crawler] = &[
    Crawler {
        ua: "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        blocks: &[(66, 249, 66), (66, 249, 68), (66, 249, 79)],
        weight: 30,
    },
    Crawler {
        ua: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        blocks: &[(66, 249, 66), (66, 249, 73)],
        weight: 14,
    },
    Crawler {
        ua: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
        blocks: &[(157, 55, 39), (40, 77, 167), (207, 46, 13)],
        weight: 18,
    },
    Crawler {
        ua: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
        blocks: &[(20, 171, 206), (20, 171, 207)],
        weight: 10,
    },
    Crawler {
        ua: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
        blocks: &[(34, 162, 46), (34, 162, 58)],
        weight: 7,
    },
    Crawler {
        ua: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)",
        blocks: &[(17, 241, 227), (17, 241, 219)],
        weight: 6,
    },
    Crawler {
        ua: "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        blocks: &[(5, 255, 231), (213, 180, 203)],
        weight: 4,
    },
    Crawler {
        ua: "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        blocks: &[(20, 191, 45)],
        weight: 3,
    },
    Crawler {
        ua: "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; PerplexityBot/1.0; +https://perplexity.ai/perplexitybot)",
        blocks: &[(44, 221, 181)],
        weight: 3,
    },
    Crawler {
        ua: "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        blocks: &[(69, 171, 249), (173, 252, 83)],
        weight: 5,
    },
];

/// Benign automation (uptime monitors, health checks, internal scripts).
pub const LIBRARIES: &[(&str, u32)] = &[
    ("curl/8.5.0", 4),
    ("curl/7.81.0", 2),
    ("python-requests/2.31.0", 3),
    ("Go-http-client/1.1", 3),
    ("Go-http-client/2.0", 1),
    ("okhttp/4.12.0", 1),
    ("Amazon-Route53-Health-Check-Service (ref 6d2f1c3e-8a41-4b8e-9d2a-51f0c7e3b9a4; report http://amzn.to/1vsZADi)", 3),
    ("Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)", 2),
    ("Datadog/Synthetics", 1),
];

/// Operating-system family, used for source-port ranges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Os {
    Windows,
    Apple,
    Linux,
}

const CHROME: &[u32] = &[127, 128, 129, 130, 131, 131, 131, 130];
const FIREFOX: &[u32] = &[115, 128, 131, 132, 133, 133];
const SAFARI: &[&str] = &["17.6", "18.0", "18.1", "18.1"];
const IOS: &[(&str, &str)] = &[("17_6_1", "17.6"), ("18_0", "18.0"), ("18_1", "18.1"), ("18_1_1", "18.1")];
const ANDROID_MODELS: &[(&str, &str)] =
    &[("14", "SM-S918B"), ("14", "SM-A546B"), ("13", "SM-G991B"), ("14", "SM-S911U"), ("15", "SM-S928B")];

/// A realistic browser user agent (raw, not yet percent-encoded).
pub fn browser_ua(rng: &mut Rng, mobile: bool) -> (String, Os) {
    let c = *rng.pick(CHROME);
    let f = *rng.pick(FIREFOX);
    if mobile {
        match rng.below(40) {
            0..=14 => {
                let (ios, v) = *rng.pick(IOS);
                (format!("Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{v} Mobile/15E148 Safari/604.1"), Os::Apple)
            }
            15..=16 => {
                let (ios, v) = *rng.pick(IOS);
                (format!("Mozilla/5.0 (iPad; CPU OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{v} Mobile/15E148 Safari/604.1"), Os::Apple)
            }
            17..=30 => (
                format!("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Mobile Safari/537.36"),
                Os::Linux,
            ),
            31..=34 => {
                let (a, m) = *rng.pick(ANDROID_MODELS);
                (format!("Mozilla/5.0 (Linux; Android {a}; {m}) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36"), Os::Linux)
            }
            35..=37 => {
                let (ios, _) = *rng.pick(IOS);
                let build = rng.range(6723, 6778);
                let patch = rng.range(31, 135);
                (format!("Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/{c}.0.{build}.{patch} Mobile/15E148 Safari/604.1"), Os::Apple)
            }
            38 => (format!("Mozilla/5.0 (Android 14; Mobile; rv:{f}.0) Gecko/{f}.0 Firefox/{f}.0"), Os::Linux),
            _ => {
                let (ios, v) = *rng.pick(IOS);
                let fbav = rng.range(480, 492);
                (format!("Mozilla/5.0 (iPhone; CPU iPhone OS {ios} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/22B83 [FBAN/FBIOS;FBAV/{fbav}.0.0.35.107;FBBV/661237000;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/{v};FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]"), Os::Apple)
            }
        }
    } else {
        match rng.below(72) {
            0..=29 => (format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36"), Os::Windows),
            30..=39 => (format!("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36"), Os::Apple),
            40..=42 => (format!("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36"), Os::Linux),
            43 => (format!("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36"), Os::Linux),
            44..=53 => (format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36 Edg/{c}.0.0.0"), Os::Windows),
            54..=59 => (format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0"), Os::Windows),
            60..=61 => (format!("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:{f}.0) Gecko/20100101 Firefox/{f}.0"), Os::Apple),
            62 => (format!("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{f}.0) Gecko/20100101 Firefox/{f}.0"), Os::Linux),
            63..=69 => {
                let v = *rng.pick(SAFARI);
                (format!("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/{v} Safari/605.1.15"), Os::Apple)
            }
            _ => {
                let o = c - 16;
                (format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{c}.0.0.0 Safari/537.36 OPR/{o}.0.0.0"), Os::Windows)
            }
        }
    }
}

/// Source-port range of an operating system's ephemeral ports.
pub fn port_range(os: Os) -> (u16, u16) {
    match os {
        Os::Windows | Os::Apple => (49152, 65529),
        Os::Linux => (32768, 60993),
    }
}

/// TLS profiles of modern clients: (protocol, cipher, weight).
pub const MODERN_TLS: &[((&str, &str), u32)] = &[
    (("TLSv1.3", "TLS_AES_128_GCM_SHA256"), 70),
    (("TLSv1.3", "TLS_AES_256_GCM_SHA384"), 12),
    (("TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256"), 8),
    (("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"), 8),
    (("TLSv1.2", "ECDHE-RSA-CHACHA20-POLY1305"), 2),
];

/// Draws a modern TLS profile.
pub fn modern_tls(rng: &mut Rng) -> (&'static str, &'static str) {
    *pick_weighted(rng, MODERN_TLS)
}

/// External referers for landing pages: (URL, weight).
pub const EXTERNAL_REFERERS: &[(&str, u32)] = &[
    ("https://www.google.com/", 40),
    ("https://www.bing.com/", 6),
    ("https://duckduckgo.com/", 4),
    ("https://search.yahoo.com/", 1),
    ("https://www.facebook.com/", 6),
    ("https://l.facebook.com/", 3),
    ("https://t.co/", 4),
    ("https://www.instagram.com/", 4),
    ("https://www.reddit.com/", 3),
    ("https://news.ycombinator.com/", 1),
    ("https://www.pinterest.com/", 3),
    ("https://android-app://com.google.android.gm/", 2),
    ("https://mail.google.com/", 2),
    ("https://www.youtube.com/", 2),
];

const COLORS: &[&str] = &[
    "blue",
    "black",
    "red",
    "olive",
    "navy",
    "charcoal",
    "sand",
    "forest",
    "ivory",
    "rust",
    "slate",
    "teal",
    "heather-grey",
    "burgundy",
    "mustard",
    "sage",
];
const MATERIALS: &[&str] =
    &["wool", "linen", "cotton", "leather", "canvas", "merino", "denim", "suede", "fleece", "nylon", "recycled", "organic-cotton"];
const NOUNS: &[&str] = &[
    "running-shoes",
    "rain-jacket",
    "backpack",
    "beanie",
    "hiking-boots",
    "socks",
    "chinos",
    "hoodie",
    "scarf",
    "duffel-bag",
    "trail-shoes",
    "parka",
    "tote",
    "sneakers",
    "gloves",
    "t-shirt",
    "windbreaker",
    "belt",
    "cap",
    "sweater",
    "overshirt",
    "cardigan",
    "shorts",
    "weekender-bag",
];
const BLOG_A: &[&str] = &[
    "how-to-choose",
    "the-complete-guide-to",
    "caring-for",
    "why-we-love",
    "what-to-pack-with",
    "five-ways-to-style",
    "behind-the-seams-of",
    "a-field-test-of",
];
const BLOG_B: &[&str] = &[
    "merino-wool",
    "rain-jackets",
    "trail-shoes",
    "your-first-backpack",
    "linen-shirts",
    "winter-layers",
    "leather-boots",
    "travel-bags",
    "recycled-fabrics",
    "running-socks",
];
const CAMPAIGNS: &[&str] = &["black-friday", "winter-sale", "new-arrivals", "weekly-digest", "loyalty-rewards"];

/// The synthetic site: its pages, assets, and the object sizes.
pub struct Catalog {
    pub products: Vec<String>,
    pub product_imgs: Vec<String>,
    pub product_thumbs: Vec<String>,
    pub product_w: Weighted,
    pub blogs: Vec<String>,
    pub blog_imgs: Vec<String>,
    pub blog_videos: Vec<String>,
    pub blog_w: Weighted,
    pub searches: Vec<String>,
    pub search_w: Weighted,
    pub statics: Vec<&'static str>,
    pub dead: Vec<String>,
    pub app_js: String,
    pub vendor_js: String,
    pub css: String,
    pub font: &'static str,
    pub heroes: Vec<String>,
    pub campaigns: Vec<String>,
    pub categories: Vec<String>,
}

fn hex_hash(rng: &mut Rng) -> String {
    format!("{:08x}", rng.next_u64() as u32)
}

impl Catalog {
    /// Builds a catalog of ~400 products and ~60 blog posts.
    pub fn new(rng: &mut Rng) -> Self {
        let mut slugs = Vec::new();
        let mut seen = std::collections::HashSet::new();
        while slugs.len() < 400 {
            let s = if rng.chance(0.5) {
                format!("{}-{}-{}", rng.pick(COLORS), rng.pick(MATERIALS), rng.pick(NOUNS))
            } else {
                format!("{}-{}", rng.pick(MATERIALS), rng.pick(NOUNS))
            };
            if seen.insert(s.clone()) {
                slugs.push(s);
            }
        }
        let products: Vec<String> = slugs.iter().map(|s| format!("/products/{s}")).collect();
        let product_imgs: Vec<String> = slugs.iter().map(|s| format!("/img/products/{s}.webp")).collect();
        let product_thumbs: Vec<String> = slugs.iter().map(|s| format!("/img/products/thumbs/{s}.webp")).collect();
        // Zipf-like popularity: weight proportional to 1/(rank+1).
        let product_w = Weighted::new((0..products.len()).map(|i| 1_000_000 / (i as u64 + 3)));
        let mut blogs = Vec::new();
        for a in BLOG_A {
            for b in BLOG_B {
                if rng.chance(0.75) {
                    blogs.push(format!("{a}-{b}"));
                }
            }
        }
        let blog_imgs = blogs.iter().map(|s| format!("/img/blog/{s}-cover.webp")).collect();
        let blog_videos = blogs.iter().map(|s| format!("/media/{s}.mp4")).collect();
        let blogs: Vec<String> = blogs.iter().map(|s| format!("/blog/{s}")).collect();
        let blog_w = Weighted::new((0..blogs.len()).map(|i| 1_000_000 / (i as u64 + 2)));
        let mut searches = Vec::new();
        for _ in 0..150 {
            let noun = rng.pick(NOUNS).replace('-', "+");
            let q = match rng.below(4) {
                0 => format!("q={noun}"),
                1 => format!("q={}+{noun}", rng.pick(COLORS).replace('-', "+")),
                2 => format!("q={}+{noun}&page=2", rng.pick(MATERIALS).replace('-', "+")),
                _ => format!("q={}+{noun}&sort=price_asc", rng.pick(COLORS).replace('-', "+")),
            };
            searches.push(q);
        }
        let search_w = Weighted::new((0..searches.len()).map(|i| 1_000_000 / (i as u64 + 2)));
        let dead = (0..40)
            .map(|_| match rng.below(3) {
                0 => format!("/products/{}-{}-discontinued", rng.pick(COLORS), rng.pick(NOUNS)),
                1 => format!("/blog/{}-{}-2019", rng.pick(BLOG_A), rng.pick(BLOG_B)),
                _ => format!("/img/products/{}-{}.jpg", rng.pick(MATERIALS), rng.pick(NOUNS)),
            })
            .collect();
        let app_js = format!("/assets/app.{}.js", hex_hash(rng));
        let vendor_js = format!("/assets/vendor.{}.js", hex_hash(rng));
        let css = format!("/assets/styles.{}.css", hex_hash(rng));
        let heroes = ["winter", "new-arrivals", "sale", "outdoors"].iter().map(|h| format!("/img/hero-{h}.webp")).collect();
        let campaigns = CAMPAIGNS.iter().map(|c| c.to_string()).collect();
        let categories = ["men", "women", "shoes", "bags", "accessories", "sale"].iter().map(|c| format!("/collections/{c}")).collect();
        Catalog {
            products,
            product_imgs,
            product_thumbs,
            product_w,
            blogs,
            blog_imgs,
            blog_videos,
            blog_w,
            searches,
            search_w,
            statics: vec!["/about", "/contact", "/faq", "/shipping", "/returns", "/stores", "/gift-cards"],
            dead,
            app_js,
            vendor_js,
            css,
            font: "/assets/fonts/inter-var.woff2",
            heroes,
            campaigns,
            categories,
        }
    }
}

/// Stable object size in `lo..=hi` derived from the path (same object, same size).
pub fn stable_size(path: &str, lo: u64, hi: u64) -> u64 {
    // FNV-1a
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in path.as_bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    let u = (h >> 11) as f64 / (1u64 << 53) as f64;
    lo + ((hi - lo) as f64 * u * u) as u64
}

/// Requests per hour of day (UTC): peak around 15:00, trough around 04:00.
pub const DIURNAL: [u32; 24] = [62, 52, 43, 36, 33, 35, 42, 53, 66, 78, 87, 93, 96, 98, 99, 100, 98, 95, 91, 87, 82, 77, 72, 67];

/// The region table as a weighted distribution.
pub fn region_weights() -> Weighted {
    Weighted::new(REGIONS.iter().map(|r| r.share as u64))
}
