-- cf_fake_crawlers: clients that claim to be a search-engine crawler from outside its operator's published address ranges.
-- Question: Which clients send a Googlebot, bingbot or Applebot user agent from an address that Google, Microsoft or Apple do not publish for their crawlers (a scraper or scanner hiding behind a crawler's name)?
-- Parameters:
--   tbl                 name of a table or view of read_cloudfront() rows (VARCHAR)
--   min_requests := 10  requests with the false claim at which the client is rated 'medium': a
--                       pretend crawler that actually crawls. Fewer are 'low' (scanners rotate
--                       crawler user agents among others for a request or two). The verified
--                       crawlers of cfgen's busiest days send 75-700 requests a day per address,
--                       so a real crawl is well above 10.
-- The verdict is crawler_verdict(c_ip, cs_user_agent): the operators' ranges are in
-- data/crawler_ranges.tsv (googlebot.json, bingbot.json, applebot.json; see
-- cloudfront_crawler_ranges()).
-- Output: one row per client with at least one spoofed request, most requests first:
--   c_ip, claimed_user_agent (most frequent spoofed one, decoded), spoofed_requests, requests
--   (all of the client's), distinct_paths (stems of the spoofed requests), error_rate (4xx/5xx
--   share of the spoofed requests), verified_requests (requests of the same client that did verify,
--   0 unless it mixes addresses), first_seen, last_seen (of spoofed requests),
--   severity ('medium' with >= min_requests spoofed requests, else 'low')
CREATE OR REPLACE MACRO cf_fake_crawlers(tbl, min_requests := 10) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(min_requests::VARCHAR AS BIGINT) AS min_requests
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_uri_stem, sc_status, cs_user_agent, crawler_verdict AS verdict
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN min_requests IS NULL THEN error('cf_fake_crawlers: min_requests must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_requests::VARCHAR AS DOUBLE) = TRY_CAST(min_requests::VARCHAR AS BIGINT), false) THEN error('cf_fake_crawlers: min_requests must be a whole number, got ' || min_requests::VARCHAR)
        WHEN TRY_CAST(min_requests::VARCHAR AS BIGINT) < 1 THEN error('cf_fake_crawlers: min_requests must be >= 1, got ' || min_requests::VARCHAR)
        ELSE tbl END)
),
-- The verdict once per distinct (address, user agent).
_cf_v AS (
    SELECT * FROM _cf_t t
),
_cf_per AS (
    SELECT c_ip, count(*) FILTER (WHERE verdict = 'spoofed') AS spoofed_requests, count(*) AS requests,
           mode(cs_user_agent ORDER BY cs_user_agent) FILTER (WHERE verdict = 'spoofed') AS claimed_user_agent,
           count(DISTINCT cs_uri_stem) FILTER (WHERE verdict = 'spoofed') AS distinct_paths,
           count(*) FILTER (WHERE verdict = 'spoofed' AND sc_status >= 400) AS spoofed_errors,
           count(*) FILTER (WHERE verdict = 'verified') AS verified_requests,
           min(timestamp) FILTER (WHERE verdict = 'spoofed') AS first_seen,
           max(timestamp) FILTER (WHERE verdict = 'spoofed') AS last_seen
    FROM _cf_v v
    WHERE c_ip IN (SELECT c_ip FROM _cf_t WHERE verdict = 'spoofed')
    GROUP BY c_ip
)
SELECT p.c_ip, p.claimed_user_agent, p.spoofed_requests, p.requests, p.distinct_paths,
       p.spoofed_errors / p.spoofed_requests AS error_rate, p.verified_requests, p.first_seen, p.last_seen,
       CASE WHEN p.spoofed_requests >= a.min_requests THEN 'medium' ELSE 'low' END AS severity
FROM _cf_per p CROSS JOIN _cf_args a
ORDER BY p.spoofed_requests DESC, p.c_ip;
