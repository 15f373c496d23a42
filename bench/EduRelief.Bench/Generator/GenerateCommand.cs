using System.Diagnostics;
using System.Globalization;

namespace EduRelief.Bench.Generator;

/// <summary>
/// <c>generate --students N --out DIR [--seed S] [--xlsx] [--utf8] [--county 410726] [--school-year 2026] [--created 2026-09-01]</c>:
/// writes students.csv|xlsx and poverty.csv|xlsx into DIR, the expected verification summary to DIR/expected.json,
/// and the same JSON to standard output (progress and timing go to standard error). With <c>--semesters</c>, the
/// school year's spring cycle in DIR/spring and the next autumn in DIR/autumn (with its 外地就学 list), the spring
/// verification in DIR/expected.json and what the comparison of the two finds in DIR/changes.json (see
/// <see cref="SemesterPairSpec"/>: <c>--school-year 2025</c> gives 2026-spring and 2026-autumn).
/// </summary>
public static class GenerateCommand
{
    public const string Usage = "usage: EduRelief.Bench generate --students N --out DIR [--seed S] [--xlsx] [--utf8] [--county CODE] [--school-year YYYY] [--created YYYY-MM-DD] [--semesters]";

    public static int Run(IReadOnlyList<string> args)
    {
        var spec = new CountySpec();
        string? output = null;
        DateOnly? created = null;
        var semesters = false;
        try
        {
            for (var i = 0; i < args.Count; i++)
            {
                string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
                switch (args[i])
                {
                    case "--students":
                        spec = spec with { Students = int.Parse(Value(), CultureInfo.InvariantCulture) };
                        break;
                    case "--out":
                        output = Value();
                        break;
                    case "--seed":
                        spec = spec with { Seed = int.Parse(Value(), CultureInfo.InvariantCulture) };
                        break;
                    case "--xlsx":
                        spec = spec with { StudentFormat = RosterOutput.Xlsx, PovertyFormat = RosterOutput.Xlsx };
                        break;
                    case "--utf8":
                        spec = spec with { Gbk = false };
                        break;
                    case "--county":
                        spec = spec with { CountyCode = Value() };
                        break;
                    case "--school-year":
                        spec = spec with { SchoolYear = int.Parse(Value(), CultureInfo.InvariantCulture) };
                        break;
                    case "--created":
                        created = DateOnly.ParseExact(Value(), "yyyy-MM-dd", CultureInfo.InvariantCulture);
                        break;
                    case "--semesters":
                        semesters = true;
                        break;
                    default:
                        throw new ArgumentException($"Unknown option {args[i]}.");
                }
            }

            if (output is null)
            {
                throw new ArgumentException("--out is required.");
            }
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        if (semesters)
        {
            return WriteSemesters(new SemesterPairSpec(spec), output);
        }

        var cycleCreated = created ?? new DateOnly(spec.SchoolYear, 9, 1);
        var watch = Stopwatch.StartNew();
        var county = CountyGenerator.Write(spec, output, cycleCreated);
        watch.Stop();
        var json = county.Expected.ToJson();
        File.WriteAllText(Path.Combine(output, "expected.json"), json + Environment.NewLine);
        Console.Error.WriteLine($"wrote {county.StudentsPath} ({new FileInfo(county.StudentsPath).Length:N0} bytes) and {county.PovertyPath} ({new FileInfo(county.PovertyPath).Length:N0} bytes) in {watch.Elapsed.TotalSeconds:F2} s; cycle created {cycleCreated:yyyy-MM-dd}");
        Console.WriteLine(json);
        return 0;
    }

    private static int WriteSemesters(SemesterPairSpec spec, string output)
    {
        var watch = Stopwatch.StartNew();
        var pair = SemesterPairGenerator.Write(spec, output);
        watch.Stop();
        var verification = pair.Spring.Expected.ToJson();
        var changes = System.Text.Json.JsonSerializer.Serialize(pair.Changes, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true });
        File.WriteAllText(Path.Combine(output, "expected.json"), verification + Environment.NewLine);
        File.WriteAllText(Path.Combine(output, "changes.json"), changes + Environment.NewLine);
        Console.Error.WriteLine($"wrote {spec.SpringCycleId} and {spec.AutumnCycleId} under {output} in {watch.Elapsed.TotalSeconds:F2} s");
        Console.WriteLine(changes);
        return 0;
    }
}
