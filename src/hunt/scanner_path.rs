//! Requests for well-known probe targets and path traversal.
//!
//! Why: most hostile traffic in CDN logs is automated probing for exposed
//! secrets (`/.env`, `/.git/config`), admin consoles and known-vulnerable
//! endpoints, plus `../` traversal hidden under layers of encoding. The
//! probe list lives in `data/scanner_paths.tsv` (our own list; format in
//! its header) and is compiled once into a `RegexSet`.
//!
//! Input is `cs-uri-stem` as logged (path only). Before matching, the path
//! is normalised: up to 3 levels of percent-decoding (`%2e`, `%252e`,
//! `%25252e`), IIS-style `%u00XX`, and overlong UTF-8 forms of ASCII
//! (`%c0%ae` = `.`, `%c0%af` = `/`, `%e0%80%ae` = `.`). Matching is
//! ASCII-case-insensitive.

use regex::bytes::RegexSet;
use std::sync::OnceLock;

const DATA: &str = include_str!("../../data/scanner_paths.tsv");

/// Percent-decoding levels applied before matching.
pub const DECODE_LEVELS: u32 = 3;

/// Reason reported by [`scanner_path_reason`] for traversal.
pub const TRAVERSAL_REASON: &str = "path traversal (../ or ..\\ after decoding)";

struct Row {
    kind: &'static str,
    pattern: &'static str,
    why: &'static str,
}

fn parse_rows(text: &'static str) -> Vec<Row> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("kind\t"))
        .filter_map(|l| {
            let mut it = l.split('\t');
            let kind = it.next()?;
            let pattern = it.next().filter(|p| !p.is_empty())?;
            let why = it.next()?;
            if it.next().is_some() || regex_for(kind, pattern).is_none() {
                return None;
            }
            Some(Row { kind, pattern, why })
        })
        .collect()
}

fn regex_for(kind: &str, pattern: &str) -> Option<String> {
    let lit = regex::escape(pattern);
    match kind {
        "prefix" => Some(format!("(?i-u)^{lit}")),
        "contains" => Some(format!("(?i-u){lit}")),
        "suffix" => Some(format!("(?i-u){lit}$")),
        "exact" => Some(format!("(?i-u)^{lit}$")),
        _ => None,
    }
}

struct Tables {
    set: RegexSet,
    whys: Vec<&'static str>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let rows = parse_rows(DATA);
        let set = RegexSet::new(rows.iter().filter_map(|r| regex_for(r.kind, r.pattern)))
            .unwrap_or_else(|_| RegexSet::empty());
        Tables {
            set,
            whys: rows.iter().map(|r| r.why).collect(),
        }
    })
}

/// Decode IIS-style `%u00XX` (ASCII only) in place; other `%uXXXX` are
/// left alone. Returns whether anything changed.
fn decode_percent_u_in_place(buf: &mut Vec<u8>) -> bool {
    crate::format::decode::decode_escapes_in_place(buf, b'%', |s, at| percent_u_ascii(s, at).map(|b| (b, 6)))
}

fn percent_u_ascii(buf: &[u8], at: usize) -> Option<u8> {
    let u = buf.get(at + 1)?;
    if !u.eq_ignore_ascii_case(&b'u') {
        return None;
    }
    let mut v: u32 = 0;
    for i in 2..6 {
        let d = (*buf.get(at + i)? as char).to_digit(16)?;
        v = (v << 4) | d;
    }
    u8::try_from(v).ok().filter(|b| b.is_ascii())
}

/// Replace overlong UTF-8 encodings of ASCII (C0/C1 xx, E0 80-81 xx,
/// F0 80 80-81 xx) with the ASCII byte, in place. These are invalid UTF-8
/// that some old decoders accepted, hence the `%c0%ae%c0%ae/` trick.
fn fold_overlong_in_place(buf: &mut Vec<u8>) {
    let cont = |b: Option<&u8>| {
        b.copied()
            .filter(|&x| x & 0xc0 == 0x80)
            .map(|x| (x & 0x3f) as u32)
    };
    let len = buf.len();
    let (mut r, mut w) = (0usize, 0usize);
    while r < len {
        let b = buf[r];
        let folded = match b {
            0xc0 | 0xc1 => cont(buf.get(r + 1)).map(|c1| ((((b & 0x1f) as u32) << 6) | c1, 2)),
            0xe0 => cont(buf.get(r + 1))
                .zip(cont(buf.get(r + 2)))
                .map(|(c1, c2)| ((c1 << 6) | c2, 3)),
            0xf0 => cont(buf.get(r + 1))
                .zip(cont(buf.get(r + 2)))
                .zip(cont(buf.get(r + 3)))
                .map(|((c1, c2), c3)| ((c1 << 12) | (c2 << 6) | c3, 4)),
            _ => None,
        };
        match folded {
            Some((v, n)) if v < 0x80 => {
                buf[w] = v as u8;
                w += 1;
                r += n;
            }
            _ => {
                buf[w] = b;
                w += 1;
                r += 1;
            }
        }
    }
    buf.truncate(w);
}

