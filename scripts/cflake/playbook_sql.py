"""The playbook's hunts rendered for Spark SQL and Trino (Athena) from the DuckDB macros.

There is no second copy of a hunt: each is the macro compiled into the extension (read from
`cloudfront_playbook()`), parsed with sqlglot and rendered with its parameters:

1. parameters are replaced by their values (the macro's defaults, or given ones: a given set is
   first checked by DuckDB, which runs the macro on an empty table and reports a wrong value
   with the macro's own message);
2. `_cf_args` (each macro's typed parameters) and every other constant expression are
   evaluated by DuckDB and written as literals (an interval becomes `INTERVAL 'n' SECOND`);
3. the row source `cf_events(tbl)` / `query_table(tbl)` becomes the lake table: the lake holds
   every enriched column, so no scalar function of ours is left to call (the mapping from the
   scalar expressions to the enriched columns is `cloudfront_enriched_columns()`, the table in
   src/hunt/enrich.rs); a hunt calling another hunt gets it as a CTE, rendered the same way;
4. the playbook's scalar macros (`cf_format_bytes`) are inlined;
5. the DuckDB constructs sqlglot does not translate faithfully are rewritten on the syntax tree
   (`DIALECT_NOTES` lists each), then sqlglot writes the dialect.

`render(name, dialect)` returns one self-contained SELECT; `check_portable` refuses a rendering
that still calls a function only DuckDB (or this extension) has.
"""
from __future__ import annotations

import datetime as dt
import decimal
import re
from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp

#: What the renderer rewrites beyond sqlglot's own translation, and why (docs/scale.md repeats it).
DIALECT_NOTES = {
    "mode(x ORDER BY x)": "Spark: mode(x, true) (deterministic: the smallest of the most frequent, as DuckDB's ordered mode); "
                          "Trino has no mode: the smallest key of histogram(x) with the highest count",
    "list/string_agg(... ORDER BY k)": "collect_list of structs sorted by a comparator on the keys, then the values "
                                       "(Spark drops the ORDER BY of an aggregate); NULL over no rows, as DuckDB",
    "list_has_all(a, b)": "size(array_except(b, a)) = 0",
    "list_slice(a, s, e)": "slice(a, s, e - s + 1)",
    "strftime / timezone('UTC', ts)": "date_format with the dialect's pattern; timestamps are UTC instants already "
                                      "(Spark session time zone UTC; Trino AT TIME ZONE 'UTC')",
    "CAST(x AS BIGINT)": "Spark truncates a fraction where DuckDB rounds: round(CAST(x AS DOUBLE)) first",
    "printf(fmt, ...)": "Spark printf, Trino format; the argument of each %f/%e/%g cast to DOUBLE (their formatters refuse DECIMAL)",
    "to_timestamp(s)": "Spark timestamp_seconds(s)",
    "median": "Trino has no exact median: approx_percentile(x, 0.5)",
    "quantile_cont(x, q)": "Spark percentile(x, q) (exact, interpolated); Trino approx_percentile(x, q)",
    "contains(s, t)": "Trino: strpos(s, t) > 0 (contains is for arrays there)",
    "greatest/least": "Trino returns NULL when any argument is NULL, DuckDB and Spark skip NULLs: each argument coalesced",
    "WITH x AS [NOT] MATERIALIZED (...)": "a DuckDB memory hint (the hunts' row CTEs are not materialised): Spark and "
                                          "Trino have no such syntax, dropped (Spark's runner chooses what to checkpoint)",
}

TABLE_SOURCES = {"query_table", "cf_events"}


@dataclass
class Macro:
    name: str
    params: list[tuple[str, str | None]]  # (name, default SQL)
    body: str
    table: bool


