//! The hunting scalar functions: thin kernels that loop over DuckDB vectors and call the
//! pure-Rust primitives in `crate::hunt`. NULL in gives NULL out unless a function says
//! otherwise; string results go through one reused buffer per call, never a per-row allocation.

use std::cell::RefCell;

use libduckdb_sys as ffi;

use super::capi::{InVector, ListOut, LogicalType, OutVector};
use super::scalar::{register, Kernel, Overload};
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

/// Registers every hunting scalar, `cloudfront_edge_locations()` and `cloudfront_crawler_ranges()`.
pub fn register_scalars(con: ffi::duckdb_connection) -> Result<(), String> {
    let v = LogicalType::varchar;
    let one = |ret: fn() -> LogicalType, k: Kernel| vec![Overload::new(vec![v()], ret(), k)];
    register(con, "uri_entropy", one(LogicalType::double, k_uri_entropy))?;
    register(con, "query_max_entropy", one(LogicalType::double, k_query_max_entropy))?;
    register(con, "looks_random", one(LogicalType::boolean, k_looks_random))?;
    register(con, "is_scanner_path", one(LogicalType::boolean, k_is_scanner_path))?;
    register(con, "encoding_depth", one(LogicalType::integer, k_encoding_depth))?;
    let families = || LogicalType::list(&v());
    register(
        con,
        "attack_types",
        vec![
            Overload::new(vec![v()], families(), k_attack_types).null_aware(),
            Overload::new(vec![v(), v(), v(), v()], families(), k_attack_types).null_aware(),
        ],
    )?;
    register(
        con,
        "attack_explain",
        vec![
            Overload::new(vec![v()], families(), k_attack_explain).null_aware(),
            Overload::new(vec![v(), v(), v(), v()], families(), k_attack_explain).null_aware(),
        ],
    )?;
    register(con, "ua_category", vec![Overload::new(vec![v()], v(), k_ua_category).null_aware()])?;
    register(con, "is_bot", vec![Overload::new(vec![v()], LogicalType::boolean(), k_is_bot).null_aware()])?;
    register(con, "is_cache_miss", one(LogicalType::boolean, k_is_cache_miss))?;
    register(
        con,
        "url_decode_cf",
        vec![
            Overload::new(vec![v()], v(), k_url_decode),
            Overload::new(vec![v(), LogicalType::integer()], v(), k_url_decode),
        ],
    )?;
    let classifier = |k: Kernel| {
        vec![
            Overload::new(vec![v()], LogicalType::boolean(), k),
            Overload::new(vec![v(), LogicalType::integer()], LogicalType::boolean(), k),
            Overload::new(vec![v(), LogicalType::integer(), v()], LogicalType::boolean(), k),
        ]
    };
    register(con, "is_waf_block", classifier(k_is_waf_block))?;
    register(con, "is_rate_limited", classifier(k_is_rate_limited))?;
    register(con, "is_origin_error", classifier(k_is_origin_error))?;
    register(con, "ip_prefix", vec![Overload::new(vec![v(), LogicalType::integer()], v(), k_ip_prefix)])?;
    register(con, "edge_location", vec![Overload::new(vec![v()], edge_struct_type(), k_edge_location)])?;
    register(con, "crawler_verdict", vec![Overload::new(vec![v(), v()], v(), k_crawler_verdict)])?;
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
