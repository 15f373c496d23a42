using EduRelief.Cycles;
using EduRelief.Hotline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace EduRelief.Tests.Hotline;

public sealed class HotlineValuesTests
{
    [Theory]
    [InlineData("13812345678", "138****5678")]
    [InlineData("138 1234 5678", "138****5678")]
    [InlineData("138-1234-5678", "138****5678")]
    [InlineData("+8613812345678", "+86****5678")]
    [InlineData("03737654321", "037****4321")]
    [InlineData("12345", "****")]
    public void Mask_PhoneNumber_KeepsOnlyFirstThreeAndLastFour(string phone, string masked)
    {
        Assert.Equal(masked, PhoneNumbers.Mask(phone));
    }

    [Fact]
    public void CaseNumber_Formatted_PadsYearAndSequence()
    {
        Assert.Equal("410726-2026-000123", new CaseNumber("410726", 2026, 123).ToString());
        Assert.Equal("410726-2026-1234567", new CaseNumber("410726", 2026, 1_234_567).ToString());
    }

    [Fact]
    public void CaseNumberTryParse_Canonical_RoundTrips()
    {
        Assert.True(CaseNumber.TryParse("410726-2026-000123", out var number));
        Assert.Equal(new CaseNumber("410726", 2026, 123), number);
    }

    [Theory]
    [InlineData("410726-2026-123")]
    [InlineData("410726-2026-0000123")]
    [InlineData("410726-2026-000000")]
    [InlineData("41072-2026-000123")]
    [InlineData("410726-26-000123")]
    [InlineData("410726-2026-00012a")]
    [InlineData("ext-abc")]
    [InlineData("")]
    public void CaseNumberTryParse_NotCanonical_ReturnsFalse(string text)
    {
        Assert.False(CaseNumber.TryParse(text, out _));
    }

    [Theory]
    [InlineData("inquiry", 2)]
    [InlineData("complaint", 5)]
    [InlineData("help", 5)]
    [InlineData("tipoff", 15)]
    public void DeadlineRule_WorkingDaysCategory_FollowsDomain(string category, int days)
    {
        var rule = DeadlineRule.For(category);

        Assert.Equal(DeadlineRule.WorkingDaysRule, rule.Name);
        Assert.Equal(days, rule.WorkingDays);
    }

    [Fact]
    public void DeadlineFor_Objection_ReturnsNullWithNoticeEndRule()
    {
        Assert.Null(DeadlineRule.For(HotlineCategories.Objection).WorkingDays);
        Assert.Equal(DeadlineRule.NoticeEndRule, DeadlineRule.For(HotlineCategories.Objection).Name);
    }

    [Theory]
    [InlineData("Production", null, false)]
    [InlineData("Production", "short", false)]
    [InlineData("Production", "a-long-enough-secret", true)]
    [InlineData("Development", null, true)]
    [InlineData("Development", "short", false)]
    public void ValidateOptions_Secret_RequiredOutsideDevelopment(string environment, string? secret, bool valid)
    {
        var validator = new HotlineOptionsValidator(new FakeEnvironment(environment));

        Assert.Equal(valid, validator.Validate(null, new HotlineOptions { Secret = secret }).Succeeded);
    }

    [Fact]
    public void Validate_EveryFieldWrong_NamesEachField()
    {
        var counties = new CountyCatalog([new County("410726", "延津县", "新乡市", "河南省")]);
        var body = new HotlineCaseRequest("", "999999", "2026-10-09 10:00", "praise", "", "12", "", new HotlineSubjectRequest("bad", "123", null));

        var (input, errors) = HotlineIntake.Validate(body, counties, DateTimeOffset.UnixEpoch.AddYears(56));

        Assert.Null(input);
        Assert.Equal(
            new[] { "callerName", "callerPhone", "category", "content", "countyCode", "externalId", "receivedAt", "subject.cycleId", "subject.schoolCode" },
            errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_ObjectionWithoutSubject_NamesSubject()
    {
        var counties = new CountyCatalog([new County("410726", "延津县", "新乡市", "河南省")]);
        var body = new HotlineCaseRequest("H-1", "410726", "2026-10-09T10:00:00+08:00", "objection", "张三", "13812345678", "名单有误", null);

        var (input, errors) = HotlineIntake.Validate(body, counties, new DateTimeOffset(2026, 10, 9, 3, 0, 0, TimeSpan.Zero));

        Assert.Null(input);
        Assert.Equal(["subject"], errors.Keys);
    }

    [Fact]
    public void Validate_ReceivedAtWithoutOffset_NamesReceivedAt()
    {
        var counties = new CountyCatalog([new County("410726", "延津县", "新乡市", "河南省")]);
        var body = new HotlineCaseRequest("H-1", "410726", "2026-10-09T10:00:00", "inquiry", "张三", "13812345678", "问询", null);

        var (_, errors) = HotlineIntake.Validate(body, counties, new DateTimeOffset(2026, 10, 9, 3, 0, 0, TimeSpan.Zero));

        Assert.Equal(["receivedAt"], errors.Keys);
    }

    private sealed class FakeEnvironment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;

        public string ApplicationName { get; set; } = "EduRelief";

        public string ContentRootPath { get; set; } = "/";

        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = new Microsoft.Extensions.FileProviders.NullFileProvider();
    }
}
