namespace EduRelief.Bench.Generator;

/// <summary>
/// Two consecutive cycles of one county: the spring cycle of <see cref="CountySpec.SchoolYear"/> (written exactly as
/// <see cref="CountyGenerator.Write"/> writes that county) and the autumn cycle that follows it, the first of the next
/// school year (<c>SchoolYear = 2025</c>: 2026-spring, then 2026-autumn). Rates are per spring pupil; a pupil in the
/// last grade of a stage moves on to the next stage's grade 1 or, at the stop rates, leaves school.
/// </summary>
public sealed record SemesterPairSpec(
    CountySpec County,
    double TransferRate = 0.03,
    double DropoutRate = 0.01,
    double OutsideRate = 0.01,
    double StopAfterJuniorRate = 0.12,
    double StopAfterSeniorRate = 0.35,
    double UnclosedTransferRate = 0.2,
    double AutumnInvalidIdRate = 0.002)
{
    /// <summary>The calendar year of both cycles.</summary>
    public int Year => County.SchoolYear + 1;

    public string SpringCycleId => $"{County.CountyCode}-{Year}-spring";

    public string AutumnCycleId => $"{County.CountyCode}-{Year}-autumn";

    public DateOnly SpringCreated => new(Year, 3, 1);

    public DateOnly AutumnCreated => new(Year, 9, 1);

    /// <summary>The autumn cycle's county: the next school year.</summary>
    public CountySpec Autumn => County with { SchoolYear = Year };
}

/// <summary>
/// The files of both cycles (the registry of covered households is the same in both: the autumn copy is the spring
/// file) and what the DOMAIN rules find between them (<see cref="SemesterChangesOracle"/>).
/// </summary>
public sealed record GeneratedSemesters(
    GeneratedCounty Spring,
    string AutumnStudentsPath,
    string AutumnPovertyPath,
    string AutumnOutsidePath,
    ExpectedChanges Changes);

/// <summary>A new pupil of the spring roster as the school has them (the name as written, the real number).</summary>
internal sealed record EnrolledPupil(string Id, string Name, bool Male, School School, int Grade, bool Boarding);

/// <summary>What the spring cycle leaves for the autumn one. Holds every spring pupil: for test-sized counties.</summary>
internal sealed class SemesterRecorder(SemesterChangesOracle changes)
{
    public List<EnrolledPupil> Pupils { get; } = [];

    public SemesterChangesOracle Changes { get; } = changes;
}

public static class SemesterPairGenerator
{
    /// <summary>外地就学 list columns (DOMAIN "外地就学").</summary>
    public static readonly string[] OutsideHeader = ["姓名", "身份证号", "就读省市", "就读学校", "学段", "年级"];

    /// <summary>Writes spring/ and autumn/ under <paramref name="directory"/>.</summary>
    public static GeneratedSemesters Write(SemesterPairSpec spec, string directory)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var changes = new SemesterChangesOracle(spec.SpringCreated, spec.AutumnCreated, spec.Year);
        var recorder = new SemesterRecorder(changes);
        var (spring, springContext, root) = CountyGenerator.WriteCycle(spec.County, Path.Combine(directory, "spring"), spec.SpringCreated, recorder);

        var autumnDirectory = Path.Combine(directory, "autumn");
        Directory.CreateDirectory(autumnDirectory);
        var context = springContext.ForCycle(spec.Autumn, spec.AutumnCreated, root.Fork(3));
        var county = spec.County;
        var studentsPath = Path.Combine(autumnDirectory, "students" + Path.GetExtension(spring.StudentsPath));
        var outsidePath = Path.Combine(autumnDirectory, "outside.csv");
        var povertyPath = Path.Combine(autumnDirectory, Path.GetFileName(spring.PovertyPath));
        File.Copy(spring.PovertyPath, povertyPath);
        using (var students = RowWriter.Create(studentsPath, county.StudentFormat, county.Gbk, "学生名单", CountyGenerator.StudentHeader.Concat(context.Layout.CommonTexts())))
        using (var outside = RowWriter.Create(outsidePath, RosterOutput.Csv, gbk: false, "外地就学", context.Layout.CommonTexts()))
        {
            new AutumnRosterWriter(context, spec, students, outside, changes).Write(recorder.Pupils);
        }

        return new GeneratedSemesters(spring, studentsPath, povertyPath, outsidePath, changes.Result());
    }
}
