//! Requests for well-known probe targets and path traversal.
//!
//! Why: most hostile traffic in CDN logs is automated probing for exposed secrets (`/.env`,
//! `/.git/config`), admin consoles and known-vulnerable endpoints, plus `../` traversal hidden
//! under layers of encoding.
//!
//! One list, not two: a path is a scanner's path when it matches a rule of the `probe` family
//! (recon-only targets: admin consoles, login pages) or of the attack families that live in the
//! path (`sensitive_file`, `known_exploit`, `webshell`, `path_traversal`) in
//! `data/attack_rules/`, with the normalisation of [`crate::hunt::attack`]: CloudFront's escaping
//! undone once, then up to three rounds of the client's `%XX` / `%uXXXX`, overlong UTF-8, `\` as
//! `/`, NUL removed, ASCII case folded. Traversal means dot segments that climb above the root
//! or that only appear after decoding; `/blog/2019/../` inside the site does not count.

use super::attack::{self, Part, Request, Scratch};

/// Reason reported by [`scanner_path_reason`] for traversal found by the dot-segment check.
pub const TRAVERSAL_REASON: &str = "path traversal (dot segments above the root, or encoded ../)";

fn engine() -> &'static attack::Engine {
    attack::engine().unwrap_or_else(|e| panic!("{e}"))
}

/// Normalise a logged path for matching (see [`attack::normalize_into`]) into `out`.
pub fn normalize_path_into(uri: &[u8], out: &mut Vec<u8>) {
    attack::normalize_into(uri, Part::LoggedPath, out);
}

/// Whether `uri` (a `cs-uri-stem` as logged) requests a well-known probe target or attacks the
/// path itself (see the module doc). Uses a per-thread scratch.
///
/// Sites that really run one of the listed products (WordPress admins logging in at
/// `/wp-login.php`) will see their own traffic flagged.
pub fn is_scanner_path(uri: &[u8]) -> bool {
    use std::cell::RefCell;
    thread_local! {
        static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    }
    SCRATCH.with(|s| match s.try_borrow_mut() {
        Ok(mut s) => is_scanner_path_buf(uri, &mut s),
        Err(_) => is_scanner_path_buf(uri, &mut Scratch::default()),
    })
}

/// [`is_scanner_path`] with an explicit scratch.
pub fn is_scanner_path_buf(uri: &[u8], scratch: &mut Scratch) -> bool {
    engine().classify(&Request::new(Some(uri), None, None, None), scratch).is_scanner_path()
}

/// Why [`is_scanner_path`] flags `uri`: [`TRAVERSAL_REASON`] or the `why` column of the first
/// matching rule; `None` when not flagged. Allocates.
pub fn scanner_path_reason(uri: &[u8]) -> Option<&'static str> {
    let e = engine();
    let req = Request::new(Some(uri), None, None, None);
    let (rules, traversal) = e.explain(&req);
    if traversal {
        return Some(TRAVERSAL_REASON);
    }
    rules.into_iter().map(|(_, r)| r).find(|r| r.counts_for_scanner_path()).map(|r| r.why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(p: &str) -> bool {
        is_scanner_path(p.as_bytes())
    }

    #[test]
    fn every_rule_file_feeds_the_list() {
        let e = engine();
        for family in ["probe", "sensitive_file", "known_exploit", "webshell", "path_traversal"] {
            assert!(e.rules().iter().any(|r| r.family == family && r.counts_for_scanner_path()), "{family}");
        }
        assert!(!e.rules().iter().any(|r| r.family == "sqli" && r.counts_for_scanner_path()));
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
            "/x/%2e%2e",
            "/a/b/..;/..;/..;/etc",
        ] {
            assert!(hit(p), "{p}");
        }
        // Encoded probe targets are found after decoding too.
        assert!(hit("/%2eenv"));
        assert!(hit("/.%65nv"));
        assert!(hit("/%252egit/config"));
        assert!(hit("/.env%00.jpg"));
        assert!(hit("/cgi-bin/.%2e/.%2e/bin/sh"));
        // CloudFront's layer plus three of the client's: four levels decode, five do not.
        assert!(hit("/%2525252e%2525252e%2525252fsecret"));
        assert!(!hit("/%252525252e%252525252e%252525252fsecret"));
        // Dot segments a crawler did not resolve, inside the site: not traversal.
        assert!(!hit("/blog/2019/../about"));
        assert!(!hit("/a/.."));
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
        // %u2215 (division slash) is IIS's best-fit "/"; other non-ASCII %u escapes are kept.
        normalize_path_into(b"/%u2215", &mut out);
        assert_eq!(out, b"//");
        normalize_path_into(b"/%u20AC", &mut out);
        assert_eq!(out, b"/%u20ac");
        // F0 80 80 AE: 4-byte overlong '.'.
        normalize_path_into(b"%f0%80%80%ae", &mut out);
        assert_eq!(out, b".");
    }

    #[test]
    fn reasons() {
        assert_eq!(scanner_path_reason(b"/%2e%2e/x"), Some(TRAVERSAL_REASON));
        assert!(scanner_path_reason(b"/.git/config").unwrap().contains("git"));
        assert_eq!(scanner_path_reason(b"/index.html"), None);
        let mut scratch = Scratch::default();
        assert!(is_scanner_path_buf(b"/%2e%2e/x", &mut scratch));
        assert!(!is_scanner_path_buf(b"/index.html", &mut scratch));
    }
}
