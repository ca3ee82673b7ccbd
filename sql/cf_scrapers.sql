-- cf_scrapers: clients that walk many distinct pages at a steady or high rate, like a harvesting bot.
-- Question: Which clients walk many distinct URIs at a steady or high rate, with few page assets (CSS/JS/images) or with library/bot user agents?
-- Parameters:
--   tbl                        name of a table or view of read_cloudfront() rows (VARCHAR)
--   min_distinct_uris := 100   distinct successful (status < 400) non-asset URIs a client must
--                              request. Measured on cfgen benign days (50k to 1M lines): declared
--                              search crawlers reach 75-90 distinct pages a day per IP, people
--                              fewer; a catalog scraper walks hundreds to thousands per IP
--                              (cfgen's: ~150 per IP at 50k lines/day, ~950 at 300k).
--   max_asset_ratio := 0.05    share of the client's requests that are page assets (.css .js
--                              .mjs images fonts .ico .map) at or under which it "loads no
--                              assets". A browser loads several per page (about 75% of benign
--                              browser requests in cfgen data); scrapers load none.
--   min_rate := 1.0            requests per minute over the client's first-to-last span ("high
--                              rate") ...
--   min_active_ratio := 0.5    ... or share of the minutes of that span with a request
--                              ("steady"). Over a day, people and declared crawlers come back in
--                              separate visits: cfgen's busiest crawlers run at ~0.1-0.2 requests
--                              a minute and are active in 1-2% of their minutes, while a single
--                              browsing session can be fast but never reaches 100 distinct pages.
-- A client is reported when it has min_distinct_uris pages, the rate or steadiness, and either
-- few assets or a user agent that is not a browser (ua_category other than 'browser': library,
-- crawler, scanner, empty or other, e.g. a headless browser that does load assets).
-- Output: one row per flagged client, most distinct URIs first:
--   c_ip, subnet (/24 or /48 via ip_prefix), subnet_clients (flagged clients in that subnet),
--   requests, distinct_uris (successful non-asset stems), asset_ratio, error_rate,
--   rate_per_min, active_ratio, ua_category (most frequent), user_agent (most frequent, decoded),
--   first_seen, last_seen, crawler_verdict ('verified' / 'spoofed' from crawler_verdict() on the
--   client and its most frequent user agent; NULL when it claims no verifiable crawler),
--   severity ('low' for declared crawlers, which are usually allowed, unless the claim is
--   spoofed (a Googlebot outside Google's ranges is a scraper); 'high' for anything else walking
--   >= 3 x min_distinct_uris pages; otherwise 'medium')
CREATE OR REPLACE MACRO cf_scrapers(tbl, min_distinct_uris := 100, max_asset_ratio := 0.05,
                                    min_rate := 1.0, min_active_ratio := 0.5) AS TABLE
WITH _cf_args AS (
    SELECT
        TRY_CAST(min_distinct_uris::VARCHAR AS BIGINT) AS min_distinct_uris,
        TRY_CAST(max_asset_ratio::VARCHAR AS DOUBLE) AS max_asset_ratio,
        TRY_CAST(min_rate::VARCHAR AS DOUBLE) AS min_rate,
        TRY_CAST(min_active_ratio::VARCHAR AS DOUBLE) AS min_active_ratio
),
-- NOT MATERIALIZED: each reference re-reads these rows (a projection of the table) instead of
-- holding every row in memory; cf_hunt runs all hunts in one query, where held row sets add up
-- with input (docs/scale.md).
_cf_t AS NOT MATERIALIZED (
    SELECT c_ip, timestamp, cs_uri_stem, sc_status, cs_user_agent, ua_category, crawler_verdict, c_ip_site,
           regexp_matches(lower(cs_uri_stem),
               '\.(css|js|mjs|map|png|jpe?g|gif|webp|avif|svg|ico|bmp|woff2?|ttf|otf|eot)$') AS is_asset
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM cf_events(CASE
        WHEN min_distinct_uris IS NULL THEN error('cf_scrapers: min_distinct_uris must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_distinct_uris::VARCHAR AS DOUBLE) = TRY_CAST(min_distinct_uris::VARCHAR AS BIGINT), false) THEN error('cf_scrapers: min_distinct_uris must be a whole number, got ' || min_distinct_uris::VARCHAR)
        WHEN TRY_CAST(min_distinct_uris::VARCHAR AS BIGINT) < 1 THEN error('cf_scrapers: min_distinct_uris must be >= 1, got ' || min_distinct_uris::VARCHAR)
        WHEN max_asset_ratio IS NULL THEN error('cf_scrapers: max_asset_ratio must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(max_asset_ratio::VARCHAR AS DOUBLE)), false) THEN error('cf_scrapers: max_asset_ratio must be a number, got ' || max_asset_ratio::VARCHAR)
        WHEN NOT (TRY_CAST(max_asset_ratio::VARCHAR AS DOUBLE) >= 0 AND TRY_CAST(max_asset_ratio::VARCHAR AS DOUBLE) <= 1) THEN error('cf_scrapers: max_asset_ratio must be in [0, 1], got ' || max_asset_ratio::VARCHAR)
        WHEN min_rate IS NULL THEN error('cf_scrapers: min_rate must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(min_rate::VARCHAR AS DOUBLE)), false) THEN error('cf_scrapers: min_rate must be a number, got ' || min_rate::VARCHAR)
        WHEN TRY_CAST(min_rate::VARCHAR AS DOUBLE) < 0 THEN error('cf_scrapers: min_rate must be >= 0, got ' || min_rate::VARCHAR)
        WHEN min_active_ratio IS NULL THEN error('cf_scrapers: min_active_ratio must not be NULL')
        WHEN NOT coalesce(isfinite(TRY_CAST(min_active_ratio::VARCHAR AS DOUBLE)), false) THEN error('cf_scrapers: min_active_ratio must be a number, got ' || min_active_ratio::VARCHAR)
        WHEN NOT (TRY_CAST(min_active_ratio::VARCHAR AS DOUBLE) >= 0 AND TRY_CAST(min_active_ratio::VARCHAR AS DOUBLE) <= 1) THEN error('cf_scrapers: min_active_ratio must be in [0, 1], got ' || min_active_ratio::VARCHAR)
        ELSE tbl END)
),
_cf_per AS (
    SELECT c_ip, count(*) AS requests,
           count(DISTINCT cs_uri_stem) FILTER (WHERE NOT is_asset AND sc_status < 400) AS distinct_uris,
           count(*) FILTER (WHERE is_asset) / count(*) AS asset_ratio,
           count(*) FILTER (WHERE sc_status >= 400) / count(*) AS error_rate,
           count(DISTINCT floor(epoch(timestamp) / 60)) AS active_minutes,
           greatest((epoch(max(timestamp)) - epoch(min(timestamp))) / 60.0, 1.0) AS span_minutes,
           min(timestamp) AS first_seen, max(timestamp) AS last_seen, min(c_ip_site) AS site
    FROM _cf_t t
    GROUP BY c_ip
    HAVING count(DISTINCT cs_uri_stem) FILTER (WHERE NOT is_asset AND sc_status < 400) >= (SELECT args.min_distinct_uris FROM _cf_args args)
),
_cf_flagged AS (
    SELECT per.*, per.requests / per.span_minutes AS rate_per_min,
           least(per.active_minutes / per.span_minutes, 1.0) AS active_ratio
    FROM _cf_per per CROSS JOIN _cf_args a
    WHERE per.requests / per.span_minutes >= a.min_rate OR per.active_minutes / per.span_minutes >= a.min_active_ratio
),
_cf_ua AS (
    SELECT c_ip, cs_user_agent, count(*) AS k, max(ua_category) AS category, max(crawler_verdict) AS verdict
    FROM _cf_t t
    WHERE c_ip IN (SELECT c_ip FROM _cf_flagged flagged)
    GROUP BY c_ip, cs_user_agent
    QUALIFY row_number() OVER (PARTITION BY c_ip ORDER BY count(*) DESC, cs_user_agent) = 1
),
_cf_scored AS (
    SELECT f.* EXCLUDE (site), ua.cs_user_agent AS user_agent, ua.category AS ua_category,
           ua.verdict AS crawler_verdict,
           coalesce(f.site, f.c_ip) AS subnet,
           a.min_distinct_uris AS pages_needed
    FROM _cf_flagged f LEFT JOIN _cf_ua ua ON ua.c_ip = f.c_ip CROSS JOIN _cf_args a
    WHERE f.asset_ratio <= a.max_asset_ratio OR coalesce(ua.category, 'empty') <> 'browser'
)
SELECT c_ip, subnet, count(*) OVER (PARTITION BY subnet) AS subnet_clients,
       requests, distinct_uris, asset_ratio, error_rate, rate_per_min, active_ratio,
       ua_category, user_agent, first_seen, last_seen, crawler_verdict,
       CASE WHEN ua_category = 'crawler' AND crawler_verdict IS DISTINCT FROM 'spoofed' THEN 'low'
            WHEN distinct_uris >= 3 * pages_needed THEN 'high'
            ELSE 'medium' END AS severity
FROM _cf_scored scored
ORDER BY distinct_uris DESC, c_ip;
