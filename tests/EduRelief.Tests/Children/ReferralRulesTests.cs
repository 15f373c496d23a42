using EduRelief.Children;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Children;

/// <summary>What a 两后生 referral's outcome must say before it is recorded.</summary>
public sealed class ReferralRulesTests
{
    private static readonly DateOnly Today = new(2026, 10, 15);
    private static readonly DateTimeOffset Now = new(2026, 10, 15, 2, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("vocational")]
    [InlineData("training")]
    [InlineData("employed")]
    [InlineData("declined")]
    [InlineData("unreachable")]
    public void Validate_EachOutcomeWithADateUpToToday_IsRecordedAsGiven(string outcome)
    {
        var (recorded, errors) = new ReferralOutcomeRequest(outcome, "2026-10-15", "  已到县职教中心报到  ").Validate(Today, "admin", Now);

        Assert.Empty(errors);
        Assert.Equal((outcome, Today, "已到县职教中心报到", "admin", Now), (recorded!.Outcome, recorded.Date, recorded.Note, recorded.RecordedBy, recorded.RecordedAt));
        Assert.NotEqual("", ReferralOutcomes.Label(outcome));
    }

    [Fact]
    public void Validate_UnknownOutcomeFutureOrMalformedDateLongNote_NamesEachField()
    {
        Assert.Equal(["date", "note", "outcome"], new ReferralOutcomeRequest("graduated", "2026-10-16", new string('备', 501)).Validate(Today, "admin", Now).Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["date", "outcome"], new ReferralOutcomeRequest(null, "2026/10/01", null).Validate(Today, "admin", Now).Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_NoteWithAnIdNumber_IsRefused_ABlankNoteIsNone()
    {
        var (_, errors) = new ReferralOutcomeRequest("training", "2026-10-01", $"身份证 {SampleCounty.I}").Validate(Today, "admin", Now);
        var (recorded, none) = new ReferralOutcomeRequest("training", "2026-10-01", "   ").Validate(Today, "admin", Now);

        Assert.Equal(["note"], errors.Keys);
        Assert.Empty(none);
        Assert.Null(recorded!.Note);
    }
}
