//! User-agent categories: browser, crawler, scanner, HTTP library.
//!
//! Why: separating humans from automation is the first cut in almost every
//! hunt, and a `LIKE '%bot%'` in SQL both misses most tools (curl,
//! python-requests, sqlmap, zgrab) and flags phones (the CUBOT brand).
//!
//! The tokens live in `data/user_agents.tsv` (our own list; format in its
//! header) and are compiled once into one `RegexSet` per category.
//! Matching is case-insensitive, ASCII-only and linear-time.
//!
//! Input must be the decoded user agent: CloudFront logs it percent-encoded
//! (`Mozilla/5.0%20(...)`, twice before ~2020), and although substring
//! tokens mostly survive that, regexes anchored with `\b` or `^` and tokens
//! containing spaces do not. Decode with
//! [`crate::hunt::url::url_decode_levels`] first.

use regex::bytes::{Regex, RegexSet};
use std::sync::OnceLock;

const DATA: &str = include_str!("../../../../data/user_agents.tsv");

/// What kind of client sent the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UaCategory {
    /// A web browser: `Mozilla/` plus a rendering-engine token, nothing
    /// else matched.
    Browser,
    /// Search-engine, AI, social-preview, SEO, archive and monitoring
    /// crawlers, and headless/automated browsers.
    Crawler,
    /// Vulnerability scanners, fuzzers and internet-wide survey scanners.
    Scanner,
    /// HTTP client libraries and command-line tools.
    Library,
    /// No user agent at all (NULL, empty or `-`).
    Empty,
    /// Anything else (mobile-app clients, unknown tools, odd strings).
    Other,
}

impl UaCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            UaCategory::Browser => "browser",
            UaCategory::Crawler => "crawler",
            UaCategory::Scanner => "scanner",
            UaCategory::Library => "library",
            UaCategory::Empty => "empty",
            UaCategory::Other => "other",
        }
    }
}

/// One data-file row, in tier order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    Scanner,
    Crawler,
    Library,
    CrawlerGeneric,
}

impl Tier {
    fn parse(s: &str) -> Option<Tier> {
        match s {
            "scanner" => Some(Tier::Scanner),
            "crawler" => Some(Tier::Crawler),
            "library" => Some(Tier::Library),
            "crawler-generic" => Some(Tier::CrawlerGeneric),
            _ => None,
        }
    }
    fn category(self) -> UaCategory {
        match self {
            Tier::Scanner => UaCategory::Scanner,
            Tier::Crawler | Tier::CrawlerGeneric => UaCategory::Crawler,
            Tier::Library => UaCategory::Library,
        }
    }
}

const TIERS: [Tier; 4] = [Tier::Scanner, Tier::Crawler, Tier::Library, Tier::CrawlerGeneric];

struct Row {
    tier: Tier,
    token: &'static str,
    name: &'static str,
}

/// Data rows; lines that are comments, blank, the header or malformed are
/// skipped (a test checks that none is malformed).
fn parse_rows(text: &'static str) -> Vec<Row> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("category\t"))
        .filter_map(|l| {
            let mut it = l.split('\t');
            let tier = Tier::parse(it.next()?)?;
            let token = it.next().filter(|t| !t.is_empty())?;
            let name = it.next()?;
            if it.next().is_some() {
                return None;
            }
            Some(Row { tier, token, name })
        })
        .collect()
}

/// Regex source for a data token: `re:` rows verbatim, others escaped.
/// `(?i-u)`: ASCII case folding and ASCII `\b`, fast on arbitrary bytes.
fn pattern_for(token: &str) -> String {
    match token.strip_prefix("re:") {
        Some(re) => format!("(?i-u){re}"),
        None => format!("(?i-u){}", regex::escape(token)),
    }
}

struct Tables {
    /// Every row's pattern: one scan tells whether any tier can match
    /// (most traffic is browsers, which match none).
    any: RegexSet,
    /// One set per tier, in `TIERS` order, with the rows' names.
    sets: Vec<(Tier, RegexSet, Vec<&'static str>)>,
    mozilla: Option<Regex>,
    engine: Option<Regex>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let rows = parse_rows(DATA);
        let any = RegexSet::new(rows.iter().map(|r| pattern_for(r.token))).unwrap_or_else(|_| RegexSet::empty());
        let sets = TIERS
            .iter()
            .map(|&tier| {
                let mine: Vec<&Row> = rows.iter().filter(|r| r.tier == tier).collect();
                let set = RegexSet::new(mine.iter().map(|r| pattern_for(r.token))).unwrap_or_else(|_| RegexSet::empty());
                (tier, set, mine.iter().map(|r| r.name).collect())
            })
            .collect();
        // Fixed patterns (a test covers them); on the impossible compile
        // error they become None and simply never match, rather than panic.
        Tables {
            any,
            sets,
            mozilla: Regex::new(r"(?i-u)mozilla/").ok(),
            engine: Regex::new(r"(?i-u)applewebkit/|gecko/|trident/|chrome/|chromium/|firefox/|safari/|edg/|edge/|opr/|presto/").ok(),
        }
    })
}

