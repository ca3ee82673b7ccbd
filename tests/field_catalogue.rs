//! The field catalogue (`format::fields`) is the one list of CloudFront fields; the places that
//! must spell it out in another language are checked against it here, so that adding or
//! retyping a field fails these tests until every copy agrees:
//!
//! - `sql/read_cloudfront_parquet.sql`: its output columns, their casts, the raw-name aliases it
//!   coalesces and the empty row set that declares every alias;
//! - the test fixture scripts (`test/data/**/*.py`): their list of the 33 standard fields.
//!
//! (cfgen writes its header from `STANDARD_33_FIELDS` itself.)

use std::path::Path;

use cloudfront::format::fields::{lookup, Family, Kind, CATALOGUE, DATE, STANDARD_33_FIELDS, TIME, TIMESTAMP};

fn repo_file(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

/// The core columns: what read_cloudfront always returns, in order.
fn core_columns() -> Vec<(usize, &'static str, Kind)> {
    CATALOGUE.iter().enumerate().filter(|(_, f)| f.core).map(|(i, f)| (i, f.name, f.kind)).collect()
}

/// The double-quoted identifiers of a SQL line, in order.
fn quoted(line: &str) -> Vec<&str> {
    line.split('"').skip(1).step_by(2).collect()
}

/// Aliases the Parquet macro accepts that are no CloudFront field name: Athena's older
/// spelling of the referer column, and the v2 epoch fields the timestamp is made from.
const PARQUET_EXTRA_ALIASES: &[&str] = &["cs_referrer", "timestamp(ms)", "timestamp_ms", "timestamp"];

#[test]
fn parquet_macro_has_the_core_columns_in_order_with_their_types() {
    let sql = repo_file("sql/read_cloudfront_parquet.sql");
    let select = sql.split("SELECT _cf_ts AS timestamp,").nth(1).expect("the final SELECT");
    let select = select.split("FROM _cf_ts ts;").next().unwrap();
    let lines: Vec<&str> = select.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let names: Vec<&str> =
        std::iter::once("timestamp").chain(lines.iter().map(|l| l.trim_end_matches(',').rsplit(" AS ").next().unwrap().trim())).collect();
    let want: Vec<&str> = core_columns().iter().map(|(_, n, _)| *n).collect();
    assert_eq!(names, want, "read_cloudfront_parquet's columns are not read_cloudfront's core columns");

    let declared: Vec<&str> =
        sql.split("_cf_ts AS (").next().unwrap().lines().filter(|l| l.contains("NULL::VARCHAR AS")).flat_map(quoted).collect();
    for (line, (index, name, kind)) in lines.iter().zip(core_columns().into_iter().skip(1)) {
        // The cast (or decoding) the column's kind needs.
        let expected = match kind {
            Kind::Int64 => "AS BIGINT)",
            Kind::Int32 => "AS INTEGER)",
            Kind::Double => "AS DOUBLE)",
            Kind::DecodedText => "url_decode_cf(",
            Kind::Date => "AS DATE)",
            Kind::Time => "AS TIME)",
            Kind::Text | Kind::Timestamp => "",
        };
        assert!(line.contains(expected), "{name} ({kind:?}) lacks {expected}: {line}");
        if kind == Kind::Text {
            assert!(!line.contains("try_cast") && !line.contains("url_decode_cf"), "{name} is text: {line}");
        }
        if index == DATE || index == TIME {
            continue; // derived from the timestamp when absent
        }
        // Every alias is a spelling of this field (or a documented extra), and is declared in
        // the empty row set so that a file lacking it is no binder error.
        let aliases = quoted(line);
        assert_eq!(aliases.first(), Some(&name), "{name}: the underscore spelling comes first: {line}");
        assert!(aliases.len() >= 2, "{name} has no raw W3C alias: {line}");
        for alias in &aliases {
            let known = lookup(alias, Family::Standard) == Some(index);
            assert!(known || PARQUET_EXTRA_ALIASES.contains(alias), "{name}: alias \"{alias}\" is not this field");
            assert!(declared.contains(alias), "{name}: alias \"{alias}\" is not declared in _cf_raw");
        }
    }
    // The header comment counts them too.
    assert!(sql.contains(&format!("Output: the {} canonical columns", want.len())));
    assert_eq!(lookup("timestamp", Family::Standard), Some(TIMESTAMP));
}

/// The tokens of the string literals of `NAME = ( "..." "..." ).split()` in a Python script.
fn python_split_list(script: &str, name: &str) -> Vec<String> {
    let start = script.find(&format!("\n{name} = (")).unwrap_or_else(|| panic!("no {name} = ( ... ).split()"));
    let rest = &script[start..];
    let body = &rest[..rest.find(").split()").expect("the list ends with ).split()")];
    quoted(body).join(" ").split_whitespace().map(str::to_string).collect()
}

#[test]
fn fixture_scripts_list_the_33_standard_fields() {
    for (script, name) in [
        ("test/data/make_fixtures.py", "FIELDS_33"),
        ("test/data/hostile/make_hostile.py", "FIELDS_33"),
        ("test/data/playbook/make_playbook_fixtures.py", "FIELDS"),
    ] {
        let got = python_split_list(&repo_file(script), name);
        assert_eq!(got, STANDARD_33_FIELDS, "{script}'s {name} differs from format::fields::STANDARD_33_FIELDS");
    }
}
