using EduRelief.Cycles;
using EduRelief.Workflow;
using Xunit;

namespace EduRelief.Tests.Cycles;

/// <summary>A dead-lettered step as the cycle shows it: the step named in Chinese for people, the exception kept for operators.</summary>
public sealed class PausedStepTests
{
    private static readonly DateTimeOffset At = new(2026, 10, 20, 9, 0, 0, TimeSpan.FromHours(8));

    [Fact]
    public void Of_CutStepFailedFiveTimes_SaysWhichStepInChineseAndKeepsTheExceptionApart()
    {
        var dead = new DeadLetter("41.payments", "activity", SettlementSteps.Payments, SettlementSteps.PaymentsKind, null,
            "RequestFailedException: Service request failed. Status: 503 (Server Busy)", 5, At);

        var paused = PausedStep.Of(dead);

        Assert.Equal("后台步骤“生成发放批次”失败 5 次后已暂停，等待运维人员处理后重试。", paused.Error);
        Assert.Equal("The background step \"cutting payment batches\" is paused after 5 failed attempt(s), waiting for the operators to retry it.", paused.ErrorEn);
        Assert.Equal(dead.Error, paused.Technical);
        Assert.Equal((dead.Id, dead.Attempts, dead.FailedAt), (paused.Id, paused.Attempts, paused.FailedAt));
    }

    [Fact]
    public void Of_NoticeShard_NamedByItsKind()
    {
        var paused = PausedStep.Of(new DeadLetter("12.notice-documents.4107260001", "activity", NoticeSteps.Documents, NoticeSteps.RenderKind, "4107260001", "IOException: disk full", 3, At));

        Assert.StartsWith("后台步骤“生成学校公示文件”失败 3 次后已暂停", paused.Error);
        Assert.DoesNotContain("IOException", paused.Error);
    }
}
