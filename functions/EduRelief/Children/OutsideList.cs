using EduRelief.Eligibility;
using EduRelief.Hosting;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;

namespace EduRelief.Children;

/// <summary>One child of the 外地就学 list: studying outside the county, at <see cref="School"/> in <see cref="Place"/>.</summary>
public sealed record OutsideChild(IdNumber IdNumber, string Name, string Place, string School, SchoolStage Stage, int Grade, int Row);

/// <summary>What a 外地就学 list holds: the kept row per child (the first, as in the rosters), and the rows that refuse the file.</summary>
public sealed record OutsideListContent(IReadOnlyList<OutsideChild> Children, int Rows, int Duplicate, IReadOnlyDictionary<string, Text[]> Errors)
{
    public bool Refused => Errors.Count > 0;
}

/// <summary>
/// Reads a cycle's 外地就学 list (DOMAIN "A child across semesters"): <c>姓名, 身份证号, 就读省市, 就读学校, 学段, 年级</c>.
/// The county compiles it itself, so unlike the registry exports a bad row is refused at upload, named, rather than
/// carried as a discrepancy: a child the list cannot identify would otherwise be chased as not enrolled.
/// </summary>
public static class OutsideList
{
    /// <summary>How many refused rows an answer names; the rest are counted.</summary>
    public const int MaxNamedRows = 100;

    private static readonly int NameColumn = RosterSchema.IndexOf(RosterKind.Outside, "姓名");
    private static readonly int IdColumn = RosterSchema.IndexOf(RosterKind.Outside, "身份证号");
    private static readonly int PlaceColumn = RosterSchema.IndexOf(RosterKind.Outside, "就读省市");
    private static readonly int SchoolColumn = RosterSchema.IndexOf(RosterKind.Outside, "就读学校");
    private static readonly int StageColumn = RosterSchema.IndexOf(RosterKind.Outside, "学段");
    private static readonly int GradeColumn = RosterSchema.IndexOf(RosterKind.Outside, "年级");

    /// <param name="cycleCreated">The China date the cycle was created: no valid birth date is after it (as in verification).</param>
    public static async Task<OutsideListContent> ReadAsync(IAsyncEnumerable<RosterRow> rows, DateOnly cycleCreated, CancellationToken cancellationToken)
    {
        var kept = new Dictionary<long, OutsideChild>();
        var errors = new Dictionary<string, Text[]>(StringComparer.Ordinal);
        int count = 0, refused = 0, duplicate = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            count++;
            var (child, problem) = Read(row, cycleCreated);
            if (problem is not null)
            {
                if (++refused <= MaxNamedRows)
                {
                    errors[$"row:{row.RowNumber}"] = [problem];
                }
            }
            else if (!kept.TryAdd(child!.IdNumber.Key, child))
            {
                duplicate++;
            }
        }

        if (refused > MaxNamedRows)
        {
            errors["file"] = [new Text($"共 {refused} 行被拒收，仅列出前 {MaxNamedRows} 行。", $"{refused} rows are refused; the first {MaxNamedRows} are named.")];
        }

        return new OutsideListContent([.. kept.Values.OrderBy(c => c.Row)], count, duplicate, errors);
    }

    private static (OutsideChild? Child, Text? Problem) Read(RosterRow row, DateOnly cycleCreated)
    {
        if (RosterSchema.LongCell(row, RosterKind.Outside) is { } tooLong)
        {
            return (null, tooLong);
        }

        var idProblem = IdNumber.TryParse(row[IdColumn], cycleCreated, out var id, out _);
        if (idProblem != IdProblem.None)
        {
            var described = IdNumbers.Describe(idProblem);
            return (null, new Text($"列“身份证号”：{described.Zh}", $"column 身份证号: {described.En}"));
        }

        foreach (var (column, name) in new[] { (NameColumn, "姓名"), (PlaceColumn, "就读省市"), (SchoolColumn, "就读学校") })
        {
            if (row[column].Trim().Length == 0)
            {
                return (null, new Text($"列“{name}”为空", $"column {name} is empty"));
            }
        }

        var (stage, grade, gradeColumn, reason) = SchoolStages.ReadStageAndGrade(row[StageColumn], row[GradeColumn]);
        if (reason is not null)
        {
            return (null, new Text($"列“{gradeColumn}”：{reason.Zh}", $"column {gradeColumn}: {reason.En}"));
        }

        return (new OutsideChild(id, row[NameColumn].Trim(), row[PlaceColumn].Trim(), row[SchoolColumn].Trim(), stage, grade, row.RowNumber), null);
    }
}
