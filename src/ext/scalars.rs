//! The hunting scalar functions: thin kernels that loop over DuckDB vectors and call the
//! pure-Rust primitives in `crate::hunt`. Each states what NULL input gives (`scalars()`);
//! string results go through one reused buffer per call, never a per-row allocation.

use std::cell::RefCell;

use libduckdb_sys as ffi;

use super::capi::{InVector, ListOut, LogicalType, OutVector};
use super::scalar::{register, Kernel, NullInput, Overload, Scalar};
use super::static_table::{self, Cell as StaticCell, ColumnType};
use crate::hunt::attack::{self, Request};
use crate::hunt::{crawler, edge, entropy, ip, scanner_path, url, user_agent, waf};

thread_local! {
    /// Scratch buffers reused by every kernel call on this thread.
    static SCRATCH: RefCell<(Vec<u8>, Vec<u8>)> = const { RefCell::new((Vec::new(), Vec::new())) };
    /// Normalised request parts and regex caches of the attack rules, reused on this thread.
    static ATTACK: RefCell<attack::Scratch> = RefCell::new(attack::Scratch::default());
}

fn text_to_double(args: &[InVector], rows: usize, out: &mut OutVector, f: fn(&[u8]) -> Option<f64>) {
    for row in 0..rows {
        out.set_opt(row, args[0].str(row).and_then(f));
    }
}

fn text_to_bool(args: &[InVector], rows: usize, out: &mut OutVector, f: fn(&[u8]) -> bool) {
    for row in 0..rows {
        out.set_opt(row, args[0].str(row).map(f));
    }
}

fn k_uri_entropy(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    text_to_double(a, n, o, |s| Some(entropy::shannon_entropy(s)));
    Ok(())
}
fn k_query_max_entropy(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    text_to_double(a, n, o, entropy::query_max_entropy);
    Ok(())
}
fn k_looks_random(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    text_to_bool(a, n, o, entropy::looks_random);
    Ok(())
}
fn k_is_scanner_path(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    attack::engine()?;
    ATTACK.with(|s| {
        let scratch = &mut *s.borrow_mut();
        for row in 0..n {
            o.set_opt(row, a[0].str(row).map(|u| scanner_path::is_scanner_path_buf(u, scratch)));
        }
    });
    Ok(())
}

/// `attack_types(value)` or `attack_types(stem, query, referer, user_agent)`: the families found,
/// sorted; `[]` when none or when every argument is NULL (never NULL).
fn k_attack_types(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    let engine = attack::engine()?;
    // SAFETY: DuckDB hands the kernel a LIST(VARCHAR) output vector with room for `n` rows.
    let mut list = unsafe { ListOut::new(o.vector) };
    ATTACK.with(|s| {
        let scratch = &mut *s.borrow_mut();
        let mut names: [&[u8]; attack::FAMILIES.len()] = [b""; attack::FAMILIES.len()];
        for row in 0..n {
            let req = match a {
                [value] => value.str(row).map(Request::from_logged_value).unwrap_or_default(),
                [stem, query, referer, agent] => Request::new(stem.str(row), query.str(row), referer.str(row), agent.str(row)),
                _ => return Err("attack_types takes 1 or 4 arguments".to_string()),
            };
            let mut k = 0;
            for name in engine.classify(&req, scratch).names() {
                names[k] = name.as_bytes();
                k += 1;
            }
            list.set_row(row, names[..k].iter().copied())?;
        }
        Ok(())
    })
}

/// `attack_explain(...)`: the reasons behind `attack_types(...)`, one line per matching rule.
fn k_attack_explain(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    let engine = attack::engine()?;
    // SAFETY: DuckDB hands the kernel a LIST(VARCHAR) output vector with room for `n` rows.
    let mut list = unsafe { ListOut::new(o.vector) };
    for row in 0..n {
        let req = match a {
            [value] => value.str(row).map(Request::from_logged_value).unwrap_or_default(),
            [stem, query, referer, agent] => Request::new(stem.str(row), query.str(row), referer.str(row), agent.str(row)),
            _ => return Err("attack_explain takes 1 or 4 arguments".to_string()),
        };
        let lines = engine.explain_lines(&req);
        list.set_row(row, lines.iter().map(|l| l.as_bytes()))?;
    }
    Ok(())
}
fn k_encoding_depth(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    SCRATCH.with(|s| {
        let scratch = &mut s.borrow_mut().0;
        for row in 0..n {
            o.set_opt(row, a[0].str(row).map(|v| url::encoding_depth_buf(v, scratch) as i32));
        }
    });
    Ok(())
}

