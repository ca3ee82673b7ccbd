//! Is a client that claims to be a search-engine crawler really one?
//!
//! Why: verified crawlers (Googlebot, bingbot, Applebot) walk a site steadily and would trip
//! scraper and rate hunts, so the playbook keeps them below medium; a client that only *says* it
//! is Googlebot is the opposite, a scraper or scanner hiding behind the name, and is a finding by
//! itself. The operators publish the address ranges their crawlers use;
//! `data/crawler_ranges.tsv` holds them (see its header for the sources and dates). The user
//! agent's claim is checked against the claimed operator's ranges, no DNS involved.
//!
//! Lookups run once per row: the address is parsed from the bytes without allocating, and the
//! prefixes are sorted disjoint intervals searched by bisection.

use std::net::IpAddr;
use std::sync::OnceLock;

const DATA: &str = include_str!("../../../../data/crawler_ranges.tsv");

/// What `crawler_verdict` says about a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The user agent claims a crawler and the address is in that operator's ranges.
    Verified,
    /// The user agent claims a crawler and the address is outside its operator's ranges.
    Spoofed,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Verified => "verified",
            Verdict::Spoofed => "spoofed",
        }
    }
}

/// One published prefix of an operator.
#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub operator: &'static str,
    pub cidr: &'static str,
}

struct Table {
    /// (lower-case token, operator bit)
    claims: Vec<(&'static [u8], u8)>,
    /// operator names; bit i of a mask is operators[i]
    operators: Vec<&'static str>,
    sources: Vec<(&'static str, &'static str)>,
    /// sorted and disjoint: (first, last, operator bit)
    v4: Vec<(u32, u32, u8)>,
    v6: Vec<(u128, u128, u8)>,
    ranges: Vec<Range>,
}

fn bit(operators: &mut Vec<&'static str>, name: &'static str) -> u8 {
    let i = operators.iter().position(|o| *o == name).unwrap_or_else(|| {
        operators.push(name);
        operators.len() - 1
    });
    1u8 << i.min(7)
}

fn parse(text: &'static str) -> Table {
    let mut t =
        Table { claims: Vec::new(), operators: Vec::new(), sources: Vec::new(), v4: Vec::new(), v6: Vec::new(), ranges: Vec::new() };
    for line in text.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&'static str> = line.split('\t').collect();
        match f.as_slice() {
            ["claim", token, op] => {
                let b = bit(&mut t.operators, op);
                t.claims.push((token.as_bytes(), b));
            }
            ["source", op, text] => t.sources.push((op, text)),
            ["range", op, cidr] => {
                let b = bit(&mut t.operators, op);
                let Some((addr, len)) = cidr.split_once('/') else { continue };
                let (Ok(addr), Ok(len)) = (addr.parse::<IpAddr>(), len.parse::<u32>()) else { continue };
                match addr {
                    IpAddr::V4(a) if len <= 32 => {
                        let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
                        let first = u32::from(a) & mask;
                        t.v4.push((first, first | !mask, b));
                    }
                    IpAddr::V6(a) if len <= 128 => {
                        let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
                        let first = u128::from(a) & mask;
                        t.v6.push((first, first | !mask, b));
                    }
                    _ => continue,
                }
                t.ranges.push(Range { operator: op, cidr });
            }
            _ => {}
        }
    }
    t.v4.sort_unstable();
    t.v6.sort_unstable();
    t
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| parse(DATA))
}

/// Does `hay` contain `needle` (lower-case ASCII), ignoring ASCII case?
fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && hay.len() >= needle.len() && hay.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

/// The operators a user agent claims to be a crawler of, as a bit mask (0: no verifiable claim).
pub fn claims(user_agent: &[u8]) -> u8 {
    table().claims.iter().filter(|(tok, _)| contains_ignore_case(user_agent, tok)).fold(0, |m, (_, b)| m | b)
}

