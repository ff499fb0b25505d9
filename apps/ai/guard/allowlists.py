"""What a question's SQL may call, and cast to: reporting needs aggregates, dates, text and arithmetic, nothing
that sleeps, reads files, reaches the network, reads or sets settings, or touches large objects.

Functions are allowed by sqlglot's expression class (a function sqlglot does not know is `Anonymous`), plus a
few PostgreSQL functions sqlglot leaves anonymous, by name. Everything else is refused, so a new dangerous
function is refused by default.
"""

from __future__ import annotations

from sqlglot import exp

ALLOWED_FUNCTION_TYPES: frozenset[type[exp.Func]] = frozenset({
    # logic and conditionals (AND/OR are functions to sqlglot)
    exp.And, exp.Or, exp.Xor, exp.Case, exp.If, exp.Coalesce, exp.Nullif, exp.Greatest, exp.Least, exp.Exists,
    exp.Cast, exp.TryCast,
    # aggregates and window functions
    exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.Stddev, exp.StddevPop, exp.StddevSamp, exp.Variance,
    exp.ArrayAgg, exp.GroupConcat, exp.PercentileCont, exp.PercentileDisc, exp.RowNumber, exp.Rank,
    exp.DenseRank, exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue, exp.Ntile, exp.CumeDist,
    exp.PercentRank, exp.CountIf, exp.LogicalAnd, exp.LogicalOr,
    # dates and times
    # (not CURRENT_TIME: sqlglot writes it back as CURRENT_TIME(), which PostgreSQL cannot parse; LOCALTIME is
    # the same clock)
    exp.CurrentDate, exp.CurrentTimestamp, exp.Localtimestamp, exp.Localtime, exp.TimestampTrunc, exp.DateTrunc,
    exp.Extract,
    exp.TimeToStr, exp.StrToDate, exp.StrToTime, exp.UnixToTime, exp.Date, exp.DateAdd, exp.DateSub,
    exp.DateDiff, exp.GenerateSeries, exp.ExplodingGenerateSeries, exp.GenerateDateArray,
    # numbers
    exp.Round, exp.Abs, exp.Floor, exp.Ceil, exp.Sqrt, exp.Pow, exp.Ln, exp.Log, exp.Exp, exp.Sign,
    # text
    exp.Lower, exp.Upper, exp.Length, exp.Concat, exp.ConcatWs, exp.Substring, exp.Trim, exp.Replace,
    exp.SplitPart, exp.Initcap, exp.Left, exp.Right, exp.Pad, exp.RegexpLike, exp.RegexpILike, exp.StrPosition,
    exp.Array,
})

# PostgreSQL date functions sqlglot does not model; by name, lower case
ALLOWED_ANONYMOUS_FUNCTIONS = frozenset({"age", "date_part", "justify_days", "justify_hours", "justify_interval",
                                         "make_date", "make_interval", "to_timestamp", "date_bin"})

ALLOWED_CAST_TYPES = frozenset({
    exp.DataType.Type.SMALLINT, exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.DECIMAL,
    exp.DataType.Type.FLOAT, exp.DataType.Type.DOUBLE, exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR,
    exp.DataType.Type.CHAR, exp.DataType.Type.BOOLEAN, exp.DataType.Type.DATE, exp.DataType.Type.TIME,
    exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPTZ, exp.DataType.Type.INTERVAL, exp.DataType.Type.UUID,
})