def split_top(s: str, sep: str = ",") -> list[str]:
    out, depth, cur, quote = [], 0, "", False
    for ch in s:
        if ch == "'":
            quote = not quote
        if not quote:
            depth += ch in "([{"
            depth -= ch in ")]}"
            if ch == sep and depth == 0:
                out.append(cur.strip())
                cur = ""
                continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def parse_macro(name: str, parameters: str, sql: str) -> Macro:
    params = []
    for p in split_top(parameters):
        if ":=" in p:
            k, v = p.split(":=", 1)
            params.append((k.strip(), v.strip()))
        else:
            params.append((p.strip(), None))
    m = re.search(r"(?is)\bMACRO\s+\w+\s*\(", sql)
    assert m, name
    # Skip the parameter list, then "AS [TABLE]".
    depth, i = 1, m.end()
    while depth:
        depth += {"(": 1, ")": -1}.get(sql[i], 0)
        i += 1
    rest = sql[i:].lstrip()
    assert rest[:2].upper() == "AS", name
    rest = rest[2:].lstrip()
    table = rest[:5].upper() == "TABLE"
    body = rest[5:] if table else rest
    return Macro(name, params, body.strip().rstrip(";").strip(), table)


def literal(v) -> exp.Expression:
    """A Python value from DuckDB as a SQL literal."""
    if v is None:
        return exp.Null()
    if isinstance(v, bool):
        return exp.Boolean(this=v)
    if isinstance(v, (int, decimal.Decimal)):
        return exp.Literal.number(str(v))
    if isinstance(v, float):
        return exp.Literal.number(repr(v))
    if isinstance(v, str):
        return exp.Literal.string(v)
    if isinstance(v, dt.timedelta):
        secs = v.total_seconds()
        n = int(secs) if secs == int(secs) else secs
        return exp.Interval(this=exp.Literal.string(str(n)), unit=exp.Var(this="SECOND"))
    raise TypeError(f"cannot write {v!r} as a literal")


def _has(node: exp.Expression, *types) -> bool:
    return any(True for _ in node.find_all(*types))