/// The trimmed user agent, or `None` when there is none (NULL, blank, `-`).
fn present_ua(ua: Option<&[u8]>) -> Option<&[u8]> {
    let ua = ua?.trim_ascii();
    if ua.is_empty() || ua == b"-" {
        None
    } else {
        Some(ua)
    }
}

/// Category of a (decoded) user agent. Precedence: scanner > crawler >
/// library > generic crawler conventions (contact URL, "bot", "spider") >
/// browser (`Mozilla/` and an engine token such as `AppleWebKit/`,
/// `Gecko/`, `Trident/`, `Chrome/`, `Firefox/`, `Safari/`, `Edg/`) > other.
/// `None`, empty, whitespace and `-` are [`UaCategory::Empty`].
///
/// Headless browsers (HeadlessChrome, PhantomJS, Puppeteer, Playwright,
/// Selenium tokens) are crawlers: a real engine, but driven by code.
pub fn ua_category(ua: Option<&[u8]>) -> UaCategory {
    let Some(ua) = present_ua(ua) else {
        return UaCategory::Empty;
    };
    let t = tables();
    if t.any.is_match(ua) {
        for (tier, set, _) in &t.sets {
            if set.is_match(ua) {
                return tier.category();
            }
        }
    }
    let has = |re: &Option<Regex>| re.as_ref().is_some_and(|r| r.is_match(ua));
    if has(&t.mozilla) && has(&t.engine) {
        UaCategory::Browser
    } else {
        UaCategory::Other
    }
}

/// Automated client: crawler, scanner, library, or no user agent at all.
pub fn is_bot(ua: Option<&[u8]>) -> bool {
    matches!(ua_category(ua), UaCategory::Crawler | UaCategory::Scanner | UaCategory::Library | UaCategory::Empty)
}

