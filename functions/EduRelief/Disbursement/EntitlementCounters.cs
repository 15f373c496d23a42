using System.Globalization;
using EduRelief.Eligibility;
using System.Text;
using Azure.Data.Tables;
using EduRelief.Storage;

namespace EduRelief.Disbursement;

/// <summary>
/// The money of the entitlement rows of one partition, per school and program: count and fen for each status and for
/// 补发 paid. Pure: <see cref="Apply"/> moves a row's contribution from its old state to its new one, so a counter
/// written in the same entity-group transaction as the rows it counts always equals a recount of them.
/// </summary>
public sealed class EntitlementCounters
{
    /// <summary>The counted columns, in stored order; <c>backPaid</c> is the part of <c>paid</c> that was 补发.</summary>
    public static IReadOnlyList<string> Columns => ColumnOrder;

    private static readonly string[] ColumnOrder =
    [
        EntitlementStatuses.Pending, EntitlementStatuses.Held, EntitlementStatuses.Failed, EntitlementStatuses.InDoubt,
        EntitlementStatuses.Paid, EntitlementStatuses.Cancelled, BackPaid,
    ];

    public const string BackPaid = "backPaid";


    private readonly SortedDictionary<string, long[]> _cells = new(StringComparer.Ordinal);

    /// <summary>Per "{school}|{program}": count and fen per column (2 × <see cref="Columns"/>).</summary>
    public IReadOnlyDictionary<string, long[]> Cells => _cells;

    /// <summary>What a row contributes: its cell and, per column, one count and its fen.</summary>
    private static (string Cell, long Fen, int Status, bool BackPaid)? Contribution(TableEntity? row)
    {
        if (row is null)
        {
            return null;
        }

        var status = row.GetString("Status") ?? EntitlementStatuses.Pending;
        var column = Array.IndexOf(ColumnOrder, status);
        if (column < 0 || column == Columns.Count - 1)
        {
            return null;
        }

        var paidBack = status == EntitlementStatuses.Paid && row.GetBoolean("BackPay") == true;
        return ($"{row.GetString("SchoolCode")}|{row.GetString("Program")}", row.GetInt64("AmountFen") ?? 0, column, paidBack);
    }

    /// <summary>Counts <paramref name="after"/> instead of <paramref name="before"/> (null: absent). False when that changes nothing.</summary>
    public bool Apply(TableEntity? before, TableEntity? after)
    {
        var (from, to) = (Contribution(before), Contribution(after));
        if (from == to)
        {
            return false;
        }

        Add(from, -1);
        Add(to, +1);
        return true;
    }

    /// <summary>Whether replacing <paramref name="before"/> by <paramref name="after"/> moves any figure.</summary>
    public static bool Changes(TableEntity? before, TableEntity? after) => Contribution(before) != Contribution(after);

    private void Add((string Cell, long Fen, int Status, bool BackPaid)? c, int sign)
    {
        if (c is not { } x)
        {
            return;
        }

        if (!_cells.TryGetValue(x.Cell, out var cell))
        {
            cell = _cells[x.Cell] = new long[Columns.Count * 2];
        }

        Bump(cell, x.Status, x.Fen, sign);
        if (x.BackPaid)
        {
            Bump(cell, Columns.Count - 1, x.Fen, sign);
        }

        if (cell.All(v => v == 0))
        {
            _cells.Remove(x.Cell);
        }
    }

    private static void Bump(long[] cell, int column, long fen, int sign)
    {
        cell[column * 2] += sign;
        cell[(column * 2) + 1] += sign * fen;
    }

    /// <summary>Adds another partition's counters (for totals), or a change of one (<see cref="CounterVersions"/>: negative too).</summary>
    public void AddAll(EntitlementCounters other)
    {
        foreach (var (key, values) in other._cells)
        {
            var cell = _cells.TryGetValue(key, out var c) ? c : _cells[key] = new long[Columns.Count * 2];
            for (var i = 0; i < cell.Length; i++)
            {
                cell[i] += values[i];
            }

            if (cell.All(v => v == 0))
            {
                _cells.Remove(key);
            }
        }
    }