class Playbook:
    """The macros of a loaded extension, rendered for other engines."""

    def __init__(self, con):
        self.con = con
        rows = con.execute("SELECT name, parameters, sql FROM cloudfront_playbook()").fetchall()
        self.macros = {n: parse_macro(n, p, s) for n, p, s in rows}
        self.enriched = [r[0] for r in con.execute("SELECT name FROM cloudfront_enriched_columns()").fetchall()]
        self._fold_cache: dict[str, exp.Expression] = {}

    # ------------------------------------------------------------------ evaluation by DuckDB
    def evaluate(self, node: exp.Expression) -> exp.Expression:
        sql = node.sql(dialect="duckdb")
        if sql not in self._fold_cache:
            self._fold_cache[sql] = literal(self.con.execute(f"SELECT {sql}").fetchall()[0][0])
        return self._fold_cache[sql].copy()

    def foldable(self, node: exp.Expression) -> bool:
        if isinstance(node, (exp.Literal, exp.Boolean, exp.Null, exp.Interval, exp.Star)):
            return False
        if isinstance(node, exp.Cast) and isinstance(node.this, (exp.Null, exp.Array)):
            return False  # typed NULLs and empty lists keep their type
        if isinstance(node, (exp.Array, exp.Tuple, exp.Ordered, exp.Where, exp.Identifier, exp.Var, exp.DataType, exp.If)):
            return False
        if not isinstance(node, (exp.Func, exp.Binary, exp.Unary, exp.Cast, exp.Case, exp.Paren, exp.TryCast)):
            return False
        if isinstance(node, exp.AggFunc) or isinstance(node.parent, exp.Window) or (isinstance(node, exp.Func) and not node.args):
            return False
        if _has(node, exp.Column, exp.AggFunc, exp.Window, exp.Select, exp.Star, exp.Placeholder, exp.Array):
            return False
        return True

    def fold_constants(self, tree: exp.Expression) -> exp.Expression:
        def fold(node):
            if self.foldable(node):
                return self.evaluate(node)
            return node

        return tree.transform(fold, copy=False)

    # ------------------------------------------------------------------ expansion
    def check_parameters(self, name: str, args: dict[str, str], empty_table: str) -> None:
        """DuckDB runs the macro with `args` on an empty table: a wrong value is its error."""
        if args:
            given = ", ".join(f"{k} := {v}" for k, v in args.items())
            self.con.execute(f"SELECT * FROM {name}('{empty_table}', {given}) LIMIT 0").fetchall()

    def expand(self, name: str, table: str, args: dict[str, str] | None = None,
               ctes: dict | None = None, views: bool = False) -> exp.Expression:
        """The macro as a DuckDB-dialect tree with parameters, constants and sources resolved.
        A hunt it calls becomes a CTE, or with `views` a table of that name left to the caller
        (`ctes` then collects (name, tree) of each, dependencies first)."""
        m = self.macros[name]
        args = dict(args or {})
        values: dict[str, exp.Expression] = {}
        for p, default in m.params:
            if p == m.params[0][0] and m.table:
                values[p] = exp.Literal.string(table)
            else:
                values[p] = sqlglot.parse_one(args.get(p, default), read="duckdb")
        tree = sqlglot.parse_one(m.body, read="duckdb")
        for col in list(tree.find_all(exp.Column)):
            if not col.table and col.name in values:
                col.replace(values[col.name].copy())
        self._fold_args(tree)
        top = ctes is None
        ctes = {} if ctes is None else ctes
        self._resolve_sources(tree, table, ctes, views)
        self.fold_constants(tree)
        self._inline_scalar_macros(tree)
        if top and ctes and not views:
            with_ = tree.args.get("with_") or tree.args.get("with")
            inner = with_.expressions if with_ else []
            new = [exp.CTE(this=body, alias=exp.TableAlias(this=exp.to_identifier(alias))) for alias, body in ctes.values()]
            tree.set("with_" if "with_" in tree.arg_types else "with", exp.With(expressions=new + inner))
        return tree

    def _fold_args(self, tree: exp.Expression) -> None:
        """Replaces `_cf_args` (each macro's typed parameters) by its evaluated values."""
        with_ = tree.args.get("with_") or tree.args.get("with")
        if not with_:
            return
        cte = next((c for c in with_.expressions if c.alias == "_cf_args"), None)
        if cte is None:
            return
        vals = {}
        for e in cte.this.expressions:
            vals[e.alias_or_name] = self.evaluate(e.this if isinstance(e, exp.Alias) else e)
        for select in list(tree.find_all(exp.Select)):
            aliases = set()
            for src in [select.args.get("from_") or select.args.get("from")] + list(select.args.get("joins") or []):
                if src is None:
                    continue
                t = src.this
                if isinstance(t, exp.Table) and t.name == "_cf_args":
                    aliases.add(t.alias_or_name)
            if not aliases:
                continue
            for col in list(select.find_all(exp.Column)):
                if col.table in aliases and col.find_ancestor(exp.Select) is select:
                    col.replace(vals[col.name].copy())
            # A subquery reading one value of _cf_args is that value.
            for join in list(select.args.get("joins") or []):
                if isinstance(join.this, exp.Table) and join.this.name == "_cf_args":
                    join.pop()
            frm = select.args.get("from_") or select.args.get("from")
            if frm is not None and isinstance(frm.this, exp.Table) and frm.this.name == "_cf_args":
                sub = select.parent
                if isinstance(sub, exp.Subquery) and len(select.expressions) == 1:
                    value = select.expressions[0]
                    sub.replace(value.this.copy() if isinstance(value, exp.Alias) else value.copy())
                else:
                    frm.pop()
        cte.pop()
        if not with_.expressions:
            with_.pop()

    def _resolve_sources(self, tree: exp.Expression, table: str, ctes: dict, views: bool = False) -> None:
        for t in list(tree.find_all(exp.Table)):
            fn = t.this
            if not isinstance(fn, exp.Anonymous):
                continue
            fname = fn.name.lower()
            alias = t.args.get("alias")
            if fname in TABLE_SOURCES:
                new = exp.to_table(table)
            elif fname in self.macros and self.macros[fname].table:
                pos = [a for a in fn.expressions if not isinstance(a, exp.PropertyEQ)]
                named = {a.this.name: a.expression for a in fn.expressions if isinstance(a, exp.PropertyEQ)}
                src = self.evaluate(pos[0]) if pos else exp.Literal.string(table)
                child_args = {k: v.sql(dialect="duckdb") for k, v in named.items()}
                key = (fname, src.name, tuple(sorted(child_args.items())))
                if key not in ctes:
                    body = self.expand(fname, src.name, child_args, ctes, views)
                    prefix = f"_m{len(ctes)}"
                    if views:
                        ctes[key] = (fname if not child_args else f"{fname}{prefix}", body)
                    else:
                        _prefix_ctes(body, prefix)
                        ctes[key] = (f"{prefix}_{fname}", body)
                new = exp.to_table(ctes[key][0])
            else:
                raise ValueError(f"unknown table function {fname}")
            if alias is not None:
                new.set("alias", alias.copy())
            t.replace(new)

    def _inline_scalar_macros(self, tree: exp.Expression) -> None:
        for fn in list(tree.find_all(exp.Anonymous)):
            m = self.macros.get(fn.name.lower())
            if m is None or m.table:
                continue
            body = sqlglot.parse_one(m.body, read="duckdb")
            names = [p for p, _ in m.params]
            for col in list(body.find_all(exp.Column)):
                if not col.table and col.name in names:
                    col.replace(exp.Paren(this=fn.expressions[names.index(col.name)].copy()))
            fn.replace(exp.Paren(this=body))

    # ------------------------------------------------------------------ rendering
    def render(self, name: str, dialect: str, table: str = "events", args: dict[str, str] | None = None,
               pretty: bool = True) -> str:
        tree = self.expand(name, table, args)
        rewrite(tree, dialect)
        sql = tree.sql(dialect=dialect, pretty=pretty, unsupported_level=sqlglot.ErrorLevel.RAISE)
        check_portable(sql, self)
        return sql

    def render_views(self, name: str, dialect: str, table: str = "events", args: dict[str, str] | None = None,
                     pretty: bool = True) -> list[tuple[str, str]]:
        """(view name, SELECT) of each hunt `name` calls, dependencies first, then `name` itself
        reading them by name: an engine that materialises each (Spark caches them) computes every
        hunt once and plans small queries."""
        deps: dict = {}
        tree = self.expand(name, table, args, deps, views=True)
        out = []
        for view, body in list(deps.values()) + [(name, tree)]:
            rewrite(body, dialect)
            sql = body.sql(dialect=dialect, pretty=pretty, unsupported_level=sqlglot.ErrorLevel.RAISE)
            check_portable(sql, self, allowed={v for v, _ in deps.values()})
            out.append((view, sql))
        return out

    def render_steps(self, name: str, dialect: str, table: str = "events", args: dict[str, str] | None = None,
                     pretty: bool = False) -> list[tuple[str, str, int]]:
        """render_views split further: each CTE of each view is a step of its own, named
        `<view>__<cte>`, as (name, SELECT, how many later steps read it); the last step is the
        hunt. Spark inlines a CTE at every reference, so a hunt whose CTEs read each other several
        times recomputes the same rows over and over (cf_campaign_members: minutes on a small
        day); steps read more than once are cached by the caller and computed once, as DuckDB
        materialises such CTEs."""
        steps: list[tuple[str, exp.Expression]] = []
        for view, sql in self.render_views(name, dialect, table, args, pretty=False):
            tree = sqlglot.parse_one(sql, read=dialect)
            with_ = tree.args.get("with_") or tree.args.get("with")
            if with_ is not None:
                _prefix_ctes(tree, f"{view}__")
                for cte in with_.expressions:
                    steps.append((cte.alias, cte.this))
                with_.pop()
            steps.append((view, tree))
        out = []
        for i, (step, tree) in enumerate(steps):
            readers = sum(1 for _, later in steps[i + 1:] for t in later.find_all(exp.Table)
                          if t.name == step and not t.args.get("db"))
            out.append((step, tree.sql(dialect=dialect, pretty=pretty), readers))
        return out

    def hunts(self) -> list[str]:
        """Every table macro reading CloudFront rows (cf_blocklist reads findings, cf_lake files,
        read_cloudfront_parquet a delivery; cf_events is the row source itself)."""
        skip = {"cf_blocklist", "cf_lake", "read_cloudfront_parquet", "cf_events"}
        return [n for n, m in self.macros.items() if m.table and n not in skip]


