using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using EduRelief.Bench.Generator;
using Xunit;
using Xunit.Abstractions;

namespace EduRelief.Tests.Generator;

public sealed class CountyGeneratorTests(GeneratedCountyFixture fixture, ITestOutputHelper output) : IClassFixture<GeneratedCountyFixture>
{
    private static readonly string[] StudentColumns = ["姓名", "身份证号", "学校标识码", "学校名称", "学段", "年级", "是否住校", "备注"];
    private static readonly string[] PovertyColumns = ["序号", "户编号", "姓名", "身份证号", "乡镇", "村", "人员类别"];

    public static TheoryData<string> Counties => new() { "default", "stressed-csv", "stressed-xlsx", "mixed" };

    private Generated County(string name) => name switch
    {
        "default" => fixture.Default,
        "stressed-csv" => fixture.StressedCsv,
        "stressed-xlsx" => fixture.StressedXlsx,
        _ => fixture.Mixed,
    };

    [Theory]
    [InlineData(RosterOutput.Csv, true)]
    [InlineData(RosterOutput.Csv, false)]
    [InlineData(RosterOutput.Xlsx, false)]
    public void SameSeed_WritesByteIdenticalFilesAndTheSameExpectation(RosterOutput format, bool gbk)
    {
        var spec = new CountySpec(Students: 3000, Seed: 42, Gbk: gbk, StudentFormat: format, PovertyFormat: format);
        var a = CountyGenerator.Write(spec, Path.Combine(fixture.Root, $"det-a-{format}-{gbk}"), GeneratedCountyFixture.Created);
        var b = CountyGenerator.Write(spec, Path.Combine(fixture.Root, $"det-b-{format}-{gbk}"), GeneratedCountyFixture.Created);
        var c = CountyGenerator.Write(spec with { Seed = 43 }, Path.Combine(fixture.Root, $"det-c-{format}-{gbk}"), GeneratedCountyFixture.Created);

        Assert.Equal(File.ReadAllBytes(a.StudentsPath), File.ReadAllBytes(b.StudentsPath));
        Assert.Equal(File.ReadAllBytes(a.PovertyPath), File.ReadAllBytes(b.PovertyPath));
        Assert.Equal(a.Expected.ToJson(), b.Expected.ToJson());
        Assert.NotEqual(File.ReadAllBytes(a.StudentsPath), File.ReadAllBytes(c.StudentsPath));
        Assert.NotEqual(File.ReadAllBytes(a.PovertyPath), File.ReadAllBytes(c.PovertyPath));
    }