/// `url_decode_cf(s [, levels])`: default two levels, like read_cloudfront's user agents.
fn k_url_decode(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    SCRATCH.with(|s| {
        let (decoded, valid) = &mut *s.borrow_mut();
        for row in 0..n {
            let levels = if a.len() > 1 { a[1].i32(row) } else { Some(2) };
            match (a[0].str(row), levels) {
                (Some(v), Some(l)) => {
                    url::url_decode_levels(v, l.clamp(0, url::MAX_ENCODING_DEPTH as i32) as u32, decoded);
                    url::to_valid_utf8_lossy_into(decoded, valid);
                    o.set_str(row, valid);
                }
                _ => o.set_null(row),
            }
        }
    });
    Ok(())
}

fn k_ua_category(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    // NULL user agent is the category 'empty', not NULL: a missing UA is itself a signal.
    for row in 0..n {
        o.set_str(row, user_agent::ua_category(a[0].str(row)).as_str().as_bytes());
    }
    Ok(())
}
fn k_is_bot(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    for row in 0..n {
        o.set(row, user_agent::is_bot(a[0].str(row)));
    }
    Ok(())
}

/// A result-type classifier of `crate::hunt::waf`: (result type, status, detailed type).
type Classifier = fn(Option<&[u8]>, Option<i32>, Option<&[u8]>) -> Option<bool>;

/// The result-type classifiers take 1 to 3 arguments: result type, status, detailed type.
fn classify(a: &[InVector], n: usize, o: &mut OutVector, f: Classifier) {
    for row in 0..n {
        let status = a.get(1).and_then(|v| v.i32(row));
        let detailed = a.get(2).and_then(|v| v.str(row));
        o.set_opt(row, f(a[0].str(row), status, detailed));
    }
}
fn k_is_waf_block(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    classify(a, n, o, waf::is_waf_block);
    Ok(())
}
fn k_is_rate_limited(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    classify(a, n, o, waf::is_rate_limited);
    Ok(())
}
fn k_is_origin_error(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    classify(a, n, o, waf::is_origin_error);
    Ok(())
}
fn k_is_cache_miss(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    for row in 0..n {
        o.set_opt(row, waf::is_cache_miss(a[0].str(row)));
    }
    Ok(())
}

fn k_ip_prefix(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    SCRATCH.with(|s| {
        let out = &mut s.borrow_mut().0;
        for row in 0..n {
            match (a[0].str(row), a[1].i32(row)) {
                (Some(addr), Some(bits)) if ip::ip_prefix(addr, bits as i64, out) => o.set_str(row, out),
                _ => o.set_null(row),
            }
        }
    });
    Ok(())
}

/// `crawler_verdict(c_ip, user_agent)`: 'verified' / 'spoofed', NULL when nothing is claimed.
fn k_crawler_verdict(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    for row in 0..n {
        match (a[0].str(row), a[1].str(row)) {
            (Some(addr), Some(ua)) => match crawler::crawler_verdict(addr, ua) {
                Some(v) => o.set_str(row, v.as_str().as_bytes()),
                None => o.set_null(row),
            },
            _ => o.set_null(row),
        }
    }
    Ok(())
}

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

const EDGE_FIELDS: [&str; 8] = ["code", "airport", "city", "country", "country_code", "region", "latitude", "longitude"];

fn edge_struct_type() -> LogicalType {
    LogicalType::structure(&EDGE_FIELDS.map(|f| (f, if f.ends_with("itude") { LogicalType::double() } else { LogicalType::varchar() })))
}

fn k_edge_location(a: &[InVector], n: usize, o: &mut OutVector) -> Result<(), String> {
    let mut children: Vec<OutVector> = (0..EDGE_FIELDS.len()).map(|i| o.struct_child(i)).collect();
    for row in 0..n {
        match a[0].str(row).and_then(edge::edge_location) {
            Some(e) => {
                for (child, text) in children.iter_mut().zip([e.code, e.airport, e.city, e.country, e.country_code, e.region]) {
                    child.set_str(row, text.as_bytes());
                }
                children[6].set(row, e.latitude);
                children[7].set(row, e.longitude);
            }
            None => {
                o.set_null(row);
                for child in children.iter_mut() {
                    child.set_null(row);
                }
            }
        }
    }
    Ok(())
}

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

