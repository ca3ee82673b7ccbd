//! Classification of CloudFront result types: blocked, rate limited, origin
//! failure, cache miss.
//!
//! Why: whether a request was refused at the edge (AWS WAF, geo
//! restriction, quotas) or failed at the origin is spread over three log
//! fields (`x-edge-result-type`, `sc-status`, `x-edge-detailed-result-type`)
//! whose combinations are easy to get wrong in ad-hoc SQL.
//!
//! Values, from AWS's "Standard logging reference" / "Log file fields"
//! (<https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html>,
//! earlier `AccessLogs.html#BasicDistributionFileFormat`, checked against
//! the `awsdocs/amazon-cloudfront-developer-guide` source):
//!
//! * `x-edge-result-type`: Hit, RefreshHit, OriginShieldHit, Miss,
//!   LimitExceeded, CapacityExceeded, Error, Redirect. Also seen in real
//!   logs but not in that text: FunctionGeneratedResponse (a CloudFront
//!   Function answered), LambdaGeneratedResponse, MissGeneratedResponse.
//! * `x-edge-detailed-result-type`: same as the result type unless that is
//!   `Error`; then one of AbortedOrigin, ClientCommError, ClientGeoBlocked,
//!   ClientHungUpRequest, Error, InvalidRequest, InvalidRequestBlocked,
//!   InvalidRequestCertificate, InvalidRequestHeader, InvalidRequestMethod,
//!   OriginConnectError, OriginContentRangeLengthError, OriginDnsError,
//!   OriginError, OriginHeaderTooBigError, OriginInvalidResponseError,
//!   OriginReadError, OriginWriteError, OriginZeroSizeObjectError,
//!   SlowReaderOriginError. OriginCommError and the edge-function errors
//!   (FunctionExecutionError, FunctionThrottledError, LambdaExecutionError,
//!   LambdaValidationError, LambdaLimitExceededError,
//!   LambdaResponseTooBigError) are seen in practice and third-party
//!   parsers but were not found in AWS's text.
//!
//! Conventions for all functions: values compare ASCII-case-insensitively;
//! a NULL, empty or `-` (CloudFront's "no value") result type gives `None`;
//! an empty or `-` detailed type is treated like NULL; `sc-status` `000`
//! (viewer left before the response) is status 0.

/// Normalise a log value: `None`, empty and `-` all mean "no value".
fn present(v: Option<&[u8]>) -> Option<&[u8]> {
    match v {
        Some(b) if !b.is_empty() && b != b"-" => Some(b),
        _ => None,
    }
}

fn is(v: &[u8], name: &str) -> bool {
    v.eq_ignore_ascii_case(name.as_bytes())
}

fn is_any(v: Option<&[u8]>, names: &[&str]) -> bool {
    v.is_some_and(|v| names.iter().any(|n| is(v, n)))
}

