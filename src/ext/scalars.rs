//! The hunting scalar functions: one table ([`SCALARS`]) with every function's name, NULL
//! contract, overloads (named, typed parameters and kernel), description and example, from which
//! both registration and the documentation (`cloudfront_functions()`,
//! docs/function_descriptions.csv) come. The kernels are thin loops over DuckDB vectors around
//! the pure-Rust primitives of `crate::hunt`; string results go through one reused buffer per
//! call, never a per-row allocation.

use std::cell::RefCell;

use super::capi::{register_scalar, Connection, Error, InVector, NullInput, OutVector, Overload, Param, Scalar, Signature, Type};
use super::catalog::Table;
use super::static_table::{Cell as StaticCell, StaticTable};
use crate::hunt::attack::{self, Request};
use crate::hunt::{crawler, edge, entropy, ip, scanner_path, url, user_agent, waf};

thread_local! {
    /// Scratch buffers reused by every kernel call on this thread.
    static SCRATCH: RefCell<(Vec<u8>, Vec<u8>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    /// Normalised request parts and regex caches of the attack rules, reused on this thread.
    static ATTACK: RefCell<attack::Scratch> = RefCell::new(attack::Scratch::default());
}

/// Bytes the kernel produced as UTF-8 text (the primitives guarantee it; a failure is a bug).
fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("hunting primitives write valid UTF-8")
}

fn text_to_double(args: &[InVector<'_>], rows: usize, out: &mut OutVector<'_>, f: fn(&[u8]) -> Option<f64>) {
    for row in 0..rows {
        out.set_opt(row, args[0].str(row).and_then(f));
    }
}

fn text_to_bool(args: &[InVector<'_>], rows: usize, out: &mut OutVector<'_>, f: fn(&[u8]) -> bool) {
    for row in 0..rows {
        out.set_opt(row, args[0].str(row).map(f));
    }
}

fn k_uri_entropy(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    text_to_double(a, n, &mut o, |s| Some(entropy::shannon_entropy(s)));
    Ok(())
}

fn k_query_max_entropy(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    text_to_double(a, n, &mut o, entropy::query_max_entropy);
    Ok(())
}

fn k_looks_random(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    text_to_bool(a, n, &mut o, entropy::looks_random);
    Ok(())
}

fn attack_engine() -> Result<&'static attack::Engine, Error> {
    attack::engine().map_err(Error::Function)
}

fn k_is_scanner_path(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    attack_engine()?;
    ATTACK.with(|s| {
        let scratch = &mut *s.borrow_mut();
        for row in 0..n {
            o.set_opt(row, a[0].str(row).map(|u| scanner_path::is_scanner_path_buf(u, scratch)));
        }
    });
    Ok(())
}

/// The request of `row`: one logged value, or stem, query, referer and user agent.
fn request<'a>(a: &[InVector<'a>], row: usize) -> Request<'a> {
    match a {
        [value] => value.str(row).map(Request::from_logged_value).unwrap_or_default(),
        [stem, query, referer, agent] => Request::new(stem.str(row), query.str(row), referer.str(row), agent.str(row)),
        _ => unreachable!("registered with 1 or 4 arguments"),
    }
}

/// `attack_types(value)` or `attack_types(stem, query, referer, user_agent)`: the families found,
/// sorted; `[]` when none or when every argument is NULL (never NULL).
fn k_attack_types(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    let engine = attack_engine()?;
    let mut list = o.text_lists();
    ATTACK.with(|s| {
        let scratch = &mut *s.borrow_mut();
        let mut names = [""; attack::FAMILIES.len()];
        for row in 0..n {
            let mut k = 0;
            for name in engine.classify(&request(a, row), scratch).names() {
                names[k] = name;
                k += 1;
            }
            list.set_row(row, names[..k].iter().copied())?;
        }
        Ok(())
    })
}

/// `attack_explain(...)`: the reasons behind `attack_types(...)`, one line per matching rule.
fn k_attack_explain(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    let engine = attack_engine()?;
    let mut list = o.text_lists();
    for row in 0..n {
        let lines = engine.explain_lines(&request(a, row));
        list.set_row(row, lines.iter().map(|l| l.as_str()))?;
    }
    Ok(())
}

