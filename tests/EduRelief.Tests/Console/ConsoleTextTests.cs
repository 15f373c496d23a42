using System.Text.RegularExpressions;
using EduRelief.Tests.Hosting;
using Xunit;

namespace EduRelief.Tests.Console;

/// <summary>
/// The console's own words, read from its source: every key a page asks for has Chinese, and no English sentence is
/// written outside the English dictionaries (what a Chinese reader sees is Chinese). Code identifiers, CSS classes and
/// URLs are not sentences and pass.
/// </summary>
public sealed partial class ConsoleTextTests
{
    private static readonly string Console = Path.Combine(Repo.Root, "functions", "EduRelief", "wwwroot", "console");

    /// <summary>Shown as they are in Chinese too: the switch to English names its language in English.</summary>
    private static readonly HashSet<string> EnglishOnPurpose = ["app.switchLang"];

    [GeneratedRegex(@"\b[A-Za-z]+(?: [A-Za-z]+){2,}\b")]
    private static partial Regex EnglishWords();

    [GeneratedRegex(@"[\u4e00-\u9fff]")]
    private static partial Regex Chinese();

    /// <summary>A page's English dictionary: <c>en: { … },</c> at two spaces' indent, or on one line (app.js).</summary>
    [GeneratedRegex(@"(?m)^  en: \{(?:[^\n]*\},|[\s\S]*?\n  \},)")]
    private static partial Regex EnglishBlock();

    [GeneratedRegex(@"(?m)^  zh: \{(?:[^\n]*\},|[\s\S]*?\n  \},)")]
    private static partial Regex ChineseBlock();

    [GeneratedRegex(@"'([a-zA-Z][\w.]*)': '((?:[^'\\]|\\.)*)'")]
    private static partial Regex Entry();

    [GeneratedRegex(@"\bt\('([^']+)'")]
    private static partial Regex KeyUse();

    /// <summary>A quoted or template literal on one line, not a dictionary key (a literal followed by a colon).</summary>
    [GeneratedRegex(@"(['""`])((?:(?!\1)[^\\\n]|\\.)*)\1(?!\s*:)")]
    private static partial Regex Literal();

    private static IEnumerable<string> Scripts() => Directory.EnumerateFiles(Path.Combine(Console, "js"), "*.js", SearchOption.AllDirectories);

    private static Dictionary<string, string> ChineseStrings() =>
        Scripts().SelectMany(f => ChineseBlock().Matches(File.ReadAllText(f)))
            .SelectMany(block => Entry().Matches(block.Value))
            .GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => g.Last().Groups[2].Value);

    [Fact]
    public void Dictionaries_EveryKeyUsedOrEnglish_HasChineseWords()
    {
        var zh = ChineseStrings();
        var english = Scripts().SelectMany(f => EnglishBlock().Matches(File.ReadAllText(f))).SelectMany(b => Entry().Matches(b.Value)).Select(m => m.Groups[1].Value);
        var used = Scripts().SelectMany(f => KeyUse().Matches(File.ReadAllText(f))).Select(m => m.Groups[1].Value);

        Assert.True(zh.Count > 500, $"only {zh.Count} Chinese strings found: the dictionaries are not being read");
        var missing = english.Concat(used).Distinct().Where(k => !zh.ContainsKey(k)).ToList();
        var untranslated = zh.Where(e => !EnglishOnPurpose.Contains(e.Key) && !Chinese().IsMatch(e.Value) && EnglishWords().IsMatch(e.Value)).Select(e => e.Key).ToList();
        Assert.True(missing.Count == 0, "Keys without Chinese: " + string.Join(", ", missing));
        Assert.True(untranslated.Count == 0, "Chinese dictionary entries in English: " + string.Join(", ", untranslated));
    }

    [Fact]
    public void Scripts_OutsideEnglishDictionaries_WriteNoEnglishSentence()
    {
        var offences = new List<string>();
        foreach (var file in Scripts())
        {
            var code = EnglishBlock().Replace(File.ReadAllText(file), "");
            code = Regex.Replace(code, @"/\*[\s\S]*?\*/", "");
            foreach (var (line, number) in code.Split('\n').Select((l, i) => (l, i + 1)))
            {
                var text = Regex.Replace(line, @"(^\s*//.*$)|(\s//\s.*$)", "");
                foreach (Match literal in Literal().Matches(text))
                {
                    var value = literal.Groups[2].Value;
                    if (EnglishWords().IsMatch(value) && !Chinese().IsMatch(value) && !value.Contains("openid", StringComparison.Ordinal))
                    {
                        offences.Add($"{Path.GetFileName(file)}:{number}: {value}");
                    }
                }
            }
        }

        Assert.True(offences.Count == 0, "English in the console's scripts:\n" + string.Join("\n", offences));
    }

    [Fact]
    public void RectificationSources_EveryOne_HasChineseOnTheRectificationPage()
    {
        var chinese = ChineseBlock().Match(File.ReadAllText(Path.Combine(Console, "js", "pages", "cycle-rectification.js"))).Value;

        var missing = global::EduRelief.Rectification.RectificationSources.All.Where(s => !Regex.IsMatch(chinese, $@"'rect\.src\.{Regex.Escape(s)}': '[^'\n]*[\u4e00-\u9fff]")).ToList();

        Assert.True(chinese.Length > 0, "the rectification page's Chinese dictionary was not found");
        Assert.True(missing.Count == 0, "Item sources the console shows as a key: " + string.Join(", ", missing));
    }

    [Fact]
    public void SystemReasons_EveryOneTheAppWrites_HasChineseOnThePaymentsPage()
    {
        var chinese = ChineseBlock().Match(File.ReadAllText(Path.Combine(Console, "js", "pages", "cycle-payments.js"))).Value;

        var missing = global::EduRelief.Disbursement.SystemReasons.All.Where(r => !Regex.IsMatch(chinese, $@"'pay\.sys\.{Regex.Escape(r)}': '[^'\n]*[\u4e00-\u9fff]")).ToList();

        Assert.True(chinese.Length > 0, "the payments page's Chinese dictionary was not found");
        Assert.True(missing.Count == 0, "System reasons the console shows in English: " + string.Join(", ", missing));
    }

    [Fact]
    public void Page_Html_ShowsOnlyChinese()
    {
        var html = File.ReadAllText(Path.Combine(Console, "index.html"));
        var text = Regex.Replace(Regex.Replace(html, @"<(script|style)[\s\S]*?</\1>", ""), "<[^>]+>", " ");

        Assert.DoesNotMatch(EnglishWords(), text);
        Assert.Matches(Chinese(), text);
    }
}