/// Normalise a path for matching (see the module doc) into `out`.
pub fn normalize_path_into(uri: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(uri);
    for _ in 0..DECODE_LEVELS {
        let a = crate::hunt::url::percent_decode_in_place(out);
        let b = decode_percent_u_in_place(out);
        if !a && !b {
            break;
        }
    }
    if !out.is_ascii() {
        fold_overlong_in_place(out);
    }
}

/// `../`, `..\`, or a final `/..` / `\..` segment in an already
/// normalised path.
pub fn has_traversal(normalized: &[u8]) -> bool {
    memchr::memmem::find(normalized, b"../").is_some()
        || memchr::memmem::find(normalized, b"..\\").is_some()
        || normalized == b".."
        || normalized.ends_with(b"/..")
        || normalized.ends_with(b"\\..")
}

fn needs_normalizing(uri: &[u8]) -> bool {
    memchr::memchr(b'%', uri).is_some() || !uri.is_ascii()
}

/// Whether `uri` (a `cs-uri-stem`) requests a well-known probe target from
/// `data/scanner_paths.tsv` or contains path traversal in any of the
/// handled encodings. Paths without `%` or non-ASCII bytes are matched
/// directly; others are normalised in a per-thread scratch buffer.
///
/// Sites that really run one of the listed products (WordPress admins
/// logging in at `/wp-login.php`) will see their own traffic flagged.
pub fn is_scanner_path(uri: &[u8]) -> bool {
    if !needs_normalizing(uri) {
        return matches_normalized(uri);
    }
    super::with_scratch(|buf| is_scanner_path_buf(uri, buf))
}

/// [`is_scanner_path`] with an explicit scratch buffer (contents replaced).
pub fn is_scanner_path_buf(uri: &[u8], scratch: &mut Vec<u8>) -> bool {
    if !needs_normalizing(uri) {
        return matches_normalized(uri);
    }
    normalize_path_into(uri, scratch);
    matches_normalized(scratch)
}

fn matches_normalized(path: &[u8]) -> bool {
    has_traversal(path) || tables().set.is_match(path)
}