def _prefix_ctes(tree: exp.Expression, prefix: str) -> None:
    """Renames the CTEs of an inlined hunt (sqlglot hoists nested WITHs for Spark, where two
    hunts' `_cf_t` would then clash), keeping the old name as the alias where there was none."""
    with_ = tree.args.get("with_") or tree.args.get("with")
    if not with_:
        return
    names = {c.alias for c in with_.expressions}
    for c in with_.expressions:
        c.set("alias", exp.TableAlias(this=exp.to_identifier(prefix + c.alias)))
    for t in tree.find_all(exp.Table):
        if t.name in names and not t.args.get("db"):
            old = t.name
            t.set("this", exp.to_identifier(prefix + old))
            if not t.args.get("alias"):
                t.set("alias", exp.TableAlias(this=exp.to_identifier(old)))


def check_portable(sql: str, pb: Playbook, allowed: set[str] | None = None) -> None:
    ours = {"query_table", "cf_events", "attack_types", "is_waf_block", "ua_category", "crawler_verdict",
            "is_scanner_path", "url_decode_cf", "edge_location", "ip_prefix", "encoding_depth", "looks_random",
            "query_max_entropy", "is_cache_miss", "is_origin_error", "is_rate_limited", "is_bot", "format_bytes",
            "list_has_all", "list_slice", "struct_pack", "strftime", "epoch", "error", "generate_subscripts",
            "string_split_regex", "regexp_matches", "list_sort", "list_distinct", "list_contains", "arg_max", "arg_min"}
    ours |= {n for n in pb.macros} - (allowed or set())
    found = sorted({f for f in re.findall(r"\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", sql) if f.lower() in ours})
    if found:
        raise ValueError(f"not portable: the rendering still calls {', '.join(found)}")