/// Name of the first data row that decides the category (e.g.
/// "Googlebot", "sqlmap", "Python requests"), in precedence order; `None`
/// for browsers, other and empty user agents. Allocates a small match
/// bitset when a tier matches, so prefer [`ua_category`] for filtering.
pub fn ua_tool_name(ua: Option<&[u8]>) -> Option<&'static str> {
    let ua = present_ua(ua)?;
    for (_, set, names) in &tables().sets {
        if set.is_match(ua) {
            let first = set.matches(ua).iter().next()?;
            return names.get(first).copied();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(ua: &str) -> UaCategory {
        ua_category(Some(ua.as_bytes()))
    }

    #[test]
    fn data_file_is_well_formed() {
        let data_lines = DATA.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("category\t")).count();
        let rows = parse_rows(DATA);
        assert_eq!(rows.len(), data_lines, "a data line failed to parse");
        assert!(rows.len() > 150);
        for r in &rows {
            assert!(Regex::new(&pattern_for(r.token)).is_ok(), "bad token {:?}", r.token);
            assert!(!r.name.is_empty());
        }
        assert_eq!(tables().any.len(), rows.len());
        for (tier, set, names) in &tables().sets {
            assert!(!set.is_empty(), "{tier:?} set failed to compile");
            assert_eq!(set.len(), names.len());
        }
        assert!(tables().mozilla.is_some() && tables().engine.is_some());
        // Header present.
        assert!(DATA.lines().any(|l| l == "category\ttoken\tname"));
    }

    #[test]
    fn empty() {
        assert_eq!(ua_category(None), UaCategory::Empty);
        assert_eq!(cat(""), UaCategory::Empty);
        assert_eq!(cat("-"), UaCategory::Empty);
        assert_eq!(cat("  "), UaCategory::Empty);
        assert!(is_bot(None));
        assert!(is_bot(Some(b"-")));
    }

    #[test]
    fn browsers() {
        for ua in [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
            "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
            "Mozilla/5.0 (Windows NT 6.1; Trident/7.0; rv:11.0) like Gecko",
            // CUBOT is a phone brand, not a bot.
            "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
        ] {
            assert_eq!(cat(ua), UaCategory::Browser, "{ua}");
            assert!(!is_bot(Some(ua.as_bytes())));
        }
    }

    #[test]
    fn crawlers() {
        for ua in [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)",
            "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; ClaudeBot/1.0; +claudebot@anthropic.com)",
            "CCBot/2.0 (https://commoncrawl.org/faq/)",
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
            "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.0.0 Safari/537.36",
            // Unknown bot caught by conventions only.
            "Mozilla/5.0 (compatible; ExampleNewBot/0.1; +https://example.net/bot)",
            "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
            "WhatsApp/2.23.20.0",
        ] {
            assert_eq!(cat(ua), UaCategory::Crawler, "{ua}");
            assert!(is_bot(Some(ua.as_bytes())));
        }
    }

    #[test]
    fn scanners() {
        for ua in [
            "Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:Port Check)",
            "sqlmap/1.8#stable (https://sqlmap.org)",
            "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)",
            "Mozilla/5.0 zgrab/0.x",
            "masscan/1.3 (https://github.com/robertdavidgraham/masscan)",
            "WPScan v3.8.25 (https://wpscan.com/wordpress-security-scanner)",
            "Fuzz Faster U Fool v2.1.0-dev",
            "Mozilla/5.0 (compatible; CensysInspect/1.1; +https://about.censys.io/)",
            "Expanse, a Palo Alto Networks company, searches across the global IPv4 space multiple times per day",
            "Mozilla/5.0 (l9explore/1.2.2; +https://leakix.net)",
            "Nuclei - Open-source project (github.com/projectdiscovery/nuclei)",
            "gobuster/3.6",
            "Hello World",
        ] {
            assert_eq!(cat(ua), UaCategory::Scanner, "{ua}");
            assert!(is_bot(Some(ua.as_bytes())));
        }
    }

    #[test]
    fn libraries() {
        for ua in [
            "curl/8.5.0",
            "Wget/1.21.4",
            "python-requests/2.31.0",
            "Python-urllib/3.11",
            "Python/3.11 aiohttp/3.9.1",
            "python-httpx/0.27.0",
            "Go-http-client/1.1",
            "Java/17.0.10",
            "okhttp/4.12.0",
            "Apache-HttpClient/4.5.14 (Java/17.0.10)",
            "axios/1.6.8",
            "node-fetch/1.0 (+https://github.com/bitinn/node-fetch)",
            "undici",
            "libwww-perl/6.72",
            "GuzzleHttp/7",
            "Ruby",
            "Faraday v2.9.0",
            "PostmanRuntime/7.37.3",
            "insomnia/2023.5.8",
            "Scrapy/2.11.1 (+https://scrapy.org)",
            "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.4291",
        ] {
            assert_eq!(cat(ua), UaCategory::Library, "{ua}");
            assert!(is_bot(Some(ua.as_bytes())));
        }
    }

    #[test]
    fn other() {
        for ua in [
            "Amazon CloudFront",
            "MyShop/5.2.1 CFNetwork/1494.0.7 Darwin/23.4.0",
            "Dalvik/2.1.0 (Linux; U; Android 14; Pixel 8 Build/AP1A.240405.002)",
            "Mozilla/5.0",
            "\u{1F600} weird",
        ] {
            assert_eq!(cat(ua), UaCategory::Other, "{ua}");
            assert!(!is_bot(Some(ua.as_bytes())));
        }
        // Invalid UTF-8 does not break matching.
        assert_eq!(ua_category(Some(&[0xff, 0xfe, b'c', b'u', b'r', b'l'])), UaCategory::Other);
        assert_eq!(ua_category(Some(b"curl/7.0 \xff")), UaCategory::Library);
    }

    #[test]
    fn precedence() {
        // scanner beats crawler and library.
        assert_eq!(cat("sqlmap/1.8 python-requests/2.31 (+https://sqlmap.org)"), UaCategory::Scanner);
        // crawler beats library.
        assert_eq!(cat("python-requests/2.31 Googlebot/2.1"), UaCategory::Crawler);
        // library beats generic conventions.
        assert_eq!(cat("okhttp/4.0 (+https://example.com)"), UaCategory::Library);
        // generic conventions beat browser.
        assert_eq!(cat("Mozilla/5.0 (compatible; FooSpider/1.0) AppleWebKit/537.36"), UaCategory::Crawler);
    }

    #[test]
    fn encoded_input_is_the_callers_problem() {
        // Percent-encoded: the browser tokens survive but tokens with spaces don't.
        assert_eq!(cat("Fuzz%20Faster%20U%20Fool%20v2.1.0"), UaCategory::Other);
        let mut out = Vec::new();
        crate::hunt::url::url_decode_levels(b"Fuzz%2520Faster%2520U%2520Fool%2520v2.1.0", 3, &mut out);
        assert_eq!(ua_category(Some(&out)), UaCategory::Scanner);
    }

    #[test]
    fn names_and_strings() {
        assert_eq!(ua_tool_name(Some(b"Mozilla/5.0 (compatible; Googlebot/2.1)")), Some("Googlebot"));
        assert_eq!(ua_tool_name(Some(b"sqlmap/1.8")), Some("sqlmap"));
        assert_eq!(ua_tool_name(Some(b"curl/8.5.0")), Some("curl"));
        assert_eq!(ua_tool_name(Some(b"Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0")), None);
        assert_eq!(ua_tool_name(None), None);
        let all = [
            (UaCategory::Browser, "browser"),
            (UaCategory::Crawler, "crawler"),
            (UaCategory::Scanner, "scanner"),
            (UaCategory::Library, "library"),
            (UaCategory::Empty, "empty"),
            (UaCategory::Other, "other"),
        ];
        for (c, s) in all {
            assert_eq!(c.as_str(), s);
        }
    }
}