/// Every hunting scalar, with the NULL contract its kernel implements (see `NullInput`: a
/// kernel that gives a value for some NULL argument must be `Answered`).
fn scalars() -> Vec<Scalar> {
    use NullInput::{Answered, GivesNull};
    let v = LogicalType::varchar;
    let one = |ret: fn() -> LogicalType, k: Kernel| vec![Overload::new(vec![v()], ret(), k)];
    // The result-type classifiers take 1 to 3 arguments and answer for a NULL status or
    // detailed type (older logs lack x-edge-detailed-result-type).
    let classifier = |k: Kernel| {
        vec![
            Overload::new(vec![v()], LogicalType::boolean(), k),
            Overload::new(vec![v(), LogicalType::integer()], LogicalType::boolean(), k),
            Overload::new(vec![v(), LogicalType::integer(), v()], LogicalType::boolean(), k),
        ]
    };
    let families = || LogicalType::list(&v());
    // One value (a URI or query), or stem, query, user agent and referer.
    let request_overloads = |k: Kernel| {
        vec![Overload::new(vec![v()], families(), k), Overload::new(vec![v(), v(), v(), v()], families(), k)]
    };
    let scalar = |name, null_input, overloads| Scalar { name, null_input, overloads };
    vec![
        scalar("uri_entropy", GivesNull, one(LogicalType::double, k_uri_entropy)),
        scalar("query_max_entropy", GivesNull, one(LogicalType::double, k_query_max_entropy)),
        scalar("looks_random", GivesNull, one(LogicalType::boolean, k_looks_random)),
        scalar("is_scanner_path", GivesNull, one(LogicalType::boolean, k_is_scanner_path)),
        scalar("encoding_depth", GivesNull, one(LogicalType::integer, k_encoding_depth)),
        // The request's parts may be NULL ('-' fields); the families of what is there.
        scalar("attack_types", Answered, request_overloads(k_attack_types)),
        scalar("attack_explain", Answered, request_overloads(k_attack_explain)),
        // A missing user agent is itself a signal: NULL is the category 'empty', a bot.
        scalar("ua_category", Answered, one(LogicalType::varchar, k_ua_category)),
        scalar("is_bot", Answered, one(LogicalType::boolean, k_is_bot)),
        scalar("is_cache_miss", GivesNull, one(LogicalType::boolean, k_is_cache_miss)),
        scalar(
            "url_decode_cf",
            GivesNull,
            vec![Overload::new(vec![v()], v(), k_url_decode), Overload::new(vec![v(), LogicalType::integer()], v(), k_url_decode)],
        ),
        scalar("is_waf_block", Answered, classifier(k_is_waf_block)),
        scalar("is_rate_limited", Answered, classifier(k_is_rate_limited)),
        scalar("is_origin_error", Answered, classifier(k_is_origin_error)),
        scalar("ip_prefix", GivesNull, vec![Overload::new(vec![v(), LogicalType::integer()], v(), k_ip_prefix)]),
        scalar("edge_location", GivesNull, vec![Overload::new(vec![v()], edge_struct_type(), k_edge_location)]),
        scalar("crawler_verdict", GivesNull, vec![Overload::new(vec![v(), v()], v(), k_crawler_verdict)]),
    ]
}

/// Registers every hunting scalar, `cloudfront_edge_locations()` and `cloudfront_crawler_ranges()`.
pub fn register_scalars(con: ffi::duckdb_connection) -> Result<(), String> {
    for s in scalars() {
        register(con, s)?;
    }
    static_table::register(
        con,
        "cloudfront_crawler_ranges",
        ["operator", "claims", "cidr", "source"].iter().map(|c| (*c, ColumnType::Text)).collect(),
        crawler_range_rows,
    )?;
    static_table::register(
        con,
        "cloudfront_edge_locations",
        EDGE_FIELDS.iter().map(|f| (*f, if f.ends_with("itude") { ColumnType::Double } else { ColumnType::Text })).collect(),
        edge_rows,
    )
}