# ---------------------------------------------------------------------- dialect rewrites

def _comparator(keys: list[exp.Ordered], dialect: str) -> exp.Expression:
    """(l, r) -> -1/0/1 comparing the struct fields k0, k1, ... as the ORDER BY keys do."""
    cond = []
    for i, k in enumerate(keys):
        desc = bool(k.args.get("desc"))
        lt, gt = (exp.Literal.number(1), exp.Literal.number(-1)) if desc else (exp.Literal.number(-1), exp.Literal.number(1))
        l_, r_ = exp.column(f"k{i}", "l"), exp.column(f"k{i}", "r")
        # NULL keys sort last ascending, first descending (DuckDB's defaults).
        cond.append((exp.and_(exp.Is(this=l_.copy(), expression=exp.Null()), exp.Not(this=exp.Is(this=r_.copy(), expression=exp.Null()))),
                     exp.Literal.number(-1) if desc else exp.Literal.number(1)))
        cond.append((exp.and_(exp.Not(this=exp.Is(this=l_.copy(), expression=exp.Null())), exp.Is(this=r_.copy(), expression=exp.Null())),
                     exp.Literal.number(1) if desc else exp.Literal.number(-1)))
        cond.append((exp.LT(this=l_.copy(), expression=r_.copy()), lt))
        cond.append((exp.GT(this=l_.copy(), expression=r_.copy()), gt))
    case = exp.Case(ifs=[exp.If(this=c, true=v) for c, v in cond], default=exp.Literal.number(0))
    return exp.Lambda(this=case, expressions=[exp.to_identifier("l"), exp.to_identifier("r")])


