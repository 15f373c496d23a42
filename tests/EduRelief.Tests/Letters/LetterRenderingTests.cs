using System.Text;
using System.Text.RegularExpressions;
using EduRelief.Accounts;
using EduRelief.Bench.Generator;
using EduRelief.Children;
using EduRelief.Eligibility;
using EduRelief.Letters;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using EduRelief.Tests.Eligibility;
using Microsoft.Extensions.Options;
using Xunit;

namespace EduRelief.Tests.Letters;

/// <summary>
/// A school's 告知书 rendered from ledger rows as the store reads them back (with the full ID number) and the cycle's
/// payable accounts (with the full account number): one letter per child with its own programmes and amounts, the
/// account masked, and no ID number anywhere in the document.
/// </summary>
public sealed partial class LetterRenderingTests
{
    private static readonly LetterHeading Heading = new("延津县", "2026年秋季学期", new DateOnly(2026, 10, 12), "延津县教育局", "0373-7201234", "延津县文化路 12 号教育局学生资助管理中心");
    private static readonly ChildIds Ids = new(Options.Create(new ChildIdOptions { Secret = "letters-test-secret-0123456789" }));
    private static readonly DateOnly Created = new(2026, 9, 1);

    private static string ChildId(IdNumber id) => ChildIds.ApiId(Ids.RowKey(id));

    private static LedgerRow Row(string id, string name, string stage, int grade, bool boarding, string program, decimal amount, int studentRow) => new(
        $"4107260001.{program}.{studentRow:D8}", "4107260001", "城关镇第一小学", name, IdNumber.FromStored(id), stage, grade, boarding, program, new Yuan(amount), "verification");

    [Fact]
    public void Render_SampleSchool_OneLetterPerChildWithItsAmountsAndMaskedAccountNoIdNumber()
    {
        var card = Disbursement.FakeAccountsRegistry.CardNumber(1);
        var rows = new[]
        {
            Row(SampleCounty.A, "张三", "小学", 5, true, "living_subsidy", 625m, 1),
            Row(SampleCounty.C, "王五", "小学", 3, false, "living_subsidy", 312.50m, 3),
            // A child with two programmes (a county override may pay two): one letter, both lines, their sum.
            Row(SampleCounty.H, "吴九", "学前", 2, true, "preschool_aid", 500m, 10),
            Row(SampleCounty.H, "吴九", "学前", 2, true, "living_subsidy", 100m, 10),
        };
        var accounts = new Dictionary<string, PayableAccount> { [IdNumber.FromStored(SampleCounty.A).PersonKey] = new("张三", card, "中国农业银行延津县支行") };

        var school = SchoolLetters.Create(Heading, "4107260001", rows, accounts, ChildId);
        var html = Encoding.UTF8.GetString(LetterRenderer.Html(school));

        Assert.Empty(IdNumber18().Matches(html));
        Assert.DoesNotContain(card, html, StringComparison.Ordinal);
        var letters = Letters(html);
        Assert.Equal(["吴九", "王五", "张三"], letters.Select(l => Regex.Match(l, "<p>(.+?) 同学家长：</p>").Groups[1].Value)); // 学前 before 小学, grade 3 before 5
        Assert.Equal(["100.00", "500.00", "600.00"], Amounts(letters[0]));
        Assert.Equal(["312.50", "312.50"], Amounts(letters[1]));
        Assert.Equal(["625.00", "625.00"], Amounts(letters[2]));
        Assert.Contains("中国农业银行延津县支行 " + AccountRules.Mask(card), letters[2], StringComparison.Ordinal);
        Assert.Matches(@"6217\*{8}[0-9]{4}", letters[2]);
        Assert.Contains("尚未登记有效账户", letters[1], StringComparison.Ordinal);
        Assert.Contains(ChildId(IdNumber.FromStored(SampleCounty.C)), letters[1], StringComparison.Ordinal);
        foreach (var letter in letters)
        {
            Assert.Contains("0373-7201234", letter, StringComparison.Ordinal);
            Assert.Contains("延津县文化路 12 号教育局学生资助管理中心", letter, StringComparison.Ordinal);
            Assert.Contains("公示期满（10月12日）后", letter, StringComparison.Ordinal);
        }

        Assert.Contains("break-after:page", html, StringComparison.Ordinal);
        Assert.Contains("@page{size:A4", html, StringComparison.Ordinal);
        Assert.Equal(LetterRenderer.Html(school), LetterRenderer.Html(SchoolLetters.Create(Heading, "4107260001", [.. rows.Reverse()], accounts, ChildId)));
    }