fn starts_with_ci(v: &[u8], prefix: &str) -> bool {
    v.get(..prefix.len()).is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn ends_with_ci(v: &[u8], suffix: &str) -> bool {
    v.len() >= suffix.len() && v.get(v.len() - suffix.len()..).is_some_and(|p| p.eq_ignore_ascii_case(suffix.as_bytes()))
}

/// Detailed types that name an origin-side failure: every `Origin*Error`
/// (OriginCommError, OriginConnectError, OriginDnsError, OriginError, ...),
/// plus AbortedOrigin and SlowReaderOriginError.
pub fn is_origin_detail(detailed: &[u8]) -> bool {
    (starts_with_ci(detailed, "Origin") && ends_with_ci(detailed, "Error"))
        || is(detailed, "AbortedOrigin")
        || is(detailed, "SlowReaderOriginError")
}

/// Detailed types of a failing CloudFront Function or Lambda@Edge function.
fn is_edge_function_error(detailed: &[u8]) -> bool {
    (starts_with_ci(detailed, "Function") || starts_with_ci(detailed, "Lambda")) && ends_with_ci(detailed, "Error")
}

/// Does the response look like a refusal by AWS WAF or CloudFront itself?
///
/// AWS WAF's default block action is a CloudFront `Error` with status 403
/// and a non-specific detailed type, so that is what is matched; an origin
/// that answers 403 itself on a cache miss (e.g. S3 AccessDenied) can look
/// the same in the log, which no field disambiguates. WAF custom responses
/// with other status codes are not recognised (see [`is_rate_limited`] for
/// 429).
///
/// Truth table, first matching row wins (`*` = anything, NULL includes
/// empty and `-`):
///
/// | # | result type                                   | status | detailed                                   | result |
/// |---|-----------------------------------------------|--------|--------------------------------------------|--------|
/// | 1 | NULL                                          | *      | *                                          | NULL   |
/// | 2 | *                                             | *      | InvalidRequestBlocked, ClientGeoBlocked    | true   |
/// | 3 | LimitExceeded                                 | *      | *                                          | true   |
/// | 4 | Error                                         | 403    | NULL or Error                              | true   |
/// | 5 | Error                                         | 403    | anything else (Origin*, Client*, Invalid*) | false  |
/// | 6 | Error                                         | NULL   | NULL or Error                              | NULL   |
/// | 7 | FunctionGeneratedResponse, LambdaGeneratedResponse | 403 | *                                     | true   |
/// | 8 | anything else                                 | *      | *                                          | false  |
///
/// Row 5: a specific detailed type names the real cause — an origin's own
/// 403 (`OriginError`), a viewer that hung up, or a malformed request
/// rejected by protocol handling (`InvalidRequestMethod`) — none of which
/// is a policy block. Row 7: an edge function that answers 403 is
/// access control at the edge; the request never reached the origin.
pub fn is_waf_block(result_type: Option<&[u8]>, status: Option<i32>, detailed: Option<&[u8]>) -> Option<bool> {
    let rt = present(result_type)?;
    let detailed = present(detailed);
    if is_any(detailed, &["InvalidRequestBlocked", "ClientGeoBlocked"]) {
        return Some(true);
    }
    if is(rt, "LimitExceeded") {
        return Some(true);
    }
    if is(rt, "Error") {
        let generic = detailed.is_none_or(|d| is(d, "Error"));
        return match status {
            Some(403) => Some(generic),
            None if generic => None,
            _ => Some(false),
        };
    }
    if (is(rt, "FunctionGeneratedResponse") || is(rt, "LambdaGeneratedResponse")) && status == Some(403) {
        return Some(true);
    }
    Some(false)
}

/// Was the request refused or throttled because of request volume?
///
/// | # | result type                              | status | detailed                                                   | result |
/// |---|------------------------------------------|--------|------------------------------------------------------------|--------|
/// | 1 | NULL                                     | *      | *                                                          | NULL   |
/// | 2 | LimitExceeded, CapacityExceeded          | *      | *                                                          | true   |
/// | 3 | *                                        | *      | LimitExceeded, CapacityExceeded, FunctionThrottledError, LambdaLimitExceededError | true |
/// | 4 | *                                        | 429    | *                                                          | true   |
/// | 5 | anything else                            | *      | *                                                          | false  |
///
/// LimitExceeded is a CloudFront quota, CapacityExceeded an edge out of
/// capacity (503); 429 is Too Many Requests from WAF (rate-based rule with a
/// custom response) or from the origin; the two function errors are edge
/// functions throttled by volume.
pub fn is_rate_limited(result_type: Option<&[u8]>, status: Option<i32>, detailed: Option<&[u8]>) -> Option<bool> {
    let rt = present(result_type)?;
    let detailed = present(detailed);
    Some(
        is(rt, "LimitExceeded")
            || is(rt, "CapacityExceeded")
            || is_any(detailed, &["LimitExceeded", "CapacityExceeded", "FunctionThrottledError", "LambdaLimitExceededError"])
            || status == Some(429),
    )
}

/// Did the request fail because of the origin?
///
/// | # | result type | status   | detailed                                                 | result |
/// |---|-------------|----------|----------------------------------------------------------|--------|
/// | 1 | NULL        | *        | *                                                        | NULL   |
/// | 2 | *           | *        | Origin*Error, AbortedOrigin, SlowReaderOriginError       | true   |
/// | 3 | *           | *        | Function*Error, Lambda*Error (edge function failed)      | false  |
/// | 4 | Error       | 502, 504 | *                                                        | true   |
/// | 5 | anything else | *      | *                                                        | false  |
///
/// 502 (Bad Gateway) and 504 (Gateway Timeout) are what CloudFront returns
/// when it cannot get a usable response from the origin; row 3 comes first
/// because a failing Lambda@Edge function also yields 502/503. A 500 or 503
/// passed through from the origin with a generic detailed type is not
/// counted: it cannot be told apart from CloudFront's own 503s.
pub fn is_origin_error(result_type: Option<&[u8]>, status: Option<i32>, detailed: Option<&[u8]>) -> Option<bool> {
    let rt = present(result_type)?;
    if let Some(d) = present(detailed) {
        if is_origin_detail(d) {
            return Some(true);
        }
        if is_edge_function_error(d) {
            return Some(false);
        }
    }
    Some(is(rt, "Error") && matches!(status, Some(502) | Some(504)))
}

/// Was the request a cache miss?
///
/// | result type                      | result |
/// |----------------------------------|--------|
/// | NULL, empty, `-`                 | NULL   |
/// | Miss                             | true   |
/// | Hit, RefreshHit, OriginShieldHit | false  |
/// | anything else                    | false  |
///
/// RefreshHit is a hit: the object was in cache and only revalidated with
/// the origin (a conditional request, usually a 304), which is not what a
/// cache-busting attack produces. Error, Redirect, LimitExceeded,
/// CapacityExceeded and function-generated responses never used the cache
/// for the answer and are false; filter them out before computing a miss
/// ratio if they should not dilute it.
pub fn is_cache_miss(result_type: Option<&[u8]>) -> Option<bool> {
    let rt = present(result_type)?;
    Some(is(rt, "Miss"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Option<&[u8]> {
        Some(s.as_bytes())
    }

    #[test]
    fn waf_block_truth_table() {
        // Row 1: NULL / empty / '-' result type.
        assert_eq!(is_waf_block(None, Some(403), b("InvalidRequestBlocked")), None);
        assert_eq!(is_waf_block(b(""), Some(403), None), None);
        assert_eq!(is_waf_block(b("-"), Some(403), None), None);
        // Row 2: blocked detailed types, whatever the rest.
        assert_eq!(is_waf_block(b("Error"), Some(403), b("InvalidRequestBlocked")), Some(true));
        assert_eq!(is_waf_block(b("Error"), Some(403), b("ClientGeoBlocked")), Some(true));
        assert_eq!(is_waf_block(b("Error"), None, b("clientgeoblocked")), Some(true));
        // Row 3: quota exceeded.
        assert_eq!(is_waf_block(b("LimitExceeded"), Some(503), b("LimitExceeded")), Some(true));
        assert_eq!(is_waf_block(b("LimitExceeded"), None, None), Some(true));
        // Row 4: Error + 403 with a generic detailed type.
        assert_eq!(is_waf_block(b("Error"), Some(403), b("Error")), Some(true));
        assert_eq!(is_waf_block(b("Error"), Some(403), None), Some(true));
        assert_eq!(is_waf_block(b("Error"), Some(403), b("-")), Some(true));
        assert_eq!(is_waf_block(b("error"), Some(403), b("ERROR")), Some(true));
        // Row 5: Error + 403 with a specific cause.
        assert_eq!(is_waf_block(b("Error"), Some(403), b("OriginError")), Some(false));
        assert_eq!(is_waf_block(b("Error"), Some(403), b("AbortedOrigin")), Some(false));
        assert_eq!(is_waf_block(b("Error"), Some(403), b("ClientHungUpRequest")), Some(false));
        assert_eq!(is_waf_block(b("Error"), Some(403), b("InvalidRequestMethod")), Some(false));
        // Row 6: Error with unknown status and generic detail: can't tell.
        assert_eq!(is_waf_block(b("Error"), None, b("Error")), None);
        assert_eq!(is_waf_block(b("Error"), None, None), None);
        // ... but a specific detail with unknown status is not a block.
        assert_eq!(is_waf_block(b("Error"), None, b("OriginDnsError")), Some(false));
        // Row 7: edge function answered 403.
        assert_eq!(is_waf_block(b("FunctionGeneratedResponse"), Some(403), None), Some(true));
        assert_eq!(is_waf_block(b("LambdaGeneratedResponse"), Some(403), None), Some(true));
        assert_eq!(is_waf_block(b("FunctionGeneratedResponse"), Some(301), None), Some(false));
        // Row 8: everything else.
        assert_eq!(is_waf_block(b("Error"), Some(502), b("OriginConnectError")), Some(false));
        assert_eq!(is_waf_block(b("Error"), Some(404), b("Error")), Some(false));
        assert_eq!(is_waf_block(b("Error"), Some(0), b("ClientCommError")), Some(false));
        assert_eq!(is_waf_block(b("Hit"), Some(200), b("Hit")), Some(false));
        assert_eq!(is_waf_block(b("Miss"), Some(403), b("Miss")), Some(false));
        assert_eq!(is_waf_block(b("RefreshHit"), Some(304), None), Some(false));
        assert_eq!(is_waf_block(b("Redirect"), Some(301), None), Some(false));
        assert_eq!(is_waf_block(b("CapacityExceeded"), Some(503), None), Some(false));
        assert_eq!(is_waf_block(b("SomethingNew"), Some(403), None), Some(false));
    }

    #[test]
    fn rate_limited_truth_table() {
        // Row 1.
        assert_eq!(is_rate_limited(None, Some(429), None), None);
        assert_eq!(is_rate_limited(b("-"), Some(429), None), None);
        // Row 2.
        assert_eq!(is_rate_limited(b("LimitExceeded"), Some(503), None), Some(true));
        assert_eq!(is_rate_limited(b("CapacityExceeded"), Some(503), None), Some(true));
        // Row 3.
        assert_eq!(is_rate_limited(b("Error"), Some(503), b("FunctionThrottledError")), Some(true));
        assert_eq!(is_rate_limited(b("Error"), None, b("LambdaLimitExceededError")), Some(true));
        // Row 4.
        assert_eq!(is_rate_limited(b("Error"), Some(429), b("Error")), Some(true));
        assert_eq!(is_rate_limited(b("Miss"), Some(429), b("Miss")), Some(true));
        // Row 5.
        assert_eq!(is_rate_limited(b("Error"), Some(403), b("Error")), Some(false));
        assert_eq!(is_rate_limited(b("Hit"), Some(200), b("Hit")), Some(false));
        assert_eq!(is_rate_limited(b("Error"), None, b("OriginError")), Some(false));
    }

    #[test]
    fn origin_error_truth_table() {
        // Row 1.
        assert_eq!(is_origin_error(None, Some(502), b("OriginConnectError")), None);
        // Row 2: every origin detail, whatever the status.
        for d in [
            "OriginCommError",
            "OriginConnectError",
            "OriginContentRangeLengthError",
            "OriginDnsError",
            "OriginError",
            "OriginHeaderTooBigError",
            "OriginInvalidResponseError",
            "OriginReadError",
            "OriginWriteError",
            "OriginZeroSizeObjectError",
            "AbortedOrigin",
            "SlowReaderOriginError",
        ] {
            assert_eq!(is_origin_error(b("Error"), Some(502), b(d)), Some(true), "{d}");
            assert_eq!(is_origin_error(b("Error"), None, b(d)), Some(true), "{d}");
        }
        // "OriginShieldHit" is a hit, not an origin error.
        assert_eq!(is_origin_error(b("OriginShieldHit"), Some(200), b("OriginShieldHit")), Some(false));
        // Row 3: edge function failures are not origin errors even at 502.
        assert_eq!(is_origin_error(b("Error"), Some(502), b("LambdaValidationError")), Some(false));
        assert_eq!(is_origin_error(b("Error"), Some(503), b("FunctionExecutionError")), Some(false));
        // Row 4: Error + 502/504 with a generic detail.
        assert_eq!(is_origin_error(b("Error"), Some(502), b("Error")), Some(true));
        assert_eq!(is_origin_error(b("Error"), Some(504), None), Some(true));
        // Row 5.
        assert_eq!(is_origin_error(b("Error"), Some(503), b("Error")), Some(false));
        assert_eq!(is_origin_error(b("Error"), Some(500), b("Error")), Some(false));
        assert_eq!(is_origin_error(b("Error"), Some(403), b("InvalidRequestBlocked")), Some(false));
        assert_eq!(is_origin_error(b("Miss"), Some(502), b("Miss")), Some(false));
        assert_eq!(is_origin_error(b("Hit"), Some(200), b("Hit")), Some(false));
        assert_eq!(is_origin_error(b("Error"), None, None), Some(false));
    }

    #[test]
    fn cache_miss_truth_table() {
        assert_eq!(is_cache_miss(None), None);
        assert_eq!(is_cache_miss(b("")), None);
        assert_eq!(is_cache_miss(b("-")), None);
        assert_eq!(is_cache_miss(b("Miss")), Some(true));
        assert_eq!(is_cache_miss(b("miss")), Some(true));
        assert_eq!(is_cache_miss(b("Hit")), Some(false));
        assert_eq!(is_cache_miss(b("RefreshHit")), Some(false));
        assert_eq!(is_cache_miss(b("OriginShieldHit")), Some(false));
        assert_eq!(is_cache_miss(b("Error")), Some(false));
        assert_eq!(is_cache_miss(b("Redirect")), Some(false));
        assert_eq!(is_cache_miss(b("MissGeneratedResponse")), Some(false));
    }

    #[test]
    fn helpers_do_not_panic_on_short_input() {
        assert!(!is_origin_detail(b""));
        assert!(!is_origin_detail(b"O"));
        assert!(!is_origin_detail(b"OriginShieldHit"));
        assert!(is_origin_detail(b"originerror"));
        assert!(!is_edge_function_error(b"Lambda"));
        assert!(!ends_with_ci(b"or", "Error"));
    }
}
