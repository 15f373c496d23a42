using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using DocumentFormat.OpenXml.Packaging;
using EduRelief.Rosters;
using EduRelief.Bench.Generator;
using EduRelief.Calendar;
using EduRelief.Eligibility;
using EduRelief.Notices;
using EduRelief.Rosters.Parsing;
using Xunit;

namespace EduRelief.Tests.Notices;

/// <summary>
/// A school's notice rendered from a generated county's verification: what it shows, and that nothing identifying a
/// household (ID number, birth date, phone, household category) reaches any byte of either document.
/// </summary>
public sealed class NoticeDocumentTests
{
    private static readonly DateOnly Created = new(2026, 9, 1);
    private static readonly ResolvedPolicy Policy = DefaultPolicies.Load(DefaultPolicies.ShippedDirectory)[2026];
    private static readonly IReadOnlyDictionary<int, CalendarDocument> Shipped = CalendarRules.LoadShipped(WorkingCalendar.ShippedPath);
    private static readonly Func<int, YearCalendar?> Calendars = year => Shipped.GetValueOrDefault(year)?.ToYearCalendar();
    private static readonly TimeSpan China = TimeSpan.FromHours(8);
    private static readonly Lazy<Task<GeneratedSchool>> County = new(GenerateAsync);

    private static readonly NoticeHeading Heading = new("延津县", NoticeText.SemesterTitle("2026-autumn"), "公示时间：9月30日至10月12日（5个工作日）",
        "延津县教育局", "0373-7201234", "延津县文化路 12 号教育局学生资助管理中心");

    /// <summary>The school with the most eligible students of a generated county, with every student's ID and birth date.</summary>
    private sealed record GeneratedSchool(string SchoolCode, IReadOnlyList<LedgerRow> Rows, IReadOnlyList<StudentRecord> County);