def _filtered(agg: exp.Expression, where: exp.Expression | None) -> exp.Expression:
    return exp.Filter(this=agg, expression=exp.Where(this=where.copy())) if where is not None else agg


def _sorted_values(value: exp.Expression, keys: list[exp.Ordered], distinct: bool, dialect: str,
                   where: exp.Expression | None = None) -> exp.Expression:
    """The aggregated values of `value` (rows passing `where`) in the order of `keys`, as an array."""
    if distinct and len(keys) == 1 and keys[0].this == value and not keys[0].args.get("desc"):
        agg = _filtered(exp.ArrayAgg(this=exp.Distinct(expressions=[value.copy()])), where)
        return exp.Anonymous(this="array_sort", expressions=[agg]) if dialect == "spark" else exp.ArraySort(this=agg)
    fields = [exp.PropertyEQ(this=exp.to_identifier(f"k{i}"), expression=k.this.copy()) for i, k in enumerate(keys)]
    fields.append(exp.PropertyEQ(this=exp.to_identifier("v"), expression=value.copy()))
    struct = exp.Struct(expressions=fields)
    if dialect == "trino":
        # Trino has ORDER BY inside array_agg: no struct needed.
        return _filtered(exp.ArrayAgg(this=exp.Order(this=value.copy(), expressions=[k.copy() for k in keys])), where)
    agg = _filtered(exp.ArrayAgg(this=struct), where)
    sorted_ = exp.Anonymous(this="array_sort", expressions=[agg, _comparator(keys, dialect)])
    return exp.Anonymous(this="transform", expressions=[
        sorted_, exp.Lambda(this=exp.Dot(this=exp.to_identifier("s"), expression=exp.to_identifier("v")),
                            expressions=[exp.to_identifier("s")])])


def _null_if_empty(arr: exp.Expression, dialect: str) -> exp.Expression:
    size = exp.ArraySize(this=arr.copy())
    return exp.Case(ifs=[exp.If(this=exp.EQ(this=size, expression=exp.Literal.number(0)), true=exp.Null())], default=arr)


def _strftime(fmt: str, dialect: str) -> str:
    if dialect == "spark":
        out, lit = "", ""
        table = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}
        i = 0
        while i < len(fmt):
            if fmt[i] == "%" and fmt[i:i + 2] in table:
                if lit:
                    out += "'" + lit + "'"
                    lit = ""
                out += table[fmt[i:i + 2]]
                i += 2
            else:
                lit += fmt[i]
                i += 1
        if lit:
            out += "'" + lit + "'"
        return out
    # Trino's date_format follows MySQL: %i minutes, %s seconds.
    return fmt.replace("%M", "%i").replace("%S", "%s")