/// The operator bits whose ranges contain `ip` (0 when none or not an address).
fn operators_of(ip: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(ip.trim_ascii()).ok()?;
    let addr: IpAddr = text.parse().ok()?;
    let t = table();
    // IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 address.
    let addr = match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    };
    Some(match addr {
        IpAddr::V4(a) => find(&t.v4, u32::from(a)),
        IpAddr::V6(a) => find(&t.v6, u128::from(a)),
    })
}

fn find<T: Ord + Copy>(ranges: &[(T, T, u8)], x: T) -> u8 {
    // The ranges are disjoint (a test checks it), so only the last one starting at or before x
    // can contain it.
    let end = ranges.partition_point(|r| r.0 <= x);
    match end.checked_sub(1).and_then(|i| ranges.get(i)) {
        Some(r) if r.1 >= x => r.2,
        _ => 0,
    }
}

/// The verdict on a client: `None` when the user agent claims no crawler we can check, or the
/// address is not an IP address; otherwise verified (inside a claimed operator's ranges) or
/// spoofed.
pub fn crawler_verdict(c_ip: &[u8], user_agent: &[u8]) -> Option<Verdict> {
    let claimed = claims(user_agent);
    if claimed == 0 {
        return None;
    }
    let found = operators_of(c_ip)?;
    Some(if found & claimed != 0 { Verdict::Verified } else { Verdict::Spoofed })
}

/// Every published prefix, in file order.
pub fn all_ranges() -> &'static [Range] {
    &table().ranges
}

/// Where each operator's ranges come from: (operator, source text).
pub fn sources() -> &'static [(&'static str, &'static str)] {
    &table().sources
}