fn k_encoding_depth(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    SCRATCH.with(|s| {
        let scratch = &mut s.borrow_mut().0;
        for row in 0..n {
            o.set_opt(row, a[0].str(row).map(|v| url::encoding_depth_buf(v, scratch) as i32));
        }
    });
    Ok(())
}

/// `url_decode_cf(s [, levels])`: default two levels, like read_cloudfront's user agents.
fn k_url_decode(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    SCRATCH.with(|s| {
        let (decoded, valid) = &mut *s.borrow_mut();
        for row in 0..n {
            let levels = if a.len() > 1 { a[1].i32(row) } else { Some(2) };
            match (a[0].str(row), levels) {
                (Some(v), Some(l)) => {
                    url::url_decode_levels(v, l.clamp(0, url::MAX_ENCODING_DEPTH as i32) as u32, decoded);
                    url::to_valid_utf8_lossy_into(decoded, valid);
                    o.set_str(row, text(valid));
                }
                _ => o.set_null(row),
            }
        }
    });
    Ok(())
}

fn k_ua_category(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    // NULL user agent is the category 'empty', not NULL: a missing UA is itself a signal.
    for row in 0..n {
        o.set_str(row, user_agent::ua_category(a[0].str(row)).as_str());
    }
    Ok(())
}

fn k_is_bot(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    for row in 0..n {
        o.set(row, user_agent::is_bot(a[0].str(row)));
    }
    Ok(())
}

/// A result-type classifier of `crate::hunt::waf`: (result type, status, detailed type).
type Classifier = fn(Option<&[u8]>, Option<i32>, Option<&[u8]>) -> Option<bool>;

/// The result-type classifiers take 1 to 3 arguments: result type, status, detailed type.
fn classify(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>, f: Classifier) -> Result<(), Error> {
    for row in 0..n {
        let status = a.get(1).and_then(|v| v.i32(row));
        let detailed = a.get(2).and_then(|v| v.str(row));
        o.set_opt(row, f(a[0].str(row), status, detailed));
    }
    Ok(())
}