def rewrite(tree: exp.Expression, dialect: str) -> None:
    """Rewrites what sqlglot does not translate faithfully from DuckDB to `dialect` (DIALECT_NOTES)."""
    for cte in tree.find_all(exp.CTE):
        cte.set("materialized", None)

    def fix(node: exp.Expression) -> exp.Expression:
        # An aggregate FILTER stays on the aggregate the rewrite produces.
        where = None
        if isinstance(node, exp.Filter) and (isinstance(node.this, exp.Mode) or (
                isinstance(node.this, (exp.ArrayAgg, exp.GroupConcat)) and isinstance(node.this.this, exp.Order))):
            where = node.expression.this
            node = node.this
        # mode(x ORDER BY x)
        if isinstance(node, exp.Mode):
            x = node.this.this if isinstance(node.this, exp.Order) else node.this
            if dialect == "spark":
                return _filtered(exp.Anonymous(this="mode", expressions=[x.copy(), exp.Boolean(this=True)]), where)
            hist = _filtered(exp.Anonymous(this="histogram", expressions=[x.copy()]), where)
            entries = exp.Anonymous(this="map_entries", expressions=[hist])
            cmp = sqlglot.parse_one(
                "(a, b) -> CASE WHEN a[2] > b[2] THEN -1 WHEN a[2] < b[2] THEN 1 WHEN a[1] < b[1] THEN -1 "
                "WHEN a[1] > b[1] THEN 1 ELSE 0 END", read="trino")
            sorted_ = exp.Anonymous(this="array_sort", expressions=[entries, cmp])
            first = exp.Bracket(this=sorted_, expressions=[exp.Literal.number(1)])
            return exp.Bracket(this=first, expressions=[exp.Literal.number(1)])
        # list(x ORDER BY ...), string_agg(x, sep ORDER BY ...) (Trino's array_agg takes an ORDER BY)
        if isinstance(node, exp.ArrayAgg) and dialect == "trino":
            return _filtered(node, where) if where is not None else node
        if isinstance(node, (exp.ArrayAgg, exp.GroupConcat)) and isinstance(node.this, exp.Order):
            order = node.this
            value, distinct = order.this, False
            if isinstance(value, exp.Distinct):
                value, distinct = value.expressions[0], True
            arr = _sorted_values(value, list(order.expressions), distinct, dialect, where)
            if isinstance(node, exp.ArrayAgg):
                return _null_if_empty(arr, dialect)
            sep = node.args.get("separator") or exp.Literal.string(",")
            joined = exp.ArrayToString(this=arr, expression=sep.copy())
            return exp.Nullif(this=joined, expression=exp.Literal.string(""))
        if isinstance(node, exp.Anonymous):
            n = node.name.lower()
            a = node.expressions
            if n == "list_has_all":
                return exp.EQ(this=exp.ArraySize(this=exp.Anonymous(this="array_except", expressions=[a[1].copy(), a[0].copy()])),
                              expression=exp.Literal.number(0))
            if n == "list_slice":
                length = exp.Add(this=exp.Sub(this=a[2].copy(), expression=a[1].copy()), expression=exp.Literal.number(1))
                return exp.Anonymous(this="slice", expressions=[a[0].copy(), a[1].copy(), length])
            if n == "printf" and a and isinstance(a[0], exp.Literal):
                # Spark's and Trino's formatters refuse %f for a DECIMAL (DuckDB's 100.0 * x is
                # one): the argument of each floating-point conversion is cast to DOUBLE.
                convs = [m.group(1) for m in re.finditer(r"%(?:%|[-#+ 0,(]*\d*(?:\.\d+)?([a-zA-Z]))", a[0].name) if m.group(1)]
                args = [a[0].copy()]
                for i, x in enumerate(a[1:]):
                    conv = convs[i] if i < len(convs) else "s"
                    args.append(exp.Cast(this=x.copy(), to=exp.DataType.build("DOUBLE")) if conv in "fFeEgG" else x.copy())
                return exp.Anonymous(this="printf" if dialect == "spark" else "format", expressions=args)
            if n == "timezone" and len(a) == 2 and isinstance(a[0], exp.Literal) and a[0].name.upper() == "UTC":
                if dialect == "spark":
                    return a[1].copy()
                return exp.AtTimeZone(this=a[1].copy(), zone=exp.Literal.string("UTC"))
        # A rolling median (median over a window frame): Spark's percentiles take no frame, so
        # the frame's values are collected, sorted, and the middle one(s) averaged.
        if isinstance(node, exp.Window) and isinstance(node.this, exp.Median) and dialect == "spark":
            win = node.copy()
            win.set("this", exp.ArrayAgg(this=node.this.this.copy()))
            arr = exp.Anonymous(this="array_sort", expressions=[win])
            return _array_median(arr)
        if isinstance(node, exp.PercentileCont) and node.args.get("expression") is not None:
            fn = "percentile" if dialect == "spark" else "approx_percentile"
            return exp.Anonymous(this=fn, expressions=[node.this.copy(), node.expression.copy()])
        if isinstance(node, exp.TimeToStr):
            fmt = node.args["format"].name
            return exp.Anonymous(this="date_format", expressions=[node.this.copy(), exp.Literal.string(_strftime(fmt, dialect))])
        if isinstance(node, exp.UnixToTime) and dialect == "spark":
            return exp.Anonymous(this="timestamp_seconds", expressions=[node.this.copy()])
        if isinstance(node, exp.Cast) and dialect == "spark" and node.to.this in (exp.DataType.Type.BIGINT, exp.DataType.Type.INT):
            inner = node.this.unnest()
            if isinstance(inner, (exp.Binary, exp.Column, exp.Func)) and not isinstance(
                    inner, (exp.Predicate, exp.Connector, exp.Not, exp.Boolean, exp.Round, exp.Floor, exp.Ceil)) and not _is_integral(inner):
                # DOUBLE first: round() refuses a BOOLEAN column (DuckDB casts it to 0/1).
                as_double = exp.Cast(this=node.this.copy(), to=exp.DataType.build("DOUBLE"))
                return exp.Cast(this=exp.Round(this=as_double), to=node.to.copy())
        if dialect == "trino":
            if isinstance(node, exp.Median):
                return exp.Anonymous(this="approx_percentile", expressions=[node.this.copy(), exp.Literal.number("0.5")])
            if isinstance(node, exp.Contains) or (isinstance(node, exp.Anonymous) and node.name.lower() == "contains"):
                s, t = (node.this, node.expression) if isinstance(node, exp.Contains) else node.expressions
                return exp.GT(this=exp.StrPosition(this=s.copy(), substr=t.copy()), expression=exp.Literal.number(0))
            if isinstance(node, (exp.Greatest, exp.Least)):
                args = [node.this] + list(node.expressions)
                if len(args) > 1:
                    rot = [exp.Coalesce(this=args[i].copy(), expressions=[args[j].copy() for j in range(len(args)) if j != i])
                           for i in range(len(args))]
                    return type(node)(this=rot[0], expressions=rot[1:])
        return node

    def fix_all(node: exp.Expression) -> exp.Expression:
        new = fix(node)
        if new is not node:
            # sqlglot does not descend into a replacement: rewrite its children here.
            for k, v in list(new.args.items()):
                if isinstance(v, exp.Expression):
                    new.set(k, v.transform(fix_all, copy=False))
                elif isinstance(v, list):
                    new.set(k, [x.transform(fix_all, copy=False) if isinstance(x, exp.Expression) else x for x in v])
        return new

    tree.transform(fix_all, copy=False)


def _array_median(arr: exp.Expression) -> exp.Expression:
    """The median of a sorted array expression (NULL when empty), as quantile_cont(0.5) computes it."""
    tmpl = sqlglot.parse_one(
        "CASE WHEN size(ARR) = 0 THEN NULL "
        "WHEN size(ARR) % 2 = 1 THEN element_at(ARR, CAST(floor(size(ARR) / 2) AS INT) + 1) "
        "ELSE (element_at(ARR, CAST(floor(size(ARR) / 2) AS INT)) + element_at(ARR, CAST(floor(size(ARR) / 2) AS INT) + 1)) / 2.0 END",
        read="spark")
    return tmpl.transform(lambda n: arr.copy() if isinstance(n, exp.Column) and n.name == "ARR" else n)


def _is_integral(node: exp.Expression) -> bool:
    """Whether a cast's operand is obviously an integer (a count or a sum of counts)."""
    if isinstance(node, exp.Count):
        return True
    if isinstance(node, exp.Filter) and isinstance(node.this, exp.Count):
        return True
    if isinstance(node, exp.Cast):
        return node.to.this in (exp.DataType.Type.BIGINT, exp.DataType.Type.INT)
    return False