/// The tokens a user agent is matched for, per operator: (token, operator).
pub fn claim_tokens() -> Vec<(&'static str, &'static str)> {
    let t = table();
    t.claims
        .iter()
        .map(|(tok, b)| {
            let i = b.trailing_zeros() as usize;
            (std::str::from_utf8(tok).unwrap_or(""), t.operators.get(i).copied().unwrap_or(""))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOGLEBOT: &[u8] = b"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    const BINGBOT: &[u8] = b"Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";
    const APPLEBOT: &[u8] = b"Mozilla/5.0 (Macintosh) Safari/605.1.15 (Applebot/0.1; +http://www.apple.com/go/applebot)";

    #[test]
    fn data_file_is_well_formed() {
        let t = table();
        assert_eq!(t.operators, ["google", "microsoft", "apple"]);
        // Every range row parsed (a typo would drop a row silently otherwise).
        let rows = DATA.lines().filter(|l| l.starts_with("range\t")).count();
        assert_eq!(t.ranges.len(), rows);
        assert_eq!(t.v4.len() + t.v6.len(), rows);
        assert!(rows > 90);
        // Disjoint after sorting, across operators too (the lookup relies on it).
        for w in t.v4.windows(2) {
            assert!(w[0].1 < w[1].0, "{w:?}");
        }
        for w in t.v6.windows(2) {
            assert!(w[0].1 < w[1].0, "{w:?}");
        }
        assert_eq!(sources().len(), 3);
        assert_eq!(claim_tokens(), [("googlebot", "google"), ("bingbot", "microsoft"), ("applebot", "apple")]);
    }

    #[test]
    fn googlebot() {
        // 66.249.66.1 is in 66.249.66.0/24, 66.249.79.200 in 66.249.72.0/21 (72..79).
        assert_eq!(crawler_verdict(b"66.249.66.1", GOOGLEBOT), Some(Verdict::Verified));
        assert_eq!(crawler_verdict(b"66.249.79.200", GOOGLEBOT), Some(Verdict::Verified));
        // 66.249.67.96 is past 66.249.67.64/27 (64..95) and 66.249.67.0/26: not published.
        assert_eq!(crawler_verdict(b"66.249.67.96", GOOGLEBOT), Some(Verdict::Spoofed));
        // A hosting address with Googlebot's user agent.
        assert_eq!(crawler_verdict(b"45.146.164.110", GOOGLEBOT), Some(Verdict::Spoofed));
        // Googlebot-Image, case-insensitive claim.
        assert_eq!(crawler_verdict(b"66.249.64.178", b"Googlebot-Image/1.0"), Some(Verdict::Verified));
        assert_eq!(crawler_verdict(b"66.249.64.178", b"GOOGLEBOT"), Some(Verdict::Verified));
        // IPv6: 2001:4860:4801:10::/60 covers :10 .. :1f.
        assert_eq!(crawler_verdict(b"2001:4860:4801:1f::5", GOOGLEBOT), Some(Verdict::Verified));
        assert_eq!(crawler_verdict(b"2001:4860:4802::5", GOOGLEBOT), Some(Verdict::Spoofed));
        // IPv4-mapped IPv6 is its IPv4 address; surrounding whitespace is ignored.
        assert_eq!(crawler_verdict(b"::ffff:66.249.66.1", GOOGLEBOT), Some(Verdict::Verified));
        assert_eq!(crawler_verdict(b" 66.249.66.1\t", GOOGLEBOT), Some(Verdict::Verified));
    }

    #[test]
    fn other_operators_and_cross_claims() {
        assert_eq!(crawler_verdict(b"157.55.39.43", BINGBOT), Some(Verdict::Verified));
        assert_eq!(crawler_verdict(b"40.77.167.54", BINGBOT), Some(Verdict::Verified));
        assert_eq!(crawler_verdict(b"17.241.227.9", APPLEBOT), Some(Verdict::Verified));
        // Google's address claiming bingbot is not a verified bingbot.
        assert_eq!(crawler_verdict(b"66.249.66.1", BINGBOT), Some(Verdict::Spoofed));
        assert_eq!(crawler_verdict(b"157.55.39.43", GOOGLEBOT), Some(Verdict::Spoofed));
        // Claiming two crawlers: verified if either operator owns the address.
        assert_eq!(crawler_verdict(b"157.55.39.43", b"Googlebot bingbot"), Some(Verdict::Verified));
    }

    #[test]
    fn no_claim_or_not_an_address() {
        // BingPreview, browsers, unverifiable crawlers: no verdict.
        assert_eq!(crawler_verdict(b"40.77.192.8", b"Mozilla/5.0 (Windows NT 6.1; WOW64) BingPreview/1.0b"), None);
        assert_eq!(crawler_verdict(b"66.249.66.1", b"Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0"), None);
        assert_eq!(crawler_verdict(b"1.2.3.4", b"Mozilla/5.0 (compatible; AhrefsBot/7.0)"), None);
        assert_eq!(crawler_verdict(b"1.2.3.4", b""), None);
        assert_eq!(crawler_verdict(b"not-an-ip", GOOGLEBOT), None);
        assert_eq!(crawler_verdict(b"", GOOGLEBOT), None);
        assert_eq!(crawler_verdict(&[0xff, 0xfe], GOOGLEBOT), None);
        // A token cut short is no claim.
        assert_eq!(claims(b"Googlebo"), 0);
    }

    #[test]
    fn edges_of_a_prefix() {
        // 66.249.64.0/23: 66.249.64.0 .. 66.249.65.255; 66.249.63.255 is outside.
        assert_eq!(crawler_verdict(b"66.249.64.0", GOOGLEBOT), Some(Verdict::Verified));
        assert_eq!(crawler_verdict(b"66.249.65.255", GOOGLEBOT), Some(Verdict::Verified));
        assert_eq!(crawler_verdict(b"66.249.63.255", GOOGLEBOT), Some(Verdict::Spoofed));
        // 66.249.80.0 is just past 66.249.72.0/21.
        assert_eq!(crawler_verdict(b"66.249.80.0", GOOGLEBOT), Some(Verdict::Spoofed));
        assert_eq!(crawler_verdict(b"0.0.0.0", GOOGLEBOT), Some(Verdict::Spoofed));
        assert_eq!(crawler_verdict(b"255.255.255.255", GOOGLEBOT), Some(Verdict::Spoofed));
    }
}
