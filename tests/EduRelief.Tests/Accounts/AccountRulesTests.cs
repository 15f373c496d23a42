using EduRelief.Accounts;
using EduRelief.Rosters;
using EduRelief.Rosters.Parsing;
using EduRelief.Tests.Eligibility;
using Xunit;

namespace EduRelief.Tests.Accounts;

/// <summary>DOMAIN "Accounts": account numbers, holders, masks and a child's status, without storage.</summary>
public sealed class AccountRulesTests
{
    // Luhn-valid UnionPay numbers of 16, 18 and 19 digits, worked out by hand; each with its last digit changed fails.
    public const string Card16 = "6217001234567893";
    public const string Card18 = "622588009988776656";
    public const string Card19 = "6214830011223344551";

    private static readonly string[] NoHousehold = [];

    private static AccountRecord Record(string number, string holder = "张三") =>
        new(PersonKeys.Of(SampleCounty.A), number, holder, "中国农业银行延津县支行", AccountRules.IsValid(number), DateTimeOffset.UnixEpoch, "admin", "sha", 2);

    [Theory]
    [InlineData(Card16)]
    [InlineData(Card18)]
    [InlineData(Card19)]
    public void IsValid_UnionPayCardPassingLuhn_IsValid(string number) => Assert.True(AccountRules.IsValid(number));

    [Theory]
    [InlineData("6217001234567894")]
    [InlineData("622588009988776657")]
    [InlineData("6214830011223344552")]
    public void IsValid_UnionPayCardFailingLuhn_IsInvalid(string number) => Assert.False(AccountRules.IsValid(number));

    [Theory]
    [InlineData("621234567890")]            // 12 digits starting 62: not a card length, Luhn not applied (it fails Luhn)
    [InlineData("6212345678901234567890")]  // 22 digits starting 62: not a card length (fails Luhn)
    [InlineData("4000123412341235")]        // 16 digits not starting 62 (fails Luhn)
    public void IsValid_LuhnFailingNumberOutsideUnionPayCards_IsValid(string number)
    {
        Assert.False(AccountRules.PassesLuhn(number));
        Assert.True(AccountRules.IsValid(number));
    }

    [Theory]
    [InlineData("41234567890")]                       // 11 digits
    [InlineData("4123456789012345678901234567890")]   // 31 digits
    [InlineData("4123456789012A")]                    // a letter
    [InlineData("")]
    public void IsValid_WrongLengthOrNotDigits_IsInvalid(string number) => Assert.False(AccountRules.IsValid(number));

    [Fact]
    public void IsValid_TwelveAndThirtyDigits_AreValid()
    {
        Assert.True(AccountRules.IsValid(new string('4', 12)));
        Assert.True(AccountRules.IsValid(new string('4', 30)));
    }

    [Fact]
    public void Normalize_FullWidthDigitsSpacesAndDashes_GiveAsciiDigits()
    {
        Assert.Equal(Card16, AccountRules.Normalize("６２１７\u3000００１２-3456 7893"));
        Assert.Equal(Card19, AccountRules.Normalize(" 6214-8300-1122-3344-551 "));
        Assert.True(AccountRules.IsValid(AccountRules.Normalize("６２１７ ００１２ ３４５６ ７８９３")));
    }

    [Theory]
    [InlineData("6217.0012.3456.7893")]
    [InlineData("6217－0012－3456－7893")]  // a full-width hyphen is not the DOMAIN's '-'
    public void Normalize_OtherCharacters_AreKeptSoTheNumberIsInvalid(string raw)
    {
        var normalized = AccountRules.Normalize(raw);
        Assert.Equal(raw, normalized);
        Assert.False(AccountRules.IsValid(normalized));
    }

    [Theory]
    [InlineData(Card16, "6217********7893")]
    [InlineData(Card19, "6214********4551")]
    [InlineData("412345678901", "4123********8901")]
    [InlineData("4123456", "********")]
    public void Mask_ShowsFirstAndLastFourAroundEightStars(string number, string masked) => Assert.Equal(masked, AccountRules.Mask(number));

    [Fact]
    public void Classify_NoRow_IsNoAccount() =>
        Assert.Equal(AccountStatus.NoAccount, AccountRules.Classify(null, "张三", NoHousehold));