    /// <summary>The same money per program only (each cell <c>|{program}</c>, no school): what the county-wide figures read.</summary>
    public EntitlementCounters PerProgram()
    {
        var programs = new EntitlementCounters();
        foreach (var (key, values) in _cells)
        {
            var cell = $"|{key[(key.IndexOf('|', StringComparison.Ordinal) + 1)..]}";
            var sum = programs._cells.TryGetValue(cell, out var s) ? s : programs._cells[cell] = new long[Columns.Count * 2];
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += values[i];
            }
        }

        return programs;
    }

    /// <summary>The figures per program, for every school or one (<paramref name="schoolCode"/>).</summary>
    public IReadOnlyList<ProgramTotals> Totals(IEnumerable<string> programOrder, string? schoolCode)
    {
        var perProgram = new Dictionary<string, long[]>(StringComparer.Ordinal);
        foreach (var (key, values) in _cells)
        {
            var bar = key.IndexOf('|', StringComparison.Ordinal);
            if (schoolCode is not null && key[..bar] != schoolCode)
            {
                continue;
            }

            var sum = perProgram.TryGetValue(key[(bar + 1)..], out var s) ? s : perProgram[key[(bar + 1)..]] = new long[Columns.Count * 2];
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += values[i];
            }
        }

        return programOrder.Concat(perProgram.Keys.Order(StringComparer.Ordinal)).Distinct().Where(perProgram.ContainsKey).Select(program =>
        {
            var v = perProgram[program];
            Figure Get(string column)
            {
                var i = Array.IndexOf(ColumnOrder, column);
                return new Figure((int)v[i * 2], Yuan.FromFen(v[(i * 2) + 1]));
            }

            var owed = Get(EntitlementStatuses.Paid) + Get(EntitlementStatuses.Pending) + Get(EntitlementStatuses.Failed) + Get(EntitlementStatuses.Held) + Get(EntitlementStatuses.InDoubt);
            return new ProgramTotals(program, owed, Get(EntitlementStatuses.Paid), Get(EntitlementStatuses.Pending), Get(EntitlementStatuses.Failed),
                Get(EntitlementStatuses.Held), Get(BackPaid), Get(EntitlementStatuses.Cancelled), Get(EntitlementStatuses.InDoubt));
        }).Where(t => t.Owed.Count + t.Cancelled.Count > 0).ToList();
    }

    /// <summary>
    /// Stored as lines <c>{school}|{program}:{n},{fen},…</c> (ASCII) in properties <c>F0</c>, <c>F1</c>… (or another
    /// <paramref name="prefix"/>) of at most <see cref="ChunkedText.ChunkChars"/> characters each; the counter row is always replaced whole.
    /// </summary>
    public void WriteTo(TableEntity row, string prefix = "F") => ChunkedText.Write(row, ChunkedText.Numbered(prefix), ToText());

    public static EntitlementCounters ReadFrom(TableEntity? row, string prefix = "F") =>
        row is null ? new EntitlementCounters() : FromText(ChunkedText.Read(row, ChunkedText.Numbered(prefix)));

    /// <summary>One line <c>{school}|{program}:{n},{fen},…</c> per cell.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        foreach (var (key, values) in _cells)
        {
            text.Append(key).Append(':').AppendJoin(',', values.Select(v => v.ToString(CultureInfo.InvariantCulture))).Append('\n');
        }

        return text.ToString();
    }

    public static EntitlementCounters FromText(string text)
    {
        var counters = new EntitlementCounters();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.LastIndexOf(':');
            counters._cells[line[..colon]] = line[(colon + 1)..].Split(',').Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        }

        return counters;
    }
}