fn k_is_waf_block(a: &[InVector<'_>], n: usize, o: OutVector<'_>) -> Result<(), Error> {
    classify(a, n, o, waf::is_waf_block)
}

fn k_is_rate_limited(a: &[InVector<'_>], n: usize, o: OutVector<'_>) -> Result<(), Error> {
    classify(a, n, o, waf::is_rate_limited)
}

fn k_is_origin_error(a: &[InVector<'_>], n: usize, o: OutVector<'_>) -> Result<(), Error> {
    classify(a, n, o, waf::is_origin_error)
}

fn k_is_cache_miss(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    for row in 0..n {
        o.set_opt(row, waf::is_cache_miss(a[0].str(row)));
    }
    Ok(())
}

fn k_ip_prefix(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    SCRATCH.with(|s| {
        let out = &mut s.borrow_mut().0;
        for row in 0..n {
            match (a[0].str(row), a[1].i32(row)) {
                (Some(addr), Some(bits)) if ip::ip_prefix(addr, bits as i64, out) => o.set_str(row, text(out)),
                _ => o.set_null(row),
            }
        }
    });
    Ok(())
}

/// `crawler_verdict(c_ip, user_agent)`: 'verified' / 'spoofed', NULL when nothing is claimed.
fn k_crawler_verdict(a: &[InVector<'_>], n: usize, mut o: OutVector<'_>) -> Result<(), Error> {
    for row in 0..n {
        let verdict = match (a[0].str(row), a[1].str(row)) {
            (Some(addr), Some(ua)) => crawler::crawler_verdict(addr, ua),
            _ => None,
        };
        o.set_str_opt(row, verdict.map(|v| v.as_str()));
    }
    Ok(())
}

/// The members of `edge_location()`'s STRUCT and of `cloudfront_edge_locations()`.
const EDGE_FIELDS: &[(&str, Type)] = &[
    ("code", Type::Varchar),
    ("airport", Type::Varchar),
    ("city", Type::Varchar),
    ("country", Type::Varchar),
    ("country_code", Type::Varchar),
    ("region", Type::Varchar),
    ("latitude", Type::Double),
    ("longitude", Type::Double),
];

fn k_edge_location(a: &[InVector<'_>], n: usize, o: OutVector<'_>) -> Result<(), Error> {
    let mut out = o.into_struct();
    for row in 0..n {
        match a[0].str(row).and_then(edge::edge_location) {
            Some(e) => {
                for (i, value) in [e.code, e.airport, e.city, e.country, e.country_code, e.region].into_iter().enumerate() {
                    out.member(i).set_str(row, value);
                }
                out.member(6).set(row, e.latitude);
                out.member(7).set(row, e.longitude);
            }
            None => out.set_null(row),
        }
    }
    Ok(())
}

const V: Type = Type::Varchar;
const STATUS: Type = Type::Integer;

/// The parameters of the result-type classifiers (the 1- and 2-argument forms are prefixes).
const CLASSIFIER_PARAMS: &[Param] =
    &[Param::new("x_edge_result_type", V), Param::new("sc_status", STATUS), Param::new("x_edge_detailed_result_type", V)];

/// The overloads of a result-type classifier: 1 to 3 arguments.
macro_rules! classifier {
    ($k:expr) => {
        &[
            Overload { params: &[Param::new("x_edge_result_type", V)], returns: Type::Boolean, kernel: $k },
            Overload {
                params: &[Param::new("x_edge_result_type", V), Param::new("sc_status", STATUS)],
                returns: Type::Boolean,
                kernel: $k,
            },
            Overload { params: CLASSIFIER_PARAMS, returns: Type::Boolean, kernel: $k },
        ]
    };
}

/// A request, in the 4-argument form and the 1-argument one (a logged URL or value).
macro_rules! request_forms {
    ($k:expr) => {
        &[
            Overload {
                params: &[
                    Param::new("cs_uri_stem", V),
                    Param::new("cs_uri_query", V),
                    Param::new("cs_referer", V),
                    Param::new("cs_user_agent", V),
                ],
                returns: Type::List(&V),
                kernel: $k,
            },
            Overload { params: &[Param::new("logged_url", V)], returns: Type::List(&V), kernel: $k },
        ]
    };
}

/// One VARCHAR parameter.
macro_rules! one {
    ($name:literal, $returns:expr, $k:expr) => {
        &[Overload { params: &[Param::new($name, V)], returns: $returns, kernel: $k }]
    };
}

use NullInput::{Answered, GivesNull};

/// Every hunting scalar. `null_input` is the NULL contract the kernel implements (see
/// `NullInput`: a kernel that gives a value for some NULL argument must be `Answered`).
pub const SCALARS: &[Scalar] = &[
    Scalar {
        name: "uri_entropy",
        null_input: GivesNull,
        overloads: one!("s", Type::Double, k_uri_entropy),
        description: "Shannon entropy of s in bits per byte; 0 for ''.",
        example: "SELECT uri_entropy('aab')  -- 0.918",
    },
    Scalar {
        name: "query_max_entropy",
        null_input: GivesNull,
        overloads: one!("query", Type::Double, k_query_max_entropy),
        description: "The highest entropy among a query string's parameter values (cache-buster detection).",
        example: "SELECT query_max_entropy('utm_source=newsletter&v=8f3kq9x2m1')",
    },
    Scalar {
        name: "looks_random",
        null_input: GivesNull,
        overloads: one!("s", Type::Boolean, k_looks_random),
        description: "Heuristic: does s look machine-generated (random token, cache-buster, hash) rather than a word or slug?",
        example: "SELECT looks_random('8f3kq9x2m1z7'), looks_random('summer-sale-2024')",
    },
    Scalar {
        name: "is_scanner_path",
        null_input: GivesNull,
        overloads: one!("uri", Type::Boolean, k_is_scanner_path),
        description: "Is the URI a well-known probe target (/.env, /.git/config, /wp-login.php, ...) or a path traversal in any encoding?",
        example: "SELECT is_scanner_path('/.env')",
    },
    Scalar {
        name: "encoding_depth",
        null_input: GivesNull,
        overloads: one!("s", Type::Integer, k_encoding_depth),
        description: "How many times s is percent-encoded (%2527 -> 2): a WAF-bypass signal.",
        example: "SELECT encoding_depth('%2527')",
    },
    // The request's parts may be NULL ('-' fields); the families of what is there.
    Scalar {
        name: "attack_types",
        null_input: Answered,
        overloads: request_forms!(k_attack_types),
        description: "Attack families in a request as read_cloudfront returns it, sorted: cmd_injection, crlf_injection, jndi, known_exploit, path_traversal, rfi, sensitive_file, sqli, ssrf, ssti, webshell, xss; [] when none or all NULL. The one-argument form takes a logged path (optionally ?query) or a logged query.",
        example: "SELECT attack_types('/index.php', 'id=1%2527+or+%25271%2527%253D%25271', NULL, NULL)",
    },
    Scalar {
        name: "attack_explain",
        null_input: Answered,
        overloads: request_forms!(k_attack_explain),
        description: "Why attack_types gives its families: one line per matching rule, 'family: why [part, data/attack_rules/file.tsv:line]' (probe rules included). For looking at a few rows.",
        example: "SELECT unnest(attack_explain('/scripts/..%255c..%255cwinnt/system32/cmd.exe'))",
    },
    // A missing user agent is itself a signal: NULL is the category 'empty', a bot.
    Scalar {
        name: "ua_category",
        null_input: Answered,
        overloads: one!("user_agent", V, k_ua_category),
        description: "browser, crawler, scanner, library, empty (NULL, '' or '-') or other, from our own pattern list.",
        example: "SELECT ua_category('sqlmap/1.8')",
    },
    Scalar {
        name: "is_bot",
        null_input: Answered,
        overloads: one!("user_agent", Type::Boolean, k_is_bot),
        description: "Is the user agent a crawler, scanner, library or empty?",
        example: "SELECT is_bot('curl/8.5.0')",
    },
    Scalar {
        name: "is_cache_miss",
        null_input: GivesNull,
        overloads: one!("x_edge_result_type", Type::Boolean, k_is_cache_miss),
        description: "Was the request a cache miss (Miss; RefreshHit counts as a hit)?",
        example: "SELECT is_cache_miss('Miss')",
    },
    Scalar {
        name: "url_decode_cf",
        null_input: GivesNull,
        overloads: &[
            Overload { params: &[Param::new("s", V)], returns: V, kernel: k_url_decode },
            Overload { params: &[Param::new("s", V), Param::optional("levels", Type::Integer, "2")], returns: V, kernel: k_url_decode },
        ],
        description: "CloudFront-aware %XX decoding up to `levels` times; '+' stays '+'; invalid UTF-8 becomes U+FFFD.",
        example: "SELECT url_decode_cf('Mozilla/5.0%2520(X11)')",
    },
    // The result-type classifiers answer for a NULL status or detailed type (older logs lack
    // x-edge-detailed-result-type).
    Scalar {
        name: "is_waf_block",
        null_input: Answered,
        overloads: classifier!(k_is_waf_block),
        description: "Does the response look like a WAF or CloudFront refusal (Error+403, LimitExceeded, InvalidRequestBlocked, ClientGeoBlocked)?",
        example: "SELECT is_waf_block('Error', 403, 'InvalidRequestBlocked')",
    },
    Scalar {
        name: "is_rate_limited",
        null_input: Answered,
        overloads: classifier!(k_is_rate_limited),
        description: "LimitExceeded/CapacityExceeded, throttled functions, or status 429.",
        example: "SELECT is_rate_limited('LimitExceeded')",
    },
    Scalar {
        name: "is_origin_error",
        null_input: Answered,
        overloads: classifier!(k_is_origin_error),
        description: "Did the origin fail (Origin*Error detailed types, Error with 502/504)?",
        example: "SELECT is_origin_error('Error', 502, 'OriginConnectError')",
    },
    Scalar {
        name: "ip_prefix",
        null_input: GivesNull,
        overloads: &[Overload { params: &[Param::new("ip", V), Param::new("bits", Type::Integer)], returns: V, kernel: k_ip_prefix }],
        description: "The network of an IPv4 or IPv6 address in CIDR form; NULL for non-IPs or out-of-range bits.",
        example: "SELECT ip_prefix('203.0.113.77', 24)",
    },
    Scalar {
        name: "edge_location",
        null_input: GivesNull,
        overloads: &[Overload { params: &[Param::new("x_edge_location", V)], returns: Type::Struct(EDGE_FIELDS), kernel: k_edge_location }],
        description: "The edge location's airport, city, country and coordinates from its IATA-like code (IAD89-C1 -> IAD).",
        example: "SELECT edge_location('FRA56-P1').city",
    },
    Scalar {
        name: "crawler_verdict",
        null_input: GivesNull,
        overloads: &[Overload { params: &[Param::new("c_ip", V), Param::new("user_agent", V)], returns: V, kernel: k_crawler_verdict }],
        description: "'verified' when the user agent claims Googlebot, bingbot or Applebot and the address is in that operator's published ranges, 'spoofed' when it is not; NULL when nothing verifiable is claimed.",
        example: "SELECT crawler_verdict('66.249.66.1', 'Mozilla/5.0 (compatible; Googlebot/2.1)')",
    },
];

/// `cloudfront_crawler_ranges()`: the ranges `crawler_verdict` checks.
pub const CRAWLER_RANGES: Table = Table {
    signature: Signature { name: "cloudfront_crawler_ranges", parameters: &[], named: &[] },
    columns: Some(&[("operator", V), ("claims", V), ("cidr", V), ("source", V)]),
    description:
        "The published crawler address ranges crawler_verdict checks: operator, claims (user-agent tokens), cidr, source (file and date).",
    example: "FROM cloudfront_crawler_ranges() WHERE operator = 'google'",
};

fn crawler_range_rows() -> Vec<Vec<StaticCell>> {
    let sources = crawler::sources();
    let tokens = crawler::claim_tokens();
    crawler::all_ranges()
        .iter()
        .map(|r| {
            let claims: Vec<&str> = tokens.iter().filter(|(_, op)| *op == r.operator).map(|(t, _)| *t).collect();
            let source = sources.iter().find(|(op, _)| *op == r.operator).map(|(_, s)| *s).unwrap_or("");
            [r.operator, &claims.join(","), r.cidr, source].iter().map(|s| StaticCell::Text(s.to_string())).collect()
        })
        .collect()
}

/// `cloudfront_edge_locations()`: the embedded edge-location table.
pub const EDGE_LOCATIONS: Table = Table {
    signature: Signature { name: "cloudfront_edge_locations", parameters: &[], named: &[] },
    columns: Some(EDGE_FIELDS),
    description: "The embedded table of CloudFront edge-location airport codes with city, country, region and coordinates.",
    example: "FROM cloudfront_edge_locations() WHERE country_code = 'DE'",
};

fn edge_rows() -> Vec<Vec<StaticCell>> {
    edge::all_edge_locations()
        .iter()
        .map(|e| {
            let mut row: Vec<StaticCell> =
                [e.code, e.airport, e.city, e.country, e.country_code, e.region].iter().map(|s| StaticCell::Text(s.to_string())).collect();
            row.push(StaticCell::Double(e.latitude));
            row.push(StaticCell::Double(e.longitude));
            row
        })
        .collect()
}

/// Registers every scalar of [`SCALARS`], `cloudfront_edge_locations()` and
/// `cloudfront_crawler_ranges()`.
pub fn register_scalars(con: &Connection) -> Result<(), Error> {
    for s in SCALARS {
        register_scalar(con, s)?;
    }
    StaticTable::new(&CRAWLER_RANGES, crawler_range_rows).register(con)?;
    StaticTable::new(&EDGE_LOCATIONS, edge_rows).register(con)
}