    [Fact]
    public void Classify_InvalidNumber_IsInvalidAccountWhoeverHoldsIt() =>
        Assert.Equal(AccountStatus.InvalidAccount, AccountRules.Classify(Record("6217001234567894"), "张三", NoHousehold));

    [Fact]
    public void Classify_HolderIsTheChild_IsWithAccount() =>
        Assert.Equal(AccountStatus.WithAccount, AccountRules.Classify(Record(Card16, " 张\u3000三 "), "张三", NoHousehold));

    [Fact]
    public void Classify_HolderIsAHouseholdMember_IsWithAccount() =>
        Assert.Equal(AccountStatus.WithAccount, AccountRules.Classify(Record(Card16, "张大山"), "张三", ["李秀英", "张大山"]));

    [Theory]
    [InlineData("阿依古丽•买买提")]
    [InlineData("阿依古丽．买买提")]
    public void Classify_HolderWithDotLookAlike_MatchesTheMiddleDot(string holder) =>
        Assert.Equal(AccountStatus.WithAccount, AccountRules.Classify(Record(Card16, holder), "阿依古丽·买买提", NoHousehold));

    [Fact]
    public void Classify_HolderNeitherChildNorHousehold_IsHolderMismatch() =>
        Assert.Equal(AccountStatus.HolderMismatch, AccountRules.Classify(Record(Card16, "王五"), "张三", ["张大山"]));

    [Fact]
    public void Classify_EmptyHolder_IsHolderMismatchEvenWithAnUnnamedHouseholdMember() =>
        Assert.Equal(AccountStatus.HolderMismatch, AccountRules.Classify(Record(Card16, " "), "张三", [""]));

    [Fact]
    public void ToString_OfARecord_ShowsTheNumberMaskedOnly()
    {
        var text = Record(Card16).ToString();
        Assert.DoesNotContain(Card16, text, StringComparison.Ordinal);
        Assert.Contains("6217********7893", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadFile_LaterRowForTheSameChild_ReplacesTheEarlierAsDuplicate()
    {
        var content = await AccountsFile.ReadAsync(Rows(
            [SampleCounty.A, "张三", "6217001234567894", "农行"],
            [SampleCounty.B, "李四", "41234567890", "农行"],
            [SampleCounty.FullWidth(SampleCounty.A), "张三", Card16, "农行"]), new DateOnly(2026, 9, 1), null, CancellationToken.None);

        Assert.False(content.Refused);
        Assert.Equal((3, 1, 1, 1), (content.Rows, content.Valid, content.InvalidAccount, content.Duplicate));
        var a = content.Lines.Single(l => l.PersonKey == PersonKeys.Of(SampleCounty.A));
        Assert.Equal((Card16, 4), (a.AccountNumber, a.FileRow));
    }

    [Fact]
    public async Task ReadFile_InvalidIdOrAnotherSchoolsChild_RefusesNamingEachRow()
    {
        var allowed = new HashSet<string> { PersonKeys.Of(SampleCounty.A) };
        var content = await AccountsFile.ReadAsync(Rows(
            [SampleCounty.A, "张三", Card16, "农行"],
            [SampleCounty.BadCheck(SampleCounty.B), "李四", Card18, "农行"],
            [SampleCounty.B, "李四", Card19, "农行"]), new DateOnly(2026, 9, 1), allowed, CancellationToken.None);

        Assert.True(content.Refused);
        Assert.Equal(["row:3", "row:4"], content.Errors.Keys.Order());
        Assert.Contains("check character", content.Errors["row:3"][0].En, StringComparison.Ordinal);
        Assert.Contains("not a student of your school", content.Errors["row:4"][0].En, StringComparison.Ordinal);
        Assert.DoesNotContain(content.Errors.Values.SelectMany(v => v), m => m.Zh.Contains(SampleCounty.B[..17], StringComparison.Ordinal) || m.En.Contains(SampleCounty.B[..17], StringComparison.Ordinal));
    }

    private static async IAsyncEnumerable<RosterRow> Rows(params string[][] rows)
    {
        await Task.Yield();
        for (var i = 0; i < rows.Length; i++)
        {
            yield return new RosterRow(i + 2, rows[i]);
        }
    }
}
