using EduRelief.Runner;
using FsCheck.Xunit;
using Xunit;

namespace EduRelief.Tests.Runner;

public class PoisonRulesTests
{
    [Theory]
    [InlineData(1, 5, false)]
    [InlineData(5, 5, false)]
    [InlineData(6, 5, true)]
    [InlineData(2, 1, true)]
    public void ShouldMoveBeforeInvoking_DequeueCountAboveMax_MovesWithoutInvoking(long dequeueCount, int max, bool expected)
    {
        Assert.Equal(expected, PoisonRules.ShouldMoveBeforeInvoking(dequeueCount, max));
    }

    [Theory]
    [InlineData(1, 5, FailureAction.Retry)]
    [InlineData(4, 5, FailureAction.Retry)]
    [InlineData(5, 5, FailureAction.MoveToPoison)]
    [InlineData(1, 1, FailureAction.MoveToPoison)]
    public void AfterFailure_DequeueCountReachesMax_MovesToPoison(long dequeueCount, int max, FailureAction expected)
    {
        Assert.Equal(expected, PoisonRules.AfterFailure(dequeueCount, max));
    }

    [Property]
    public bool AfterFailure_AnyCounts_PoisonsExactlyWhenAttemptsAreUsedUp(FsCheck.PositiveInt dequeueCount, FsCheck.PositiveInt max) =>
        (PoisonRules.AfterFailure(dequeueCount.Get, max.Get) == FailureAction.MoveToPoison) == (dequeueCount.Get >= max.Get);

    [Property]
    public bool Rules_AnyCounts_AMessageInvokedIsNeverPastItsLastAttempt(FsCheck.PositiveInt dequeueCount, FsCheck.PositiveInt max) =>
        PoisonRules.ShouldMoveBeforeInvoking(dequeueCount.Get, max.Get) || dequeueCount.Get <= max.Get;

    [Fact]
    public void PoisonQueueName_AppendsSuffix()
    {
        Assert.Equal("steps-poison", PoisonRules.PoisonQueueName("steps"));
    }
}