    private static async Task<GeneratedSchool> GenerateAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "edurelief-notices-" + Guid.NewGuid().ToString("N"));
        try
        {
            var county = CountyGenerator.Write(new CountySpec(Students: 3000, Seed: 11, NameMismatchRate: 0), directory, Created);
            await using var poverty = File.OpenRead(county.PovertyPath);
            await using var students = File.OpenRead(county.StudentsPath);
            var result = await Verifier.RunAsync(
                RosterReader.ReadAsync(poverty, RosterFormat.Csv, RosterKind.Poverty, CancellationToken.None),
                RosterReader.ReadAsync(students, RosterFormat.Csv, RosterKind.Students, CancellationToken.None),
                Created, 2026, Policy, CancellationToken.None);
            var school = result.Eligible.GroupBy(s => s.SchoolCode).OrderByDescending(g => g.Count()).First();
            var rows = school.SelectMany(s => s.Entitlements.Select(e => ToLedger(s, e))).ToList();
            return new GeneratedSchool(school.Key, rows, result.Eligible);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A ledger row as the store reads it back: it carries the full ID number, which the notice must drop.</summary>
    private static LedgerRow ToLedger(StudentRecord s, Entitlement e) => new(
        $"{s.SchoolCode}.{e.Program}.{s.StudentRow:D8}", s.SchoolCode, s.SchoolName, s.Name, s.IdNumber, SchoolStages.Chinese(s.Stage), s.Grade, s.Boarding, e.Program, e.Amount, "verification");

    [Fact]
    public async Task Render_GeneratedSchool_NoPersonalDataInHtmlOrAnyWorkbookPart()
    {
        var school = await County.Value;
        var notice = NoticeContent.Create(Heading, school.SchoolCode, school.Rows);
        var births = school.County.Select(s => Birth(s.IdNumber.Value)).ToList();
        Assert.True(school.Rows.Count >= 20, $"a realistic school has many rows, got {school.Rows.Count}");
        Assert.Contains(school.County, s => s.Category.Length > 0);

        var texts = new List<(string Where, string Text)> { ("html", Encoding.UTF8.GetString(NoticeRenderer.Html(notice))) };
        using (var zip = new ZipArchive(new MemoryStream(NoticeRenderer.Workbook(notice))))
        {
            foreach (var entry in zip.Entries)
            {
                using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
                texts.Add((entry.FullName, entry.FullName + "\n" + await reader.ReadToEndAsync()));
            }
        }

        Assert.True(texts.Count >= 5, "the workbook has its parts");
        foreach (var (where, text) in texts)
        {
            Assert.Empty(PersonalData.Find(text, births, Heading.HotlinePhone).Select(f => $"{where}: {f}"));
        }

        // The documents do show what a notice shows: every student's name and amount.
        var html = texts[0].Text;
        var sheet = texts.Single(t => t.Where.StartsWith("xl/worksheets/", StringComparison.Ordinal)).Text;
        foreach (var row in school.Rows)
        {
            Assert.Contains(NoticeRenderer.Escape(row.Name), html, StringComparison.Ordinal);
            Assert.Contains(row.Name, sheet, StringComparison.Ordinal);
        }

        Assert.Contains(NoticeRenderer.Amount(notice.Total), html, StringComparison.Ordinal);
        Assert.Contains("0373-7201234", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Scanner_PlantedPersonalData_IsFound()
    {
        var birth = new DateOnly(2015, 3, 1);
        Assert.NotEmpty(PersonalData.Find("张三 41072620150301011X", [], null));
        Assert.NotEmpty(PersonalData.Find("出生 2015-03-01", [birth], null));
        Assert.NotEmpty(PersonalData.Find("<c>20150301</c>", [birth], null));
        Assert.NotEmpty(PersonalData.Find("2015年3月1日", [birth], null));
        Assert.NotEmpty(PersonalData.Find("电话 13812345678", [], null));
        Assert.NotEmpty(PersonalData.Find("电话 0373-7209999", [], "0373-7201234"));
        Assert.NotEmpty(PersonalData.Find("人员类别：监测户", [], null));
        Assert.Empty(PersonalData.Find("监督电话：0373-7201234 公示时间：9月30日至10月12日", [birth], "0373-7201234"));
    }

    [Fact]
    public async Task Render_SameLedgerTwice_ByteIdenticalDocuments()
    {
        var school = await County.Value;
        var first = NoticeContent.Create(Heading, school.SchoolCode, school.Rows);
        var reordered = NoticeContent.Create(Heading, school.SchoolCode, school.Rows.Reverse().ToList());

        Assert.Equal(NoticeRenderer.Html(first), NoticeRenderer.Html(reordered));
        Assert.Equal(NoticeRenderer.Workbook(first), NoticeRenderer.Workbook(reordered));
    }

    [Fact]
    public async Task Render_Workbook_OpensWithOneSheetListingEveryRowSorted()
    {
        var school = await County.Value;
        var notice = NoticeContent.Create(Heading, school.SchoolCode, school.Rows);

        using var document = SpreadsheetDocument.Open(new MemoryStream(NoticeRenderer.Workbook(notice)), false);
        var sheet = Assert.Single(document.WorkbookPart!.Workbook.Sheets!.Elements<DocumentFormat.OpenXml.Spreadsheet.Sheet>());
        Assert.Equal("公示名单", sheet.Name?.Value);
        var rows = document.WorkbookPart.WorksheetParts.Single().Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Row>().ToList();
        Assert.Equal(school.Rows.Count + 5, rows.Count); // title, period, header, lines, total, how to object
        Assert.Null(document.PackageProperties.Creator);

        var order = notice.Lines.Select(l => (Stage: (int)Enum.Parse<SchoolStage>(StageName(l.Stage)), l.Grade, l.Name)).ToList();
        Assert.Equal(order.OrderBy(o => o.Stage).ThenBy(o => o.Grade).ThenBy(o => o.Name, StringComparer.Ordinal).ToList(), order);
        Assert.Equal(school.Rows.Sum(r => r.Amount), notice.Total);
    }

    [Fact]
    public void Render_NameWithMarkup_IsEscaped()
    {
        var rows = new List<LedgerRow>
        {
            new("4107260001.living_subsidy.00000002", "4107260001", "城关镇<b>第一</b>小学", "<script>alert(1)</script>", IdNumber.FromStored("410726201503010113"), "小学", 3, false, "living_subsidy", new Yuan(312.50m), "verification"),
        };
        var html = Encoding.UTF8.GetString(NoticeRenderer.Html(NoticeContent.Create(Heading, "4107260001", rows)));

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("生活补助", html, StringComparison.Ordinal);
        Assert.Contains("312.50", html, StringComparison.Ordinal);
        Assert.DoesNotContain("410726201503010113", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-09-29", "公示时间：9月29日至10月10日（5个工作日）")]
    [InlineData("2026-09-30", "公示时间：9月30日至10月12日（5个工作日）")]
    [InlineData("2026-10-03", "公示时间：10月8日至10月13日（5个工作日）")]
    public void Period_DomainExamples_SaysFirstAndLastWorkingDay(string published, string expected)
    {
        var publishedAt = new DateTimeOffset(DateOnly.ParseExact(published, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToDateTime(new TimeOnly(10, 0)), China);
        var endsAt = WorkingDays.NoticeEnd(Calendars, publishedAt, 5).EndsAt;

        Assert.Equal(expected, NoticeText.Period(Calendars, publishedAt, endsAt, 5));
    }

    [Fact]
    public void SemesterTitle_AutumnAndSpring_InChinese()
    {
        Assert.Equal("2026年秋季学期", NoticeText.SemesterTitle("2026-autumn"));
        Assert.Equal("2027年春季学期", NoticeText.SemesterTitle("2027-spring"));
    }

    private static string StageName(string chinese) =>
        SchoolStages.TryParse(chinese, out var stage) ? stage.ToString() : throw new InvalidOperationException(chinese);

    private static DateOnly Birth(string id) => DateOnly.ParseExact(id[6..14], "yyyyMMdd", CultureInfo.InvariantCulture);
}

/// <summary>Finds what a public notice must never show (DOMAIN.md, "Public notice").</summary>
internal static partial class PersonalData
{
    public static readonly string[] HouseholdWords = ["脱贫户", "监测户", "低保户", "建档立卡", "防返贫", "特困", "贫困户", "户编号", "人员类别"];

    public static IReadOnlyList<string> Find(string text, IEnumerable<DateOnly> births, string? allowedPhone)
    {
        var findings = new List<string>();
        findings.AddRange(IdNumber().Matches(text).Select(m => $"ID number {m.Value}"));
        var withoutHotline = allowedPhone is null ? text : text.Replace(allowedPhone, "", StringComparison.Ordinal);
        findings.AddRange(Phone().Matches(withoutHotline).Select(m => $"phone {m.Value}"));
        findings.AddRange(HouseholdWords.Where(w => text.Contains(w, StringComparison.Ordinal)).Select(w => $"household word {w}"));
        foreach (var birth in births.Distinct())
        {
            foreach (var form in new[] { "yyyy-MM-dd", "yyyyMMdd", "yyyy年M月d日", "yyyy年MM月dd日", "yyyy/MM/dd", "yyyy.MM.dd" })
            {
                var written = birth.ToString(form, CultureInfo.InvariantCulture);
                if (text.Contains(written, StringComparison.Ordinal))
                {
                    findings.Add($"birth date {written}");
                }
            }
        }

        return findings;
    }

    [GeneratedRegex(@"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")]
    private static partial Regex IdNumber();

    /// <summary>Mobile numbers, and landlines with an area code.</summary>
    [GeneratedRegex(@"(?<![0-9])(1[3-9][0-9]{9}|0[1-9][0-9]{1,2}-?[0-9]{7,8})(?![0-9])")]
    private static partial Regex Phone();
}
