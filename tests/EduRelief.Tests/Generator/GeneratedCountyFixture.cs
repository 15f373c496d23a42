using EduRelief.Bench.Generator;

namespace EduRelief.Tests.Generator;

/// <summary>Counties generated once for all generator tests, each with its files read back and verified independently.</summary>
public sealed class GeneratedCountyFixture : IDisposable
{
    public static readonly DateOnly Created = new(2026, 9, 1);

    /// <summary>Rates high enough that every kind of defect shows up many times and defects collide.</summary>
    public static readonly CountySpec Stressed = new(
        Students: 20_000, Seed: 7, InvalidIdRate: 0.03, DuplicateRate: 0.03, NameMismatchRate: 0.10, NotEnrolledRate: 0.05, InvalidRowRate: 0.02);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "edurelief-generator-" + Guid.NewGuid().ToString("N"));

    public Generated Default { get; }

    public Generated StressedCsv { get; }

    public Generated StressedXlsx { get; }

    public Generated Mixed { get; }

    public GeneratedCountyFixture()
    {
        Default = Generate(new CountySpec(), "default");
        StressedCsv = Generate(Stressed, "stressed-csv");
        StressedXlsx = Generate(Stressed with { Seed = 8, StudentFormat = RosterOutput.Xlsx, PovertyFormat = RosterOutput.Xlsx }, "stressed-xlsx");
        Mixed = Generate(Stressed with { Students = 5_000, Seed = 9, Gbk = false, StudentFormat = RosterOutput.Xlsx }, "mixed");
    }

    public Generated Generate(CountySpec spec, string name)
    {
        var county = CountyGenerator.Write(spec, Path.Combine(Root, name), Created);
        var students = RosterFiles.Read(county.StudentsPath);
        var poverty = RosterFiles.Read(county.PovertyPath);
        return new Generated(spec, county, students, poverty, ReferenceVerification.Run(students, poverty, spec.SchoolYear, Created));
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }
}

public sealed record Generated(CountySpec Spec, GeneratedCounty County, RosterFile Students, RosterFile Poverty, ReferenceVerification Reference)
{
    public Expected Expected => County.Expected;
}
