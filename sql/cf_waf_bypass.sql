-- cf_waf_bypass: clients that got past the WAF after being blocked, or with multiply-encoded payloads that were let through.
-- Question: Which clients were refused on a path and later succeeded on the same path, or sent multiply percent-encoded payloads that were not blocked?
-- Parameters:
--   tbl                name of a table or view of read_cloudfront() rows (VARCHAR)
--   min_blocked := 3   refused requests (is_waf_block) a client needs on a stem before later
--                      successes there count as "blocked then allowed". One or two 403s happen to
--                      people (a stale form, a rule false positive); three is a client retrying.
--   min_depth := 2     encoding_depth() of cs-uri-stem or cs-uri-query at or above which a
--                      request counts as "multiply encoded" (the playbook's specified figure, and how
--                      cfgen writes its double-encoded bypass payloads). Caveat from
--                      docs/format-facts.md: CloudFront escapes '%' when it writes the log, so a
--                      URL that carried %27 is logged as %2527 (depth 2). Browsers do escape
--                      special characters in form values, so on a real site's logs depth 2 also
--                      covers ordinary searches like q=rock%26roll; there, min_depth := 3 (the
--                      client itself encoded twice, the classic WAF evasion) is the stricter
--                      choice, and encoded payloads alone are only rated 'medium'.
--   min_encoded := 1   successful (status < 400), unblocked multiply-encoded requests a client
--                      needs on a stem to be reported for that reason alone.
-- Output: one row per (client, stem) with at least one reason, most suspicious first:
--   c_ip, cs_uri_stem,
--   blocked (refused requests on the stem), first_blocked, last_blocked,
--   allowed_after (status 1xx-3xx, not refused, after the first block), first_allowed_after,
--   encoded_allowed (successful, unblocked requests with depth >= min_depth),
--   evidence_requests (blocked, allowed-after-block and encoded-allowed requests, each counted once),
--   max_encoding_depth, sample_query (one encoded successful query, else one blocked query),
--   blocked_then_allowed BOOLEAN, encoded_not_blocked BOOLEAN,
--   first_seen, last_seen (of the requests that are evidence), user_agent (most frequent),
--   severity ('high' when both reasons hold: blocked, then through with an encoded payload;
--   'medium' for encoded payloads that got through; 'low' for blocked-then-allowed alone, which
--   a client that stops attacking and browses normally also produces)
CREATE OR REPLACE MACRO cf_waf_bypass(tbl, min_blocked := 3, min_depth := 2, min_encoded := 1) AS TABLE
WITH _cf_t AS (
    SELECT c_ip, timestamp, cs_uri_stem, cs_uri_query, sc_status, cs_user_agent,
           coalesce(is_waf_block(x_edge_result_type, sc_status, x_edge_detailed_result_type), false) AS blocked
    FROM query_table(tbl)
),
-- encoding_depth() once per distinct stem and query.
_cf_stems AS (
    SELECT s, encoding_depth(s) AS d FROM (SELECT DISTINCT cs_uri_stem AS s FROM _cf_t t WHERE contains(cs_uri_stem, '%'))
),
_cf_queries AS (
    SELECT q, encoding_depth(q) AS d FROM (SELECT DISTINCT cs_uri_query AS q FROM _cf_t t WHERE contains(cs_uri_query, '%'))
),
_cf_first_blocks AS (
    SELECT c_ip, cs_uri_stem, min(timestamp) AS first_block FROM _cf_t t WHERE blocked GROUP BY c_ip, cs_uri_stem
),
_cf_e AS (
    SELECT t.*, greatest(coalesce(s.d, 0), coalesce(q.d, 0)) AS depth, fb.first_block
    FROM _cf_t t
    LEFT JOIN _cf_stems s ON s.s = t.cs_uri_stem
    LEFT JOIN _cf_queries q ON q.q = t.cs_uri_query
    LEFT JOIN _cf_first_blocks fb ON fb.c_ip = t.c_ip AND fb.cs_uri_stem = t.cs_uri_stem
    WHERE fb.first_block IS NOT NULL OR s.d >= min_depth OR q.d >= min_depth
),
_cf_per AS (
    SELECT c_ip, cs_uri_stem,
           count(*) FILTER (WHERE blocked) AS blocked,
           min(timestamp) FILTER (WHERE blocked) AS first_blocked,
           max(timestamp) FILTER (WHERE blocked) AS last_blocked,
           count(*) FILTER (WHERE NOT blocked AND sc_status BETWEEN 100 AND 399 AND timestamp > first_block) AS allowed_after,
           min(timestamp) FILTER (WHERE NOT blocked AND sc_status BETWEEN 100 AND 399 AND timestamp > first_block) AS first_allowed_after,
           max(timestamp) FILTER (WHERE NOT blocked AND sc_status BETWEEN 100 AND 399 AND timestamp > first_block) AS last_allowed_after,
           count(*) FILTER (WHERE NOT blocked AND sc_status BETWEEN 100 AND 399 AND depth >= min_depth) AS encoded_allowed,
           min(timestamp) FILTER (WHERE NOT blocked AND sc_status BETWEEN 100 AND 399 AND depth >= min_depth) AS first_encoded,
           max(timestamp) FILTER (WHERE NOT blocked AND sc_status BETWEEN 100 AND 399 AND depth >= min_depth) AS last_encoded,
           count(*) FILTER (WHERE blocked
                              OR (sc_status BETWEEN 100 AND 399 AND timestamp > first_block)
                              OR (sc_status BETWEEN 100 AND 399 AND depth >= min_depth)) AS evidence_requests,
           max(depth) AS max_encoding_depth,
           coalesce(min(cs_uri_query) FILTER (WHERE NOT blocked AND sc_status BETWEEN 100 AND 399 AND depth >= min_depth),
                    min(cs_uri_query) FILTER (WHERE blocked)) AS sample_query,
           mode(cs_user_agent ORDER BY cs_user_agent) AS user_agent
    FROM _cf_e e
    GROUP BY c_ip, cs_uri_stem
),
_cf_flagged AS (
    SELECT *,
           blocked >= min_blocked AND allowed_after >= 1 AS blocked_then_allowed,
           encoded_allowed >= min_encoded AS encoded_not_blocked
    FROM _cf_per per
    WHERE (blocked >= min_blocked AND allowed_after >= 1) OR encoded_allowed >= min_encoded
)
SELECT c_ip, cs_uri_stem, blocked, first_blocked, last_blocked, allowed_after, first_allowed_after,
       encoded_allowed, evidence_requests, max_encoding_depth, sample_query, blocked_then_allowed, encoded_not_blocked,
       CASE WHEN blocked_then_allowed THEN least(first_blocked, coalesce(first_encoded, first_blocked))
            ELSE first_encoded END AS first_seen,
       CASE WHEN blocked_then_allowed THEN greatest(last_allowed_after, coalesce(last_encoded, last_allowed_after))
            ELSE last_encoded END AS last_seen,
       user_agent,
       CASE WHEN blocked_then_allowed AND encoded_not_blocked THEN 'high'
            WHEN encoded_not_blocked THEN 'medium'
            ELSE 'low' END AS severity
FROM _cf_flagged flagged
ORDER BY CASE WHEN blocked_then_allowed AND encoded_not_blocked THEN 0 WHEN encoded_not_blocked THEN 1 ELSE 2 END,
         encoded_allowed + allowed_after DESC, c_ip, cs_uri_stem;