/// Why [`is_scanner_path`] flags `uri`: [`TRAVERSAL_REASON`] or the `why`
/// column of the first matching data row; `None` when not flagged.
/// Allocates a small match bitset on a match.
pub fn scanner_path_reason(uri: &[u8]) -> Option<&'static str> {
    let mut buf = Vec::new();
    normalize_path_into(uri, &mut buf);
    if has_traversal(&buf) {
        return Some(TRAVERSAL_REASON);
    }
    let t = tables();
    let first = t.set.matches(&buf).iter().next()?;
    t.whys.get(first).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(p: &str) -> bool {
        is_scanner_path(p.as_bytes())
    }

    #[test]
    fn data_file_is_well_formed() {
        let data_lines = DATA
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("kind\t"))
            .count();
        let rows = parse_rows(DATA);
        assert_eq!(rows.len(), data_lines, "a data line failed to parse");
        assert!(rows.len() >= 80);
        assert_eq!(tables().set.len(), rows.len());
        assert!(DATA.lines().any(|l| l == "kind\tpattern\twhy"));
        for r in &rows {
            assert!(r.pattern.starts_with('/'), "{}", r.pattern);
            assert!(!r.why.is_empty());
        }
    }

    #[test]
    fn probe_targets() {
        for p in [
            "/.env",
            "/api/.env",
            "/.env.production",
            "/.git/config",
            "/.git/HEAD",
            "/repo/.git",
            "/wp-login.php",
            "/blog/xmlrpc.php",
            "/wp-admin/install.php",
            "/phpMyAdmin/index.php",
            "/pma",
            "/actuator/env",
            "/actuator/heapdump",
            "/.aws/credentials",
            "/cgi-bin/luci",
            "/server-status",
            "/.DS_Store",
            "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
            "/solr/admin/info/system",
            "/HNAP1/",
            "/boaform/admin/formLogin",
            "/owa/auth/logon.aspx",
            "/.svn/entries",
            "/.htaccess",
            "/.htpasswd",
            "/web.config",
            "/console",
            "/jmx-console/HtmlAdaptor",
            "/manager/html",
            "/_ignition/execute-solution",
            "/telescope/requests",
            "/debug/default/view",
            "/WP-LOGIN.PHP",
        ] {
            assert!(hit(p), "{p}");
        }
    }

    #[test]
    fn traversal_in_any_encoding() {
        for p in [
            "/static/../../etc/hosts",
            "/%2e%2e%2f%2e%2e%2fetc/hosts",
            "/%252e%252e%252fetc/hosts",
            "/%25252e%25252e%25252fwindows",
            "/..%2f..%2fsecret",
            "/%2e%2e/secret",
            "/files/..\\..\\boot",
            "/files/..%5c..%5cboot",
            "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc",
            "/%c0%ae%c0%ae%c0%afetc",
            "/%e0%80%ae%e0%80%ae/x",
            "/%u002e%u002e%u002fwindows",
            "/a/..",
            "/x/%2e%2e",
        ] {
            assert!(hit(p), "{p}");
        }
        // Encoded probe targets are found after decoding too.
        assert!(hit("/%2eenv"));
        assert!(hit("/.%65nv"));
        assert!(hit("/%252egit/config"));
        assert!(hit("/.env%00.jpg"));
        assert!(hit("/cgi-bin/.%2e/.%2e/bin/sh"));
        // Four levels is beyond the three decoded: only "%2e" remains.
        assert!(!hit("/%2525252e%2525252e%2525252fsecret"));
    }

    #[test]
    fn benign_paths() {
        for p in [
            "/",
            "",
            "/index.html",
            "/assets/app.js",
            "/blog/how-to-configure-git",
            "/environment-policy",
            "/docs/environment-variables",
            "/api/v1/users",
            "/images/logo.png",
            "/.well-known/security.txt",
            "/.well-known/acme-challenge/abc123",
            "/robots.txt",
            "/favicon.ico",
            "/products/console-table",
            "/scripts/main.js",
            "/about/pma-award",
            "/files/report..pdf",
            "/gitlab-vs-github",
            "/config.json",
            "/%E2%82%AC/price",
        ] {
            assert!(!hit(p), "{p}");
        }
        // Invalid bytes do not panic.
        assert!(!is_scanner_path(&[0xff, 0xc0, 0xe0, 0xf0]));
        assert!(!is_scanner_path(b"%"));
        assert!(!is_scanner_path(b"%u00"));
        assert!(!is_scanner_path(b"%c0"));
    }

    #[test]
    fn normalisation_details() {
        let mut out = Vec::new();
        normalize_path_into(b"/%252e%252e%252f", &mut out);
        assert_eq!(out, b"/../");
        normalize_path_into(b"/%c0%ae%c0%af", &mut out);
        assert_eq!(out, b"/./");
        // A real 2-byte character (U+00E9, C3 A9) is not touched.
        normalize_path_into(b"/caf%C3%A9", &mut out);
        assert_eq!(out, "/café".as_bytes());
        // E0 A0 80 is U+0800, not overlong: kept.
        normalize_path_into(b"/%e0%a0%80", &mut out);
        assert_eq!(out, [b'/', 0xe0, 0xa0, 0x80]);
        // %u2215 is not ASCII: kept.
        normalize_path_into(b"/%u2215", &mut out);
        assert_eq!(out, b"/%u2215");
        // F0 80 80 AE: 4-byte overlong '.'.
        normalize_path_into(b"%f0%80%80%ae", &mut out);
        assert_eq!(out, b".");
    }

    #[test]
    fn reasons() {
        assert_eq!(scanner_path_reason(b"/%2e%2e/x"), Some(TRAVERSAL_REASON));
        assert!(scanner_path_reason(b"/.git/config")
            .unwrap()
            .contains("git"));
        assert_eq!(scanner_path_reason(b"/index.html"), None);
        let mut scratch = Vec::new();
        assert!(is_scanner_path_buf(b"/%2e%2e/x", &mut scratch));
        assert!(!is_scanner_path_buf(b"/index.html", &mut scratch));
    }
}
