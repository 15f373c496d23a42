using EduRelief.Hosting;
using Xunit;

namespace EduRelief.Tests.Hosting;

/// <summary>Which language a problem answers in: Chinese unless the request prefers English over Chinese.</summary>
public sealed class ProblemLanguageTests
{
    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("en", true)]
    [InlineData("zh-CN,en;q=0.8", false)]
    [InlineData("en-US,zh;q=0.5", true)]
    [InlineData("zh-CN", false)]
    [InlineData("fr", false)]
    [InlineData("en;q=0.5,zh;q=0.9", false)]
    [InlineData("fr,en-GB;q=0.7", true)]
    public void PrefersEnglish_AcceptLanguage_ChoosesEnglishOnlyOverChinese(string? acceptLanguage, bool english) =>
        Assert.Equal(english, ProblemLanguage.PrefersEnglish(acceptLanguage));
}
