using System.Text;
using System.Text.RegularExpressions;
using EduRelief.Tests.Console;
using EduRelief.Tests.Eligibility;
using EduRelief.Tests.Hosting;
using Microsoft.Playwright;
using Xunit;

namespace EduRelief.Tests.Letters;

/// <summary>
/// A school's 告知书 printed to PDF by Chromium (the issue's proof): the school's officer opens the letters of their
/// school as the API serves them, and the print has exactly one A4 page per letter.
/// </summary>
[Collection("browser")]
public sealed partial class LetterPrintTests(BrowserFixture browser)
{
    [Fact]
    public async Task PrintLetters_JuniorSchool_OneA4PagePerLetter()
    {
        await using var app = await AppProcess.StartAsync();
        var id = await SampleCycle.ToReviewAsync(app.Admin);
        await app.Admin.PostAsync("/api/dev/clock", new { setTo = "2026-09-30T10:00:00+08:00" });
        Assert.Equal(200, (await app.Admin.PostAsync($"/api/cycles/{id}/approve")).Status);
        await Eventually.UntilAsync(() => app.Admin.GetJsonAsync($"/api/cycles/{id}"), r => r.Body!["notice"]?["documents"] is not null, TimeSpan.FromSeconds(60), "notice documents");
        var key = await app.KeyForRoleAsync("school_officer", "4107260002");

        await using var session = await browser.NewSessionAsync(app.BaseUrl);
        await session.Context.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["X-Api-Key"] = key });
        var response = await session.Page.GotoAsync($"/api/cycles/{id}/letters/4107260002.html");
        Assert.Equal(200, response!.Status);
        Assert.Equal(2, await session.Page.Locator("section.letter").CountAsync());
        Assert.Contains("李四 同学家长", await session.Page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);

        await Screenshots.SaveAsync(session.Page, "letters-school");
        var pdf = await session.Page.PdfAsync(new PagePdfOptions { Format = "A4", PreferCSSPageSize = true });
        await File.WriteAllBytesAsync(Path.Combine(Path.GetTempPath(), $"letters-{id}-4107260002.pdf"), pdf);

        Assert.StartsWith("%PDF", Encoding.Latin1.GetString(pdf, 0, 4), StringComparison.Ordinal);
        Assert.Equal(2, PdfPage().Count(Encoding.Latin1.GetString(pdf)));
        Assert.Equal(403, (await session.Page.GotoAsync($"/api/cycles/{id}/letters/4107260001.html"))!.Status);
    }

    /// <summary>A page object of the PDF (not the /Pages tree node).</summary>
    [GeneratedRegex(@"/Type\s*/Page(?![a-zA-Z])")]
    private static partial Regex PdfPage();
}
