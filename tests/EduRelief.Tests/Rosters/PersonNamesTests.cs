using EduRelief.Rosters;
using Xunit;

namespace EduRelief.Tests.Rosters;

public sealed class PersonNamesTests
{
    [Theory]
    [InlineData("张 三", "张三")]
    [InlineData("张\u3000三", "张三")]
    [InlineData(" \t张三\u00A0\r\n", "张三")]
    [InlineData("阿依古丽•买买提", "阿依古丽·买买提")] // U+2022 bullet
    [InlineData("阿依古丽．买买提", "阿依古丽·买买提")] // U+FF0E full-width full stop
    [InlineData("阿依古丽·买买提", "阿依古丽·买买提")] // already U+00B7
    [InlineData(null, "")]
    public void Normalize_Variants_FollowTheDomainRule(string? raw, string expected)
    {
        Assert.Equal(expected, PersonNames.Normalize(raw));
    }

    [Theory]
    [InlineData("张三", "张 三")]
    [InlineData("张三", "张\u3000三")]
    [InlineData("阿依古丽·买买提", "阿依古丽•买买提")]
    [InlineData("阿依古丽·买买提", "阿依古丽．买买提")]
    [InlineData("阿依古丽 • 买买提", "阿依古丽·买买提")]
    [InlineData(" 李四 ", "李四")]
    public void Same_DomainExamples_AreTheSamePerson(string a, string b)
    {
        Assert.True(PersonNames.Same(a, b));
        Assert.True(PersonNames.Same(b, a));
    }

    [Theory]
    [InlineData("张三", "张山")]
    [InlineData("张三", "张三丰")]
    [InlineData("阿依古丽·买买提", "阿依古丽买买提")] // a missing dot is a difference
    [InlineData("阿依古丽·买买提", "阿依古丽・买买提")] // U+30FB is not in the DOMAIN list
    [InlineData("阿依古丽·买买提", "阿依古丽.买买提")] // nor is an ASCII full stop
    [InlineData("Li", "LI")] // case is not folded
    [InlineData("张三", null)]
    public void Same_DifferentNames_AreAMismatch(string? a, string? b)
    {
        Assert.False(PersonNames.Same(a, b));
    }
}