    [Fact]
    public async Task Render_GeneratedSchool_EveryChildsLetterTotalsItsEntitlementsAndNoIdNumber()
    {
        var policy = DefaultPolicies.Load(DefaultPolicies.ShippedDirectory)[2026];
        var directory = Path.Combine(Path.GetTempPath(), "edurelief-letters-" + Guid.NewGuid().ToString("N"));
        VerificationResult result;
        try
        {
            var county = CountyGenerator.Write(new CountySpec(Students: 2000, Seed: 5, NameMismatchRate: 0), directory, Created);
            await using var poverty = File.OpenRead(county.PovertyPath);
            await using var students = File.OpenRead(county.StudentsPath);
            result = await Verifier.RunAsync(
                RosterReader.ReadAsync(poverty, RosterFormat.Csv, RosterKind.Poverty, CancellationToken.None),
                RosterReader.ReadAsync(students, RosterFormat.Csv, RosterKind.Students, CancellationToken.None),
                Created, 2026, policy, CancellationToken.None);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        var school = result.Eligible.Where(s => s.Entitlements.Count > 0).GroupBy(s => s.SchoolCode).OrderByDescending(g => g.Count()).First().ToList();
        var rows = school.SelectMany(s => s.Entitlements.Select(e => new LedgerRow(
            $"{s.SchoolCode}.{e.Program}.{s.StudentRow:D8}", s.SchoolCode, s.SchoolName, s.Name, s.IdNumber, SchoolStages.Chinese(s.Stage), s.Grade, s.Boarding, e.Program, e.Amount, "verification"))).ToList();
        Assert.True(school.Count >= 10, $"a realistic school has many children, got {school.Count}");

        var html = Encoding.UTF8.GetString(LetterRenderer.Html(SchoolLetters.Create(Heading, school[0].SchoolCode, rows, new Dictionary<string, PayableAccount>(), ChildId)));

        Assert.Empty(IdNumber18().Matches(html));
        var letters = Letters(html);
        Assert.Equal(school.Select(s => s.IdNumber.PersonKey).Distinct().Count(), letters.Count);
        foreach (var child in school)
        {
            var letter = Assert.Single(letters, l => l.Contains(ChildId(child.IdNumber), StringComparison.Ordinal));
            var expected = child.Entitlements.Select(e => e.Amount.ToFenExact().ToString()).Order(StringComparer.Ordinal).ToList();
            var shown = Amounts(letter);
            Assert.Equal(child.Entitlements.Sum(e => e.Amount).ToFenExact().ToString(), shown[^1]);
            Assert.Equal(expected, shown.Take(shown.Count - 1).Order(StringComparer.Ordinal));
            Assert.Contains(child.Name, letter, StringComparison.Ordinal);
        }
    }

    private static List<string> Letters(string html) =>
        [.. html.Split("<section class=\"letter\">", StringSplitOptions.None).Skip(1)];

    /// <summary>The amounts of a letter's table: each programme's, then the total.</summary>
    private static List<string> Amounts(string letter) =>
        [.. TableAmount().Matches(letter[..letter.IndexOf("</table>", StringComparison.Ordinal)]).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])")]
    private static partial Regex IdNumber18();

    [GeneratedRegex(@"<td class=""n"">([0-9]+\.[0-9]{2})</td>")]
    private static partial Regex TableAmount();
}