    [Fact]
    public void GbkCsv_IsNotUtf8_IsPlainGbk_WithCrlfAndTheDomainHeaders()
    {
        var bytes = File.ReadAllBytes(fixture.Default.County.StudentsPath);

        Assert.False(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }));
        Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, true).GetString(bytes));
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var strictGbk = Encoding.GetEncoding(936, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
        Assert.Equal(Encoding.GetEncoding("GB18030").GetString(bytes), strictGbk.GetString(bytes)); // plain GBK, nothing GB18030-only
        Assert.Equal("gb18030", fixture.Default.Students.Encoding);
        Assert.Equal("gb18030", fixture.Default.Poverty.Encoding);
        Assert.Equal(["姓名", "性别", "身份证号", "学校标识码", "学校名称", "学段", "年级", "班级", "是否住校", "备注"], fixture.Default.Students.Header);
        Assert.Equal(["序号", "乡镇", "村", "户编号", "姓名", "性别", "与户主关系", "身份证号", "人员类别"], fixture.Default.Poverty.Header);
        AssertCrlfOnly(bytes);
        AssertCrlfOnly(File.ReadAllBytes(fixture.Default.County.PovertyPath));
    }

    [Fact]
    public void Utf8Csv_HasABom_AndDecodesStrictly()
    {
        var bytes = File.ReadAllBytes(fixture.Mixed.County.PovertyPath);

        Assert.True(bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }));
        Assert.Equal("utf-8-bom", fixture.Mixed.Poverty.Encoding);
        Assert.Contains("人员类别", fixture.Mixed.Poverty.Header);
        AssertCrlfOnly(bytes);
    }

    private static void AssertCrlfOnly(byte[] bytes)
    {
        var lineFeeds = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                lineFeeds++;
                Assert.True(i > 0 && bytes[i - 1] == (byte)'\r', $"bare LF at byte {i}");
            }
        }

        Assert.True(lineFeeds > 1);
        Assert.Equal((byte)'\n', bytes[^1]);
    }

    [Theory]
    [MemberData(nameof(Counties))]
    public void RequiredColumnsAreThere_AndEveryRowHasTheHeaderWidth(string name)
    {
        var county = County(name);

        Assert.All(StudentColumns, c => Assert.Contains(c, county.Students.Header));
        Assert.All(PovertyColumns, c => Assert.Contains(c, county.Poverty.Header));
        Assert.Equal(county.Spec.Students, county.Students.Rows.Count);
    }

    [Theory]
    [MemberData(nameof(Counties))]
    public void Expected_EqualsTheDomainRulesAppliedToTheFilesThemselves(string name)
    {
        var county = County(name);
        var e = county.Expected;
        var r = county.Reference;

        Assert.Equal(r.Students, e.Students);
        Assert.Equal(r.PovertyPersons, e.PovertyPersons);
        Assert.Equal(r.Matched, e.Matched);
        Assert.Equal(r.Eligible, e.Eligible);
        Assert.Equal(r.NameMismatch, e.PendingReview);
        Assert.Equal(
            new Dictionary<string, int>
            {
                ["invalidId"] = r.InvalidId, ["duplicateId"] = r.DuplicateId, ["nameMismatch"] = r.NameMismatch,
                ["notEnrolled"] = r.NotEnrolled, ["invalidRow"] = r.InvalidRow,
            },
            e.Discrepancies);
        Assert.Equal(r.Programs.OrderBy(p => p.Key), e.Programs.OrderBy(p => p.Key));
        output.WriteLine($"{name}: {e.ToJson(indented: false)}");
    }

    [Theory]
    [MemberData(nameof(Counties))]
    public void TotalAmount_IsTheSumOfPrograms_AndTheCountsAddUp(string name)
    {
        var e = County(name).Expected;

        Assert.Equal(e.Programs.Values.Sum(p => p.Amount), e.TotalAmount);
        Assert.Equal(e.Matched, e.Eligible + e.PendingReview);
        Assert.Equal(e.Discrepancies["nameMismatch"], e.PendingReview);
        Assert.True(e.Programs.Values.Sum(p => p.Recipients) <= e.Eligible);
        Assert.All(e.Programs.Values, p => Assert.Equal(p.Amount, decimal.Round(p.Amount, 2)));
    }

    [Fact]
    public void DefaultCounty_LooksLikeTheSpec()
    {
        var e = fixture.Default.Expected;

        // 10 % of 5000 pupils covered, 300 extra registered persons per 1000 pupils, rates as specified.
        Assert.Equal(5000, e.Students);
        Assert.InRange(e.Matched, 420, 560);
        Assert.InRange(e.PovertyPersons, 1900, 2200);
        Assert.All(e.Discrepancies, d => Assert.True(d.Value > 0, d.Key));
        Assert.True(e.Programs.Values.All(p => p.Recipients > 0));
    }

    [Fact]
    public void InvalidIds_OfEveryKindArePresent_AndCountedAsInvalid()
    {
        var rows = Rows(fixture.StressedCsv).Concat(Rows(fixture.StressedXlsx)).ToList();
        var invalid = rows.Where(x => x.Fate == RowFate.InvalidId).Select(x => ReferenceVerification.NormaliseId(x.Row["身份证号"])).ToList();
        int Count(Func<string, bool> predicate) => invalid.Count(predicate);
        bool Shaped(string id) => Regex.IsMatch(id, "^[0-9]{17}[0-9X]$");
        bool DateReal(string id) => DateOnly.TryParseExact(id.Substring(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

        Assert.True(Count(id => id.Length == 0) > 0, "empty");
        Assert.True(Count(id => Regex.IsMatch(id, "^[0-9]{15}$")) > 0, "old 15-digit");
        Assert.True(Count(id => Regex.IsMatch(id, "^[0-9]{17}$")) > 0, "17 digits");
        Assert.True(Count(id => Regex.IsMatch(id, "^[0-9]{19}$")) > 0, "19 digits");
        Assert.True(Count(id => id.Length == 18 && Regex.IsMatch(id[..17], "[A-Za-z]")) > 0, "letters");
        Assert.True(Count(id => Shaped(id) && !DateReal(id)) > 0, "impossible date");
        Assert.True(Count(id => Shaped(id) && DateReal(id) && ReferenceVerification.Birth(id) > GeneratedCountyFixture.Created) > 0, "future birth date");
        Assert.True(Count(id => Shaped(id) && DateReal(id) && ReferenceVerification.Birth(id) <= GeneratedCountyFixture.Created && ReferenceVerification.Birth(id).Year >= 1900) > 0, "wrong check character");
        Assert.True(Count(id => id.Contains("E+17", StringComparison.Ordinal)) > 0, "Excel exponent form");
    }

    [Fact]
    public void ValidIds_WrittenOddly_AreStillValid()
    {
        var rows = Rows(fixture.StressedCsv).Concat(Rows(fixture.StressedXlsx)).Where(x => x.Fate != RowFate.InvalidId).Select(x => x.Row["身份证号"]).ToList();

        Assert.Contains(rows, id => id.Any(c => c is >= '０' and <= '９'));
        Assert.Contains(rows, id => id.Contains('Ｘ', StringComparison.Ordinal));
        Assert.Contains(rows, id => id.EndsWith('x'));
        Assert.Contains(rows, id => id.Contains('\u3000', StringComparison.Ordinal));
        Assert.Contains(rows, id => id.Trim().Contains(' ', StringComparison.Ordinal));
        Assert.Contains(rows, id => id != id.Trim());
        Assert.Contains(rows, id => id.StartsWith('\t'));
    }

    [Fact]
    public void Xlsx_HasExactNumericIdCells_AndExponentCellsThatAreInvalid()
    {
        var rows = Rows(fixture.StressedXlsx).ToList();
        var numeric = rows.Where(x => x.Row.IsNumeric("身份证号")).ToList();

        var exact = numeric.Where(x => Regex.IsMatch(x.Row["身份证号"], "^[0-9]{18}$")).ToList();
        Assert.NotEmpty(exact);
        Assert.All(exact, x => Assert.NotEqual(RowFate.InvalidId, x.Fate));
        var exponent = numeric.Where(x => x.Row["身份证号"].Contains("E+", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(exponent);
        Assert.All(exponent, x => Assert.Equal(RowFate.InvalidId, x.Fate));
        Assert.All(exponent, x => Assert.Matches(@"^\d\.\d{1,14}E\+17$", x.Row["身份证号"]));
        Assert.Contains(fixture.StressedXlsx.Students.Rows, r => r.IsNumeric("年级"));
        Assert.Contains(fixture.StressedXlsx.Students.Rows, r => r["备注"].Length == 0);
    }

    [Fact]
    public void Duplicates_AreInTheSameAndInAnotherSchool_AndInTheRegistry()
    {
        var county = fixture.StressedCsv;
        var first = new Dictionary<string, RosterRow>();
        int sameSchool = 0, otherSchool = 0;
        foreach (var (row, fate, _) in Rows(county).Where(x => x.File == "students"))
        {
            var id = ReferenceVerification.NormaliseId(row["身份证号"]);
            if (fate == RowFate.DuplicateId)
            {
                if (first[id]["学校标识码"] == row["学校标识码"])
                {
                    sameSchool++;
                }
                else
                {
                    otherSchool++;
                }
            }
            else if (fate != RowFate.InvalidId)
            {
                first.TryAdd(id, row);
            }
        }

        Assert.True(sameSchool > 0);
        Assert.True(otherSchool > 0);
        Assert.Contains(county.Reference.PovertyFates, f => f == RowFate.DuplicateId);
        Assert.Contains(county.Reference.StudentFates, f => f == RowFate.DuplicateId);
    }

    [Fact]
    public void InvalidRows_OfEveryKind_HaveValidIds()
    {
        var bad = Rows(fixture.StressedCsv).Where(x => x.Fate == RowFate.InvalidRow).Select(x => x.Row).ToList();
        string[] stages = ["学前", "小学", "初中", "普通高中", "中职", "高校"];

        Assert.Contains(bad, r => !stages.Contains(r["学段"].Trim()));
        Assert.Contains(bad, r => stages.Contains(r["学段"].Trim()) && !Regex.IsMatch(r["年级"].Trim(), "^[0-9]+$"));
        Assert.Contains(bad, r => stages.Contains(r["学段"].Trim()) && Regex.IsMatch(r["年级"].Trim(), "^[0-9]+$"));
        Assert.Contains(bad, r => r["是否住校"].Trim() is not ("是" or "否"));
        Assert.All(bad, r => Assert.True(ReferenceVerification.IsValidId(ReferenceVerification.NormaliseId(r["身份证号"]), GeneratedCountyFixture.Created)));

        // Stray spaces around good values do not make a row unreadable.
        var kept = fixture.StressedCsv.Reference.KeptStudents.Values.ToList();
        Assert.Contains(kept, r => r["学段"] != r["学段"].Trim());
        Assert.Contains(kept, r => r["是否住校"] != r["是否住校"].Trim());
        Assert.Contains(kept, r => r["姓名"] != r["姓名"].Trim());
    }

    [Fact]
    public void Names_RealMismatchesAndDifferencesThatAreNone()
    {
        var all = new[] { fixture.StressedCsv, fixture.StressedXlsx, fixture.Default };
        var matched = all.SelectMany(c => c.Reference.KeptPoverty.Where(p => p.Matched).Select(p => (Registry: p.Row["姓名"], Roster: c.Reference.KeptStudents[p.Id]["姓名"], p.NameMismatch))).ToList();

        Assert.Contains(matched, m => m.NameMismatch);
        Assert.Contains(matched, m => !m.NameMismatch && m.Registry != m.Roster);
        // A mismatch is a typo: the same length, one character (or one on each side) different.
        var typos = matched.Where(m => m.NameMismatch).Select(m => (A: ReferenceVerification.NormaliseName(m.Registry), B: ReferenceVerification.NormaliseName(m.Roster))).ToList();
        Assert.All(typos, t => Assert.Equal(t.A.Length, t.B.Length));
        Assert.All(typos, t => Assert.InRange(t.A.Zip(t.B).Count(p => p.First != p.Second), 1, 2));

        // Names as they are in China: compound surnames, minority names with the middle dot (and its look-alikes).
        var names = all.SelectMany(c => c.Students.Rows.Concat(c.Poverty.Rows)).Select(r => r["姓名"]).ToList();
        Assert.Contains(names, n => n.StartsWith("欧阳", StringComparison.Ordinal) || n.StartsWith("司马", StringComparison.Ordinal) || n.StartsWith("诸葛", StringComparison.Ordinal));
        Assert.Contains(names, n => n.Contains('·', StringComparison.Ordinal));
        Assert.Contains(names, n => n.Contains('•', StringComparison.Ordinal) || n.Contains('．', StringComparison.Ordinal));
    }

    [Fact]
    public void NotEnrolled_CountsCompulsoryAgeOnly_IncludingTheEdges()
    {
        var year = fixture.StressedCsv.Spec.SchoolYear;
        var outside = fixture.StressedCsv.Reference.KeptPoverty.Where(p => !p.Matched)
            .Select(p => (Birth: ReferenceVerification.Birth(p.Id), p.NotEnrolled)).ToList();

        Assert.Contains(outside, p => p.Birth == new DateOnly(year - 6, 8, 31) && p.NotEnrolled);   // 6 that day
        Assert.Contains(outside, p => p.Birth == new DateOnly(year - 16, 9, 1) && p.NotEnrolled);   // 15 for one more day
        Assert.Contains(outside, p => p.Birth == new DateOnly(year - 6, 9, 1) && !p.NotEnrolled);   // 5
        Assert.Contains(outside, p => p.Birth == new DateOnly(year - 16, 8, 31) && !p.NotEnrolled); // 16 that day
        Assert.Contains(outside, p => ReferenceVerification.AgeOn31August(p.Birth, year) < 6);
        Assert.Contains(outside, p => ReferenceVerification.AgeOn31August(p.Birth, year) is 16 or 17);
    }

    [Fact]
    public void PupilAges_FitStageAndGrade()
    {
        int[] offset = [2, 5, 11, 14, 14, 17];
        string[] stages = ["学前", "小学", "初中", "普通高中", "中职", "高校"];
        var year = fixture.StressedCsv.Spec.SchoolYear;
        foreach (var (id, row) in fixture.StressedCsv.Reference.KeptStudents)
        {
            var stage = Array.IndexOf(stages, row["学段"].Trim());
            var age = ReferenceVerification.AgeOn31August(ReferenceVerification.Birth(id), year);
            var nominal = offset[stage] + int.Parse(row["年级"].Trim(), CultureInfo.InvariantCulture);
            Assert.InRange(age, nominal, nominal + 1);
        }

        // 小学 year 1 is 6 or 7 on 31 August.
        Assert.All(fixture.StressedCsv.Reference.KeptStudents.Where(s => s.Value["学段"].Trim() == "小学" && s.Value["年级"].Trim() == "1"),
            s => Assert.InRange(ReferenceVerification.AgeOn31August(ReferenceVerification.Birth(s.Key), year), 6, 7));
    }

    [Fact]
    public void SchoolsAndHouseholds_LookReal()
    {
        var county = fixture.StressedCsv;
        var schools = county.Students.Rows.Select(r => (Code: r["学校标识码"], Name: r["学校名称"], Stage: r["学段"].Trim())).Distinct().ToList();
        Assert.All(schools, s => Assert.Matches("^[0-9]{10}$", s.Code));
        Assert.Contains(schools, s => s.Name == "延津县城关镇第一小学");
        Assert.Contains(schools, s => s.Name == "延津县第一高级中学");
        Assert.Contains(schools, s => s.Name == "延津县职业中等专业学校");
        Assert.Contains(schools, s => s.Name.EndsWith("幼儿园", StringComparison.Ordinal));
        Assert.Contains(schools, s => s.Name.EndsWith("初级中学", StringComparison.Ordinal));
        Assert.True(county.Students.Rows.Count(r => r["学校标识码"].StartsWith("410726", StringComparison.Ordinal)) > 0.99 * county.Students.Rows.Count);
        Assert.Contains(county.Students.Rows, r => r["备注"].Contains(',', StringComparison.Ordinal)); // a quoted CSV field

        // 序号 runs 1..n; households have 1–6 members besides rows that repeat someone (valid number or not); all three categories.
        Assert.Equal(Enumerable.Range(1, county.Poverty.Rows.Count).Select(i => i.ToString(CultureInfo.InvariantCulture)), county.Poverty.Rows.Select(r => r["序号"]));
        var seen = new HashSet<string>();
        var sizes = county.Poverty.Rows.Where(r => r["身份证号"].Length == 0 || seen.Add(ReferenceVerification.NormaliseId(r["身份证号"])))
            .GroupBy(r => r["户编号"]).Select(g => g.Count()).ToList();
        Assert.All(sizes, n => Assert.InRange(n, 1, 6));
        Assert.Contains(sizes, n => n >= 5);
        Assert.Equal(["低保户", "监测户", "脱贫户"], county.Poverty.Rows.Select(r => r["人员类别"]).Distinct().Order());
        Assert.Contains(county.Poverty.Rows, r => !r["身份证号"].Trim().StartsWith("410726", StringComparison.Ordinal) && r["身份证号"].Length > 0);
    }

    [Fact]
    public void AThousandStudentCounty_Writes()
    {
        var watch = Stopwatch.StartNew();
        var county = CountyGenerator.Write(new CountySpec(Students: 1000, Seed: 3), Path.Combine(fixture.Root, "thousand"), GeneratedCountyFixture.Created);
        watch.Stop();

        Assert.Equal(1000, county.Expected.Students);
        output.WriteLine($"1000-student county written in {watch.Elapsed.TotalMilliseconds:F0} ms (first call includes JIT)");
    }

    private static IEnumerable<(RosterRow Row, RowFate Fate, string File)> Rows(Generated county) =>
        county.Students.Rows.Select((r, i) => (r, county.Reference.StudentFates[i], "students"))
            .Concat(county.Poverty.Rows.Select((r, i) => (r, county.Reference.PovertyFates[i], "poverty")));
}
