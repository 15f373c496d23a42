using EduRelief.Bench.Generator;
using EduRelief.Children;
using EduRelief.Cycles;
using EduRelief.Eligibility;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using Xunit;
using Xunit.Abstractions;

namespace EduRelief.Tests.Children;

/// <summary>
/// Hidden-data style: the generator writes a spring cycle and the autumn that follows it with real movement, and
/// predicts the DOMAIN counts on its own (<see cref="SemesterChangesOracle"/>); the app's reader, ID validation and
/// verifier turn the files into the comparison's inputs, and <see cref="SemesterComparison"/> must find the same.
/// </summary>
public sealed class GeneratedSemestersTests(ITestOutputHelper output) : IDisposable
{
    private static readonly ResolvedPolicy Policy = DefaultPolicies.Load(DefaultPolicies.ShippedDirectory)[2026];
    private static readonly int AutumnId = RosterSchema.IndexOf(RosterKind.Students, "身份证号");
    private static readonly int AutumnSchool = RosterSchema.IndexOf(RosterKind.Students, "学校标识码");

    private readonly string root = Path.Combine(Path.GetTempPath(), "edurelief-semesters-" + Guid.NewGuid().ToString("N"));

    /// <summary>Spring 2026 then autumn 2026, with more movement than a real county so that small counties show every kind.</summary>
    private static SemesterPairSpec Pair(int students, int seed, RosterOutput format) => new(
        new CountySpec(SchoolYear: 2025, Students: students, Seed: seed, PovertyShareOfStudents: 0.3, NameMismatchRate: 0.05, StudentFormat: format),
        TransferRate: 0.05, DropoutRate: 0.04, OutsideRate: 0.03, AutumnInvalidIdRate: 0.01);

    [Theory]
    [InlineData(3_000, 21, RosterOutput.Csv)]
    [InlineData(2_000, 22, RosterOutput.Xlsx)]
    [InlineData(4_000, 23, RosterOutput.Csv)]
    public async Task Compare_GeneratedSpringAndAutumn_EveryCountIsTheGeneratorsExpectation(int students, int seed, RosterOutput format)
    {
        var spec = Pair(students, seed, format);
        var generated = SemesterPairGenerator.Write(spec, Path.Combine(root, seed.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var previous = await PreviousChildrenAsync(generated.Spring, spec);
        var now = new CurrentCycleView(SemesterOf(spec.AutumnCycleId), await AutumnSchoolsAsync(generated.AutumnStudentsPath, spec.AutumnCreated), OutsideList(generated.AutumnOutsidePath, spec.AutumnCreated));
        var changes = SemesterComparison.Compare(previous, SemesterOf(spec.SpringCycleId), now);

        var expected = generated.Changes;
        output.WriteLine($"{previous.Count} covered children in spring: {expected}");
        Assert.Equal(expected, new ExpectedChanges(changes.Transferred.Count, changes.Absent.Count, changes.ReferralCandidates.Count, changes.Outside.Count, expected.AutumnSchoolAge));
        Assert.All(new[] { expected.Transferred, expected.AbsentSchoolAge, expected.ReferralCandidates, expected.OutsideCounty }, count => Assert.True(count > 0));
    }

    [Fact]
    public void Write_SpringCycle_IsByteForByteTheSingleCycleCounty()
    {
        var spec = Pair(2_000, 24, RosterOutput.Xlsx);
        var single = CountyGenerator.Write(spec.County, Path.Combine(root, "single"), spec.SpringCreated);
        var pair = SemesterPairGenerator.Write(spec, Path.Combine(root, "pair"));

        Assert.Equal(File.ReadAllBytes(single.StudentsPath), File.ReadAllBytes(pair.Spring.StudentsPath));
        Assert.Equal(File.ReadAllBytes(single.PovertyPath), File.ReadAllBytes(pair.Spring.PovertyPath));
        Assert.True(single.Expected.SameAs(pair.Spring.Expected));
    }

    private static Semester SemesterOf(string cycleId) =>
        Semester.TryParse(cycleId[(CycleIds.CountyOf(cycleId)!.Length + 1)..], out var semester) ? semester : throw new ArgumentException(cycleId);

    private static RosterFormat FormatOf(string path) => path.EndsWith(".xlsx", StringComparison.Ordinal) ? RosterFormat.Xlsx : RosterFormat.Csv;

    /// <summary>The spring cycle's covered children as the app's verifier finds them: eligible, or pending a name review.</summary>
    private static async Task<List<PreviousChild>> PreviousChildrenAsync(GeneratedCounty spring, SemesterPairSpec spec)
    {
        await using var poverty = File.OpenRead(spring.PovertyPath);
        await using var students = File.OpenRead(spring.StudentsPath);
        var result = await Verifier.RunAsync(
            RosterReader.ReadAsync(poverty, FormatOf(spring.PovertyPath), RosterKind.Poverty, CancellationToken.None),
            RosterReader.ReadAsync(students, FormatOf(spring.StudentsPath), RosterKind.Students, CancellationToken.None),
            spec.SpringCreated, spec.County.SchoolYear, Policy, CancellationToken.None);
        var pending = result.Discrepancies.Where(d => d.Kind == DiscrepancyKinds.NameMismatch).Select(d => d.Student!);
        return [.. result.Eligible.Select(s => Child(s, eligible: true)), .. pending.Select(s => Child(s, eligible: false))];
    }

    private static PreviousChild Child(StudentRecord s, bool eligible) => new(s.IdNumber, s.SchoolCode, s.Stage, s.Grade, eligible);

    /// <summary>Every valid number of the autumn roster at the school of its first row.</summary>
    private static async Task<Dictionary<IdNumber, string>> AutumnSchoolsAsync(string path, DateOnly created)
    {
        await using var file = File.OpenRead(path);
        var schools = new Dictionary<IdNumber, string>();
        await foreach (var row in RosterReader.ReadAsync(file, FormatOf(path), RosterKind.Students, CancellationToken.None))
        {
            if (IdNumber.TryParse(row[AutumnId], created, out var id, out _) == IdProblem.None)
            {
                schools.TryAdd(id, row[AutumnSchool]);
            }
        }

        return schools;
    }

    private static HashSet<IdNumber> OutsideList(string path, DateOnly created) =>
        Generator.RosterFiles.Read(path).Rows
            .Select(r => IdNumber.TryParse(r["身份证号"], created, out var id, out _) == IdProblem.None ? id : (IdNumber?)null)
            .OfType<IdNumber>()
            .ToHashSet();

    public void Dispose()
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
