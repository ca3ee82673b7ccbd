-- cf_blocklist: the addresses and network prefixes behind selected findings, ready for an AWS WAF IP set.
-- Question: Which client addresses (and, optionally, whole /24 or /64 networks) are behind the findings of cf_hunt at or above a severity, campaign members included, in the CIDR form AWS WAF IP sets take?
-- Parameters:
--   findings_table              name of a table or view holding cf_hunt() rows (it needs the columns
--                               severity, entity_type, entity, members, hunt, first_seen, last_seen):
--                               CREATE TABLE findings AS FROM cf_hunt('events')
--   min_severity := 'high'      'high' | 'medium' | 'low': findings at this severity or above are
--                               used. High by default: a blocklist acts without a human look, and
--                               only high findings are meant to be acted on at once.
--   min_per_prefix := 0         when > 0, a /24 (IPv4) or /64 (IPv6, one subscriber's network)
--                               holding at least this many listed addresses is listed as that
--                               prefix instead of its addresses (proxy pools rotate inside a
--                               network). 0 lists addresses only: a prefix also blocks neighbours
--                               that did nothing, so it is opt-in.
-- Addresses: the entity of 'ip' findings and every member of a finding's members list (all
-- campaign members). Text that is not an IP address is skipped. IPv4-mapped IPv6 addresses
-- (::ffff:a.b.c.d) are written as IPv6.
-- Output: one row per address or prefix, IPv4 first, then by address:
--   cidr VARCHAR ('192.0.2.44/32', '2001:db8::1/128', '198.51.100.0/24'), ip_version INTEGER (4 or
--   6), addresses BIGINT (listed addresses it covers: 1 for an address), severity (the worst of its
--   findings), findings BIGINT, hunts VARCHAR[], entities VARCHAR[] (the findings' entities, up to 5),
--   first_seen, last_seen TIMESTAMPTZ (of those findings)
-- AWS WAF IP sets hold one IP version each; write one file per version, e.g.
--   COPY (SELECT list(cidr ORDER BY cidr) AS Addresses FROM cf_blocklist('findings') WHERE ip_version = 4)
--   TO 'blocklist-ipv4.json' (FORMAT json);
CREATE OR REPLACE MACRO cf_blocklist(findings_table, min_severity := 'high', min_per_prefix := 0) AS TABLE
WITH _cf_args AS (
    SELECT
        CASE lower(min_severity::VARCHAR) WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END AS max_rank,
        TRY_CAST(min_per_prefix::VARCHAR AS BIGINT) AS per_prefix
),
_cf_sel AS (
    SELECT f.hunt, f.severity, f.entity_type, f.entity, f.first_seen, f.last_seen, f.members
    -- Parameters are checked here, where DuckDB evaluates them while binding the query: a
    -- mistake is an error naming the macro and the parameter, even on an empty table.
    FROM query_table(CASE
        WHEN min_severity IS NULL THEN error('cf_blocklist: min_severity must not be NULL')
        WHEN lower(min_severity::VARCHAR) NOT IN ('high', 'medium', 'low') THEN error('cf_blocklist: min_severity must be ''high'', ''medium'' or ''low'', got ''' || min_severity::VARCHAR || '''')
        WHEN min_per_prefix IS NULL THEN error('cf_blocklist: min_per_prefix must not be NULL')
        WHEN NOT coalesce(TRY_CAST(min_per_prefix::VARCHAR AS DOUBLE) = TRY_CAST(min_per_prefix::VARCHAR AS BIGINT), false) THEN error('cf_blocklist: min_per_prefix must be a whole number, got ' || min_per_prefix::VARCHAR)
        WHEN TRY_CAST(min_per_prefix::VARCHAR AS BIGINT) < 0 THEN error('cf_blocklist: min_per_prefix must be >= 0 (0 = addresses only), got ' || min_per_prefix::VARCHAR)
        ELSE findings_table END) f CROSS JOIN _cf_args a
    WHERE CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END <= a.max_rank
),
_cf_addr AS (
    SELECT trim(address) AS address, hunt, severity, entity, first_seen, last_seen
    FROM (SELECT *, unnest(list_distinct(coalesce(members, []::VARCHAR[])
                                         || CASE WHEN entity_type = 'ip' THEN [entity] ELSE []::VARCHAR[] END)) AS address
          FROM _cf_sel sel)
),
_cf_typed AS (
    SELECT *, contains(address, ':') AS v6,
           CASE WHEN contains(address, ':') THEN ip_prefix(address, 128) ELSE ip_prefix(address, 32) END AS host,
           CASE WHEN contains(address, ':') THEN ip_prefix(address, 64) ELSE ip_prefix(address, 24) END AS net
    FROM _cf_addr a
),
_cf_hosts AS (
    SELECT host, any_value(net) AS net, any_value(v6) AS v6,
           min(CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END) AS rank,
           count(*) AS findings, list_sort(list_distinct(list(hunt))) AS hunts,
           list_sort(list_distinct(list(entity)))[1:5] AS entities,
           min(first_seen) AS first_seen, max(last_seen) AS last_seen
    FROM _cf_typed t WHERE host IS NOT NULL
    GROUP BY host
),
_cf_nets AS (
    SELECT h.net FROM _cf_hosts h CROSS JOIN _cf_args a
    WHERE a.per_prefix > 0 GROUP BY h.net HAVING count(*) >= any_value(a.per_prefix)
),
_cf_out AS (
    SELECT host AS cidr, v6, 1::BIGINT AS addresses, rank, findings, hunts, entities, first_seen, last_seen
    FROM _cf_hosts h WHERE h.net NOT IN (SELECT net FROM _cf_nets)
    UNION ALL
    SELECT h.net, any_value(h.v6), count(*), min(h.rank), sum(h.findings)::BIGINT,
           list_sort(list_distinct(flatten(list(h.hunts)))), list_sort(list_distinct(flatten(list(h.entities))))[1:5],
           min(h.first_seen), max(h.last_seen)
    FROM _cf_hosts h WHERE h.net IN (SELECT net FROM _cf_nets)
    GROUP BY h.net
)
SELECT cidr, CASE WHEN v6 THEN 6 ELSE 4 END AS ip_version, addresses,
       CASE rank WHEN 0 THEN 'high' WHEN 1 THEN 'medium' ELSE 'low' END AS severity,
       findings, hunts, entities, first_seen, last_seen
FROM _cf_out o
ORDER BY ip_version,
         CASE WHEN NOT v6 THEN TRY_CAST(split_part(cidr, '.', 1) AS BIGINT) * 16777216 + TRY_CAST(split_part(cidr, '.', 2) AS BIGINT) * 65536
                               + TRY_CAST(split_part(cidr, '.', 3) AS BIGINT) * 256 + TRY_CAST(split_part(split_part(cidr, '.', 4), '/', 1) AS BIGINT) END,
         cidr;
